"""CLI commands beyond running the bot: they print for the admin at the terminal, in Chinese."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.services.registry import RegistryService
from classifiers.datasets import write_corrections
from storage.bootstrap import open_database


async def registry_command(settings: Settings, action: str, path: Path) -> int:
    engine, uow_factory = await open_database(settings.database_url)
    try:
        async with uow_factory() as uow:
            service = RegistryService(uow)
            if action == "export":
                count = await service.export_file(path)
                print(f"已导出 {count} 名代表到 {path}")
                return 0
            result = await service.import_file(path, actor="cli")
    finally:
        await engine.dispose()
    if not result.ok:
        print(f"导入失败：{len(result.errors)} 行有误，未导入任何记录。", file=sys.stderr)
        for error in result.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    print(f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}。")
    return 0


async def export_corrections(settings: Settings, path: Path) -> int:
    """Admin corrections and operator 改派, as labelled examples the classifier trains on."""
    engine, uow_factory = await open_database(settings.database_url)
    try:
        async with uow_factory() as uow:
            examples = await uow.reports.labelled_examples()
    finally:
        await engine.dispose()
    rows: list[tuple[str, str, str | None]] = [(e.text, e.department_code, None) for e in examples]
    await asyncio.to_thread(write_corrections, path, rows)
    print(f"已导出 {len(rows)} 条纠正样本到 {path}")
    return 0
