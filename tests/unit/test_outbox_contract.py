"""The outbox contract: every kind is stored and read back as the same typed value, with the
key recipe the hotline deduplicates by; rows queued before the contract are still sent."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.core.clock import CHINA_TIME
from bot.core.outbox import (
    CreateTicket,
    DeadlineAlert,
    DeadlineKind,
    DeputyUrge,
    LegacyCall,
    QueuedMessage,
    Reopen,
    ReopenCause,
    Reroute,
    RerouteCause,
    UnknownMessage,
    Withdraw,
    from_row,
    to_row,
)
from bot.hotline.notes import hotline_note
from storage.models import OutboxKind, OutboxMessage

DEADLINE = datetime(2026, 11, 30, 17, 30, tzinfo=CHINA_TIME)
EVERY_KIND: list[tuple[QueuedMessage, str, str]] = [
    (CreateTicket(7), OutboxKind.CREATE_TICKET, "report-7"),
    (Reopen(7, 1, ReopenCause.UNSATISFIED, "路灯还是不亮"), OutboxKind.REOPEN, "reopen-7-1"),
    (DeputyUrge(7, date(2026, 12, 3)), OutboxKind.URGE, "urge-7-20261203"),
    (
        DeadlineAlert(7, DeadlineKind.HANDLE, DEADLINE, overdue=True),
        OutboxKind.URGE,
        "deadline-overdue-7-handle-20261130093000",
    ),
    (Reroute(7, "JT", RerouteCause.TRIAGE, "", token="abc"), OutboxKind.REROUTE, "reroute-7-abc"),
    (Withdraw(7, "已自行解决"), OutboxKind.WITHDRAW, "withdraw-7"),
]


@pytest.mark.parametrize(("message", "action", "key"), EVERY_KIND)
def test_every_kind_is_read_back_as_it_was_queued(
    message: QueuedMessage, action: str, key: str
) -> None:
    row = to_row(message)
    assert (row.kind, row.idempotency_key, row.report_id) == (action, key, 7)
    assert from_row(row) == message


def test_two_reroutes_of_one_report_get_their_own_keys() -> None:
    first, second = (Reroute(7, "JT", RerouteCause.CORRECTION) for _ in range(2))
    assert first.key != second.key


def test_the_hotline_reads_words_rendered_from_the_data() -> None:
    assert hotline_note(Reopen(7, 2, ReopenCause.RECURRENCE)).startswith("复发")
    assert "17:30" in hotline_note(DeadlineAlert(7, DeadlineKind.ACCEPT, DEADLINE, False))
    assert hotline_note(Reroute(7, "JT", RerouteCause.CORRECTION)) == "人大代表工委更正承办单位"
    assert hotline_note(Reroute(7, "JT", RerouteCause.TRIAGE, "道路归交通")) == "道路归交通"
    assert "已自行解决" in hotline_note(Withdraw(7, "已自行解决"))


def test_a_row_queued_before_the_contract_is_sent_as_written() -> None:
    row = OutboxMessage(
        kind=OutboxKind.REROUTE,
        idempotency_key="reroute-7-old",
        report_id=7,
        payload={"department_code": "JT", "note": "道路归交通"},
    )
    assert from_row(row) == LegacyCall(OutboxKind.REROUTE, 7, "道路归交通", "JT")


def test_a_row_no_kind_can_read_is_refused_by_name() -> None:
    row = OutboxMessage(kind="teleport", idempotency_key="x", report_id=7, payload={})
    with pytest.raises(UnknownMessage, match="teleport"):
        from_row(row)
    broken = to_row(DeputyUrge(7, date(2026, 12, 3)))
    broken.payload = {**broken.payload, "day": "yesterday"}
    with pytest.raises(UnknownMessage):
        from_row(broken)
