"""Reading and writing deputy registry files (CSV in UTF-8/GB18030, XLSX)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# Canonical column → accepted header spellings (Chinese as in the registry, English aliases).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "phone": ("手机号", "手机号码", "phone"),
    "level": ("层级", "level"),
    "constituency": ("选区", "选区/代表团", "代表团", "constituency"),
    "station": ("联络站", "代表联络站", "station"),
}
# The import header first (an export reads back as an import), then what the registry knows.
EXPORT_HEADER = ("姓名", "手机号", "层级", "选区", "联络站", "区县", "状态", "绑定状态")
# Column widths of the XLSX export, in characters (a Chinese character counts about two).
EXPORT_WIDTHS = (10, 14, 6, 22, 30, 14, 8, 10)
# A cell starting with one of these is run as a formula when Excel opens a CSV: the export
# writes such a text behind an apostrophe, and reading a file takes the apostrophe off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class RowProblem(StrEnum):
    """Why a registry file, or one of its rows, was refused (console/refusals.py words it)."""

    FILE_MISSING = "file_missing"  # details: path
    FILE_TYPE = "file_type"  # details: suffix
    UPLOAD_TYPE = "upload_type"  # an upload not named .csv or .xlsx
    FILE_EMPTY = "file_empty"
    ENCODING = "encoding"
    XLSX_UNREADABLE = "xlsx_unreadable"
    HEADER_MISSING = "header_missing"  # details: columns (the missing ones, in Chinese)
    NAME_EMPTY = "name_empty"
    NAME_TOO_LONG = "name_too_long"  # details: limit
    PHONE_EMPTY = "phone_empty"
    PHONE_INVALID = "phone_invalid"  # details: value
    LEVEL_INVALID = "level_invalid"  # details: value
    PLACE_TOO_LONG = "place_too_long"  # details: limit
    PHONE_DUPLICATE = "phone_duplicate"  # details: first_line


class RegistryFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""

    def __init__(self, problem: RowProblem, line: int = 0, **details: object) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.details = details
        self.line = line  # 1 for a header problem, 0 when no line is to blame


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the data rows as (line number, cells); the header is line 1."""
    if not path.is_file():
        raise RegistryFileError(RowProblem.FILE_MISSING, path=str(path))
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        rows = _csv_rows(path)
    else:
        raise RegistryFileError(RowProblem.FILE_TYPE, suffix=suffix)
    try:
        header = next(rows)
    except StopIteration:
        raise RegistryFileError(RowProblem.FILE_EMPTY) from None
    numbered = ((number, cells) for number, cells in enumerate(rows, start=2))
    return header, numbered


def map_header(header: Sequence[str]) -> dict[str, int]:
    """Column positions by canonical name; unknown extra columns are ignored."""
    wanted = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = wanted.get(title.strip().lower())
        if key and key not in positions:
            positions[key] = index
    missing = [COLUMNS[key][0] for key in COLUMNS if key not in positions]
    if missing:
        raise RegistryFileError(RowProblem.HEADER_MISSING, line=1, columns="、".join(missing))
    return positions


def write_rows(path: Path, rows: Sequence[Sequence[str]]) -> None:
    if path.suffix.lower() == ".xlsx":
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "代表信息库"
        sheet.append(list(EXPORT_HEADER))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"  # the header stays in view while scrolling
        for index, width in enumerate(EXPORT_WIDTHS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"  # "=…" stays text: openpyxl would write it as a formula
        sheet.auto_filter.ref = sheet.dimensions
        workbook.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel opens it right
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADER)
        writer.writerows([guard_formula(cell) for cell in row] for row in rows)


def _csv_rows(path: Path) -> Iterator[list[str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegistryFileError(RowProblem.ENCODING)
    for row in csv.reader(io.StringIO(text, newline="")):
        yield [_unguard(cell) for cell in row]


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise RegistryFileError(RowProblem.XLSX_UNREADABLE) from error
    sheet = workbook.worksheets[0]
    for values in sheet.iter_rows(values_only=True):
        yield [_unguard(_cell_text(value)) for value in values]
    workbook.close()


def guard_formula(text: str) -> str:
    """A cell Excel would run as a formula (= + - @ first) is kept as text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _unguard(text: str) -> str:
    """A cell the export guarded (or a person typed as '=…) reads as the text itself."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed as a number comes back as 13800000000.0
    return str(value)
