"""Callback delivery: retries with the same event_id, and the outbox survives a restart."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp

from intake import RunningIntake, start_intake
from tests.intake.conftest import SECRET, Receiver, create_ticket


async def test_retries_until_success_with_same_event_id(
    http: aiohttp.ClientSession, intake: RunningIntake, receiver: Receiver
) -> None:
    receiver.fail_first = 2
    created = await create_ticket(http, intake, key="retry-me")
    await intake.store.act(created["ticket_id"], "accept", operator="张三")
    delivered = await receiver.wait_for(2)
    # the first event was tried three times with one event_id, then accepted exactly once
    first_id = delivered[0]["event_id"]
    assert [a["event_id"] for a in receiver.attempts[:3]] == [first_id] * 3
    assert [c["status"] for c in delivered] == ["已提交", "已受理"]
    assert len({c["event_id"] for c in delivered}) == 2
    assert receiver.attempts[0] == receiver.attempts[2]  # same body on every retry


def _dead_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/nobody-home"


async def test_queue_survives_restart(
    http: aiohttp.ClientSession, db_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    first = await start_intake(
        db_url=db_url, secret=SECRET, callback_url=_dead_port_url(), callback_backoff_base_s=0.05
    )
    try:
        created = await create_ticket(http, first, key="survivor")
    finally:
        await first.close()
    second = await start_intake(
        db_url=db_url, secret=SECRET, callback_url=receiver.url, callback_backoff_base_s=0.05
    )
    try:
        # the row from the first run has a back-off pending; it still goes out
        [event] = await receiver.wait_for(1)
        assert event["ticket_id"] == created["ticket_id"]
        assert event["status"] == "已提交"
    finally:
        await second.close()
