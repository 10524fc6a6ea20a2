"""Calendar buckets and durations as SQL expressions, for SQLite and PostgreSQL alike.

Reports are read in China time (UTC+8, no daylight saving), so a ticket created at 23:30 UTC on
31 March belongs to April. Constants are rendered as literals, not bound parameters: PostgreSQL
refuses a GROUP BY whose expression carries different parameter placeholders than the SELECT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, cast, extract, func, literal_column
from sqlalchemy.sql.elements import ColumnElement


def month(dialect: str, column: Any) -> ColumnElement[str]:
    """'YYYY-MM' of a UTC timestamp column, in China time."""
    if dialect == "sqlite":
        return func.strftime(literal_column("'%Y-%m'"), column, literal_column("'+8 hours'"))
    return func.to_char(_china(column), literal_column("'YYYY-MM'"))


def week(dialect: str, column: Any) -> ColumnElement[str]:
    """'YYYY-MM-DD' of the Monday starting the (China time) week of a UTC timestamp column."""
    if dialect == "sqlite":
        # 'weekday 0' moves forward to Sunday (or stays), minus six days is that week's Monday.
        return func.date(
            column,
            literal_column("'+8 hours'"),
            literal_column("'weekday 0'"),
            literal_column("'-6 days'"),
        )
    return func.to_char(
        func.date_trunc(literal_column("'week'"), _china(column)),
        literal_column("'YYYY-MM-DD'"),
    )


def seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[float]:
    """end - start in seconds, as a float."""
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * literal_column("86400.0")
    return cast(extract("epoch", end - start), Float)


def _china(column: Any) -> ColumnElement[Any]:
    # timestamptz → local timestamp in UTC, plus the fixed offset: no time zone database needed.
    return func.timezone(literal_column("'UTC'"), column) + literal_column("interval '8 hours'")
