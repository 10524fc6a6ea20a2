"""Open311 tokens: a POST answered with a token (the spec's deferred ids) resolves to the
ticket's id once the token is `resolvable_at` (open311_token_delay_s later)."""

from __future__ import annotations

import secrets
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.db import open311_tokens, tickets
from intake.timeutil import utcnow


class Open311Tokens:
    def __init__(self, engine: AsyncEngine, write_lock: AbstractAsyncContextManager[Any]) -> None:
        self.engine = engine
        self.write_lock = write_lock

    async def create_token(self, ticket_id: int, delay_s: float) -> str:
        token = secrets.token_hex(12)
        now = utcnow()
        async with self.write_lock, self.engine.begin() as conn:
            await conn.execute(
                insert(open311_tokens).values(
                    token=token,
                    ticket_id=ticket_id,
                    created_at=now,
                    resolvable_at=now + timedelta(seconds=delay_s),
                )
            )
        return token

    async def token_for_ticket(self, ticket_id: int) -> str | None:
        async with self.engine.connect() as conn:
            row = await conn.execute(
                select(open311_tokens.c.token).where(open311_tokens.c.ticket_id == ticket_id)
            )
            return row.scalars().first()

    async def resolve_token(self, token: str) -> tuple[bool, str | None]:
        """(known?, ticket_no once resolvable)."""
        query = (
            select(open311_tokens.c.resolvable_at, tickets.c.ticket_no)
            .join(tickets, tickets.c.id == open311_tokens.c.ticket_id)
            .where(open311_tokens.c.token == token)
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return False, None
        return True, (row.ticket_no if row.resolvable_at <= utcnow() else None)
