"""Tables the console shows and lets people download: one `Table` renders as HTML (macro
`stat_table` in _stats.html) and exports as CSV or XLSX with the same columns, so a download
always matches the page.

A rate column downloads as the rate plus the counts it comes from (numerator, denominator), so a
reader can re-add groups; an empty rate (0 denominator) is "—" on the page and in downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from aiohttp import web
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.services.deputies.registry_files import guard_formula
from bot.services.statistics.rate import Rate
from console.statistics_texts import NO_DATA, percent

Cell = str | int | float | Rate | None
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | count | rate | hours
    # For a rate, the titles of its numerator and denominator in downloads ("" leaves one out).
    parts: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class Table:
    key: str  # in the export URL: …/export/{key}.xlsx
    title: str  # the heading, the sheet name and part of the file name
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]]
    notes: dict[str, str] = field(default_factory=dict)  # definitions, on a second XLSX sheet

    def header(self) -> list[str]:
        titles: list[str] = []
        for column in self.columns:
            titles.append(column.title)
            if column.kind == "rate":
                titles.extend(part for part in column.parts if part)
        return titles

    def values(self, row: Sequence[Cell]) -> list[Cell]:
        """A row as downloaded: each rate followed by the counts it comes from."""
        values: list[Cell] = []
        for column, cell in zip(self.columns, row, strict=True):
            if isinstance(cell, Rate):
                values.append(cell)
                numerator, denominator = column.parts
                values.extend(
                    count
                    for part, count in ((numerator, cell.hits), (denominator, cell.total))
                    if part
                )
            elif column.kind == "hours" and isinstance(cell, float):
                values.append(round(cell, 1))
            else:
                values.append(cell)
        return values


def csv_bytes(table: Table) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese text correctly; rates as on the page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header())
    for row in table.rows:
        writer.writerow([_csv_text(value) for value in table.values(row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table, *, subtitle: str = "") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = _sheet_title(table.title)
    sheet.append(table.header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in table.rows:
        values = table.values(row)
        sheet.append([_xlsx_value(value) for value in values])
        for index, value in enumerate(values, start=1):
            if isinstance(value, Rate) and value.value is not None:
                sheet.cell(row=sheet.max_row, column=index).number_format = "0.0%"
    for index, title in enumerate(table.header(), start=1):
        width = max(10, min(40, len(title) * 2 + 2))  # a Chinese character is two columns wide
        sheet.column_dimensions[get_column_letter(index)].width = width
    if table.notes or subtitle:
        notes = workbook.create_sheet("口径说明")
        if subtitle:
            notes.append(["统计条件", subtitle])
        for term, definition in table.notes.items():
            notes.append([term, definition])
        notes.column_dimensions["A"].width = 16
        notes.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(table: Table, fmt: str, filename: str, *, subtitle: str = "") -> web.Response:
    """The table as an attachment named `filename` + .csv/.xlsx (Chinese allowed)."""
    if fmt == "xlsx":
        body, content_type = xlsx_bytes(table, subtitle=subtitle), XLSX_TYPE
    else:
        body, content_type = csv_bytes(table), "text/csv"
    name = f"{filename}.{fmt}"
    ascii_name = f"{table.key}.{fmt}"  # for clients that ignore filename*
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    response = web.Response(body=body, content_type=content_type)
    if fmt == "csv":
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "no-store"  # figures change; never serve a stale file
    return response


def _csv_text(value: Cell) -> str | int | float:
    if isinstance(value, Rate):
        return percent(value)
    if value is None:
        return NO_DATA
    return guard_formula(value) if isinstance(value, str) else value


def _xlsx_value(value: Cell) -> str | int | float:
    """A rate as a number (shown as a percentage); an empty one as "—"."""
    if isinstance(value, Rate):
        value = value.value
    if value is None:
        return NO_DATA
    return guard_formula(value) if isinstance(value, str) else value


def _sheet_title(title: str) -> str:
    for forbidden in "[]:*?/\\":
        title = title.replace(forbidden, " ")
    return title[:31] or "Sheet"
