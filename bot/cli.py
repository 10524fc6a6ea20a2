"""CLI commands beyond running the bot: they print for the admin at the terminal, in Chinese."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.config import Settings
from bot.services.deputies.registry import RegistryService
from bot.services.routing.directory import database_directory
from classifiers import load_directory
from classifiers.datasets import write_corrections
from classifiers.directory import departments_document
from console.refusals import row_words
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
            print(f"正在读取并校验 {path} …", file=sys.stderr, flush=True)
            result = await service.import_file(path, actor="cli", progress=_import_progress)
    finally:
        await engine.dispose()
    if not result.ok:
        print(f"导入失败：{len(result.errors)} 行有误，未导入任何记录。", file=sys.stderr)
        for error in result.errors:
            print(f"  {row_words(error)}", file=sys.stderr)
        return 1
    print(f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}。")
    return 0


def _import_progress(done: int, total: int) -> None:
    print(f"  已写入 {done}/{total} 行（{done * 100 // total}%）", file=sys.stderr, flush=True)


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


async def export_directory(settings: Settings, path: Path) -> int:
    """The department directory as admins keep it (active units), as a departments JSON:
    `python -m classifiers import-directory FILE` installs it, then `train` learns from it."""
    engine, uow_factory = await open_database(settings.database_url)
    try:
        async with uow_factory() as uow:
            directory = await database_directory(uow, load_directory())
    finally:
        await engine.dispose()
    if not directory.departments:  # importing it would leave the classifier nothing to route to
        print("数据库中没有启用的承办单位（机器人尚未启动过？），未导出。", file=sys.stderr)
        return 1
    text = json.dumps(departments_document(directory), ensure_ascii=False, indent=1) + "\n"
    await asyncio.to_thread(path.write_text, text, encoding="utf-8")
    print(f"已导出 {len(directory.departments)} 个承办单位到 {path}")
    return 0
