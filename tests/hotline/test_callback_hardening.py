"""The callback refuses what it must not store, even when the signature is right: other
content types, unknown statuses, over-long ids, text that is not Unicode, JSON nested to
exhaust the parser, times out of range, and events for reports never sent to the hotline.
Never a 5xx, and nothing changes."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from sqlalchemy import delete, select, update
from yarl import URL

from protocol.signing import signed_headers
from storage.models import OutboxMessage, Report, ReportStatus, Ticket
from storage.uow import UnitOfWorkFactory
from tests.hotline.conftest import SECRET, FileReport
from tests.hotline.test_callbacks import event, state, with_ticket


async def _send(
    http: aiohttp.ClientSession,
    url: str,
    body: bytes,
    *,
    content_type: str = "application/json",
    **header_changes: str,
) -> int:
    signed = signed_headers(SECRET, "POST", URL(url).raw_path_qs, body, key="evt")
    headers = {"Content-Type": content_type, **signed, **header_changes}
    async with http.post(url, data=body, headers=headers) as response:
        return response.status


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


ACCEPTED = event("evt_1", "已受理", "2026-12-03T10:00:00+08:00", action="accept")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_json({**ACCEPTED, "status": "HACKED"}), 422),
        (_json({**ACCEPTED, "event_id": "e" * 10_000}), 422),
        (_json({**ACCEPTED, "occurred_at": "0001-01-01T00:00:00+14:00"}), 422),
        (_json({**ACCEPTED, "occurred_at": "9999-12-31T23:59:59-14:00"}), 422),
        (_json({**ACCEPTED, "expected_at": "0001-01-01T00:00:00+01:00"}), 422),
        (b'{"event_id": "e1", "ticket_id": "T", "status": "\\ud800"}', 422),
        (json.dumps({**ACCEPTED, "note": "进展\ud800"}).encode(), 422),  # ASCII-escaped
        (b"[" * 100_000 + b"]" * 100_000, 400),
        (b"\xff\xfe not utf-8", 400),
        (b"not json", 400),
    ],
    ids=[
        "unknown-status",
        "long-event-id",
        "year-1",
        "year-9999",
        "expected-at",
        "lone-surrogate-status",
        "lone-surrogate-note",
        "deep-json",
        "not-utf8",
        "not-json",
    ],
)
async def test_a_signed_callback_with_bad_content_is_refused_and_stores_nothing(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    callback_url: str,
    http: aiohttp.ClientSession,
    body: bytes,
    expected: int,
) -> None:
    await with_ticket(seeded, await file_report())
    assert await _send(http, callback_url, body) == expected
    assert await state(seeded) == ("已提交", [])


async def test_other_content_types_and_absurd_timestamps_are_refused(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    callback_url: str,
    http: aiohttp.ClientSession,
) -> None:
    await with_ticket(seeded, await file_report())
    body = _json(ACCEPTED)
    assert await _send(http, callback_url, body, content_type="text/plain") == 415
    assert await _send(http, callback_url, body, **{"X-Timestamp": "9" * 400}) == 401
    assert await state(seeded) == ("已提交", [])


async def test_an_event_for_a_report_never_sent_creates_no_ticket(
    seeded: UnitOfWorkFactory,
    file_report: FileReport,
    callback_url: str,
    http: aiohttp.ClientSession,
) -> None:
    report_id = await file_report()
    async with seeded() as uow:  # the report went to 待人工分派 instead: nothing was sent
        await uow.session.execute(
            update(Report).where(Report.id == report_id).values(status=ReportStatus.TRIAGE)
        )
        await uow.session.execute(
            delete(OutboxMessage).where(OutboxMessage.report_id == report_id)
        )
        await uow.commit()
    assert await _send(http, callback_url, _json(ACCEPTED)) == 404
    async with seeded() as uow:
        assert (await uow.session.scalars(select(Ticket))).all() == []
