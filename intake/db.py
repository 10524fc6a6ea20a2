"""The intake server's own schema (SQLAlchemy Core, own MetaData, create_all at start-up)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    inspect,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

metadata = MetaData()

tickets = Table(
    "intake_tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    # Public work-order number (also the Open311 service_request_id); set right after insert.
    Column("ticket_no", String(32), unique=True, nullable=False),
    # The bot's report id: the unique constraint is what makes retried creates safe.
    Column("idempotency_key", String(128), unique=True, nullable=False),
    Column("source", String(16), nullable=False, default="api"),  # api | open311
    Column("report_number", String(64)),
    Column("department_code", String(32), nullable=False, index=True),
    Column("summary", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("appeal_type", String(8)),
    Column("urgency", String(8)),
    Column("district", String(64)),
    Column("town", String(64)),
    Column("address", String(255)),
    Column("lat", Float),
    Column("long", Float),
    Column("reporter_name", String(64)),
    Column("reporter_phone", String(32)),
    Column("reporter_level", String(32)),
    Column("reporter_station", String(128)),
    Column("reporter_email", String(128)),
    # [{"filename", "content_type", "size", "path"} | {"url"}]: photos on disk or media_url refs
    Column("media", JSON, nullable=False, default=list),
    Column("status", String(8), nullable=False, index=True),
    Column("answer", Text),
    Column("last_note", Text),  # latest operator note or answer → Open311 status_notes
    Column("submitted_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("expected_at", DateTime),
    Column("reopen_count", Integer, nullable=False, default=0),
    # The sender's routing: {department_code, confidence, unsure, candidates, evidence}; with
    # unsure the queue shows the department as 建议承办单位（待确认） for a dispatcher to confirm.
    Column("routing", JSON),
)

events = Table(
    "intake_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(64), unique=True, nullable=False),
    Column("ticket_id", Integer, ForeignKey("intake_tickets.id"), nullable=False, index=True),
    Column("action", String(16), nullable=False),
    Column("status", String(8), nullable=False),  # the ticket's status after this event
    Column("note", Text),
    Column("answer", Text),
    Column("operator", String(64)),
    Column("department_code", String(32)),
    Column("expected_at", DateTime),
    # Reopen requests carry the caller's key, so a retried reopen is not a second reopen.
    Column("idempotency_key", String(128), unique=True),
    Column("created_at", DateTime, nullable=False),
)

open311_tokens = Table(
    "intake_open311_tokens",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("ticket_id", Integer, ForeignKey("intake_tickets.id"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    # Until then GET tokens/{token}.json has no service_request_id yet (spec's async flow).
    Column("resolvable_at", DateTime, nullable=False),
)

# Outgoing callbacks (an outbox): in the DB so that undelivered events survive a restart.
callbacks = Table(
    "intake_callbacks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(64), unique=True, nullable=False),
    Column("ticket_id", Integer, nullable=False),  # events of one ticket are delivered in order
    Column("payload", Text, nullable=False),  # frozen JSON body: retries send the same bytes
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False, index=True),
    Column("delivered", Boolean, nullable=False, default=False, index=True),
    Column("delivered_at", DateTime),
    Column("gave_up", Boolean, nullable=False, default=False),
    Column("last_error", String(500)),
)

# Operator accounts of the console (python -m intake accounts add …); one per case-folded name.
operators = Table(
    "intake_operators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),  # as created, NFKC-normalised and trimmed
    Column("username_key", String(64), unique=True, nullable=False),  # case-folded: one account
    Column("role", String(16), nullable=False),  # call_taker | dispatcher | admin
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
)

# Server-side sessions: the cookie holds a random token, this table only its SHA-256 hash.
operator_sessions = Table(
    "intake_operator_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), unique=True, nullable=False),
    Column("operator_id", Integer, ForeignKey("intake_operators.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),  # every POST form of the session echoes it
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

# Who did what in the console: sign-ins, failures, locks, ticket actions, account changes.
audit_log = Table(
    "intake_audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("operator", String(64)),  # the account's name (or the name typed, for a failure)
    Column("action", String(32), nullable=False),
    Column("ticket_no", String(32)),
    Column("detail", JSON),
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the console read while the dispatcher writes; busy_timeout absorbs brief locks.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


async def open_engine(db_url: str) -> AsyncEngine:
    engine = create_async_engine(db_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.run_sync(_add_missing_columns)
    return engine


def db_url_for(path: str) -> str:
    """A SQLAlchemy URL as given, or a SQLite file path (its folder made if missing)."""
    if "://" in path:
        return path
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{Path(path).resolve()}"


def _add_missing_columns(conn: Any) -> None:
    """A database from an earlier version gets the nullable columns added since (the
    reference intake has no migrations: its schema only ever grows)."""
    inspector = inspect(conn)
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
