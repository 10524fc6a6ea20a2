"""Registry import: validated line by line, all-or-nothing, idempotent, CSV and XLSX."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook

from bot.services.deputies.registry import (
    ImportResult,
    RegistryService,
    parse_level,
    parse_registry,
)
from console.refusals import say
from storage.uow import UnitOfWorkFactory

SAMPLE = Path(__file__).parents[2] / "samples" / "deputies.csv"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


async def _import(uow_factory: UnitOfWorkFactory, path: Path) -> ImportResult:
    async with uow_factory() as uow:
        return await RegistryService(uow).import_file(path, actor="test")


async def _deputies(uow_factory: UnitOfWorkFactory) -> list[tuple[str, str, str]]:
    async with uow_factory() as uow:
        return [(d.name, d.phone, d.level) for d in await uow.deputies.all()]


async def test_sample_registry_covers_all_five_levels(uow_factory: UnitOfWorkFactory) -> None:
    result = await _import(uow_factory, SAMPLE)
    assert result.ok and result.created == 20
    assert {level for _, _, level in await _deputies(uow_factory)} == {
        "全国",
        "省",
        "市",
        "县",
        "乡",
    }


async def test_reimporting_the_same_file_changes_nothing(uow_factory: UnitOfWorkFactory) -> None:
    await _import(uow_factory, SAMPLE)
    before = await _deputies(uow_factory)
    again = await _import(uow_factory, SAMPLE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)
    assert await _deputies(uow_factory) == before
    async with uow_factory() as uow:
        assert len(await uow.audit.by_action("registry.import")) == 1


async def test_bad_rows_are_named_by_line_and_nothing_is_imported(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "bad.csv",
        "姓名,手机号,层级,选区,联络站\n"
        "张三,+86 138-0739-9999,市,双清区第一选区,东风路联络站\n"
        ",13800000000,市,,\n"
        "李四,12345,县,,\n"
        "王五,13800000001,部,,\n"
        "\n"
        "赵六,8613807399999,乡,,\n",
    )
    result = await _import(uow_factory, path)
    assert [(e.line, say(e.problem, e.details)) for e in result.errors] == [
        (3, "姓名为空"),
        (4, "手机号“12345”格式不正确（应为 11 位手机号）"),
        (5, "层级“部”无效（应为 全国、省、市、县、乡 之一）"),
        (7, "手机号与第 2 行重复"),
    ]
    assert await _deputies(uow_factory) == []


async def test_english_header_and_gbk_csv_are_accepted(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "gbk.csv",
        "name,phone,level,constituency,station\n"
        "周敏,139 0739 1234,县级,隆回县桃洪镇选区,桃洪镇联络站\n",
        encoding="gb18030",
    )
    result = await _import(uow_factory, path)
    assert result.ok, result.errors
    assert await _deputies(uow_factory) == [("周敏", "13907391234", "县")]


async def test_missing_column_is_reported_on_the_header_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "h.csv", "姓名,电话,层级\n张三,13807390001,市\n")
    entries, errors = parse_registry(path)
    assert entries == []
    reason = say(errors[0].problem, errors[0].details)
    assert errors[0].line == 1 and "手机号" in reason and "选区" in reason


async def test_xlsx_with_numeric_phone_cells_imports(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "手机号", "层级", "选区", "联络站"])
    sheet.append(["欧阳华", 13807395555, "全国人大代表", "湖南省代表团", "邵阳市人大代表之家"])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = await _import(uow_factory, path)
    assert result.ok, result.errors
    assert await _deputies(uow_factory) == [("欧阳华", "13807395555", "全国")]


async def test_export_round_trips_through_import(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    await _import(uow_factory, SAMPLE)
    out = tmp_path / "export.xlsx"
    async with uow_factory() as uow:
        assert await RegistryService(uow).export_file(out) == 20
    header = next(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert header[:5] == ("姓名", "手机号", "层级", "选区", "联络站")
    again = await _import(uow_factory, out)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)


async def test_district_comes_from_the_constituency_or_station_even_on_a_fresh_database(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        assert await uow.directory.districts_by_name() == {}  # the bot never started here
    await _import(uow_factory, SAMPLE)
    async with uow_factory() as uow:
        names = {d.id: d.name for d in (await uow.directory.districts_by_name()).values()}
        found = {d.name: names.get(d.district_id or 0) for d in await uow.deputies.all()}
    assert found["刘建国"] is None  # 湖南省代表团, 邵阳市人大代表之家: the whole city
    assert found["曾宪文"] == "大祥区"  # 大祥区第二选区 / 大祥区红旗路街道代表联络站
    assert found["周志强"] == "大祥区"  # 邵阳市代表团: the station names the district
    assert sum(1 for name in found.values() if name) == 19


async def test_xlsx_export_names_district_and_status_in_readable_columns(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    await _import(uow_factory, SAMPLE)
    async with uow_factory() as uow:
        (first, *_) = await uow.deputies.all()
        first.active = False
        await uow.commit()
        out = tmp_path / "export.xlsx"
        await RegistryService(uow).export_file(out)
    sheet = load_workbook(out).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "手机号", "层级", "选区", "联络站", "区县", "状态", "绑定状态")
    assert rows[1][5:7] == (None, "停用") and rows[6][5:7] == ("大祥区", "在册")
    assert sheet.column_dimensions["E"].width >= 30 and sheet.column_dimensions["D"].width >= 20
    assert sheet.freeze_panes == "A2"


async def test_a_long_import_reports_its_progress(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    lines = ["姓名,手机号,层级,选区,联络站"]
    lines += [f"代表{i},139{i:08d},县,双清区第一选区,站" for i in range(2500)]
    seen: list[tuple[int, int]] = []
    async with uow_factory() as uow:
        result = await RegistryService(uow).import_file(
            _write(tmp_path / "big.csv", "\n".join(lines)),
            actor="test",
            progress=lambda done, total: seen.append((done, total)),
        )
    assert result.created == 2500
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]


async def test_changed_row_updates_the_deputy(
    uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> None:
    first = _write(tmp_path / "a.csv", "姓名,手机号,层级,选区,联络站\n张三,13807390001,县,甲,乙\n")
    second = _write(
        tmp_path / "b.csv", "姓名,手机号,层级,选区,联络站\n张三,13807390001,市,甲,丙\n"
    )
    await _import(uow_factory, first)
    result = await _import(uow_factory, second)
    assert (result.created, result.updated) == (0, 1)
    assert await _deputies(uow_factory) == [("张三", "13807390001", "市")]


def test_level_spellings() -> None:
    assert parse_level("全国人大代表") == "全国"
    assert parse_level("省级") == "省"
    assert parse_level("区") == "县"
    assert parse_level("乡（镇）") == "乡"
    assert parse_level("部") is None


async def test_corrections_export_writes_the_labelled_examples(
    uow_factory: UnitOfWorkFactory, sqlite_url: str, tmp_path: Path
) -> None:
    import json

    from bot.cli import export_corrections
    from bot.config import Settings
    from storage.models import LabelledExample

    async with uow_factory() as uow:
        uow.session.add(
            LabelledExample(text="电梯困人三小时", department_code="SJ", source="operator")
        )
        await uow.commit()
    out = tmp_path / "corrections.jsonl"
    settings = Settings(_env_file=None, database_url=sqlite_url)
    assert await export_corrections(settings, out) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows == [{"text": "电梯困人三小时", "department_code": "SJ", "title": None}]
