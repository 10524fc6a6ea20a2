"""What every handler needs, stored on the aiohttp app under CTX."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from intake.departments import Directory
from intake.open311_quirks import Open311Quirks
from intake.operators import OperatorAccounts
from intake.store import TicketStore
from intake.tokens import Open311Tokens


@dataclass
class Settings:
    secret: str
    callback_url: str | None = None
    open311_api_key: str | None = None
    open311_mode: str = "token"  # "token": POST returns a token | "direct": the id at once
    open311_token_delay_s: float = 0.0
    open311_open: bool = False  # POST requests.json without an api_key (OPEN311_OPEN=true)
    jurisdiction_id: str = "shaoyang"
    open311_quirks: Open311Quirks = field(default_factory=Open311Quirks)


@dataclass
class Context:
    settings: Settings
    store: TicketStore
    tokens: Open311Tokens
    directory: Directory
    media_dir: Path
    accounts: OperatorAccounts


CTX = web.AppKey("intake_context", Context)


def media_url(base: str, ticket_no: str, entry: dict, number: int) -> str:
    """Public URL of one media entry: an external media_url as given, or our stored photo."""
    if entry.get("url"):
        return str(entry["url"])
    return f"{base}/console/media/{ticket_no}/{number}"


def json_response(
    data: object, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON with readable Chinese (no \\u escapes), UTF-8."""
    return web.json_response(
        data,
        status=status,
        headers=headers,
        dumps=lambda value: json.dumps(value, ensure_ascii=False),
    )
