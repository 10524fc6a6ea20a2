"""What each claimed outbox message asks of the hotline, read in one transaction: a ticket
request, a follow-up call on a ticket the hotline holds, a wait behind an earlier message of
the same report, or nothing to send (settled with a status)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.outbox import (
    FOLLOW_UPS,
    LegacyCall,
    Reroute,
    Supervise,
    UnknownMessage,
    from_row,
)
from bot.hotline.gateway import PhotoFile, Reporter, RoutingSuggestion, TicketRequest
from bot.hotline.notes import hotline_note
from storage.models import (
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    ReportPhoto,
    ReportStatus,
    RoutingDecision,
    RoutingMethod,
    Ticket,
)
from storage.repositories.tickets import TicketContext
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class FollowUp:
    """A call about a ticket the hotline already holds (reopen, urge, reroute, withdraw,
    supervise)."""

    kind: str
    external_id: str
    text: str
    idempotency_key: str
    department_code: str = ""
    deadline: datetime | None = None  # the new deadline of a 督办


@dataclass(frozen=True)
class Wait:
    """An earlier message of the same report is still pending: this one goes after it."""

    until: datetime


@dataclass(frozen=True)
class Skip:
    """The message needs no call: it is settled with this status and reason."""

    status: str
    reason: str | None = None


Step = TicketRequest | FollowUp | Skip | Wait


class RequestBuilder:
    """Reads what a round of messages needs from the database and turns each into a Step."""

    def __init__(self, adapter: str, clock: Callable[[], datetime], base_delay: float) -> None:
        self._adapter = adapter
        self._clock = clock
        self._base_delay = base_delay

    async def prepare(
        self, uow: UnitOfWork, messages: list[OutboxMessage]
    ) -> tuple[list[Step], dict[int, tuple[Ticket, TicketContext]]]:
        """A step per message, and the tickets a callback recorded for creates still open
        (the caller starts their clocks: delivery is when the hotline's clock starts)."""
        repo = uow.outbox
        report_ids = [m.report_id for m in messages if m.report_id is not None]
        creates = [
            m.report_id for m in messages if m.kind == OutboxKind.CREATE_TICKET and m.report_id
        ]
        contexts = await repo.ticket_contexts(creates)
        photos = await repo.photos([r for r, c in contexts.items() if c.has_photos])
        tickets = await repo.tickets(report_ids)
        decisions = await uow.review.decisions_of(creates)
        # A message that failed and waits for its retry (in an earlier round or pass) holds
        # back the later ones of its report: two 改派 must reach the hotline in their order.
        first_pending = await repo.first_pending(report_ids)
        steps: list[Step] = []
        recorded: dict[int, tuple[Ticket, TicketContext]] = {}
        for message in messages:
            report_id = message.report_id or 0
            earlier = first_pending.get(report_id)
            if earlier is not None and earlier.id < message.id:
                # Not before the earlier one's retry, nor at once: it may be on the wire now.
                soonest = self._clock() + timedelta(seconds=self._base_delay)
                steps.append(Wait(max(earlier.next_attempt_at, soonest)))
            elif message.kind in FOLLOW_UPS:
                steps.append(self._follow_up(message, tickets.get(report_id)))
            elif message.kind != OutboxKind.CREATE_TICKET:
                steps.append(Skip(OutboxStatus.DEAD, f"unsupported kind {message.kind!r}"))
            else:
                context, ticket = contexts.get(report_id), tickets.get(report_id)
                if context is not None and ticket is not None:
                    recorded[report_id] = (ticket, context)
                steps.append(
                    ticket_request(
                        message,
                        context,
                        ticket,
                        photos.get(report_id, []),
                        decisions.get(report_id),
                    )
                )
        return steps, recorded

    def _follow_up(self, message: OutboxMessage, ticket: Ticket | None) -> FollowUp | Skip:
        if ticket is None or not ticket.external_id:
            return Skip(OutboxStatus.DEAD, "report has no hotline ticket")
        if ticket.adapter != self._adapter:
            return Skip(OutboxStatus.DEAD, f"ticket belongs to adapter {ticket.adapter!r}")
        try:
            decoded = from_row(message)
        except UnknownMessage as error:
            return Skip(OutboxStatus.DEAD, str(error))
        department = decoded.department_code if isinstance(decoded, Reroute | LegacyCall) else ""
        return FollowUp(
            kind=message.kind,
            external_id=ticket.external_id,
            text=hotline_note(decoded),
            idempotency_key=message.idempotency_key,
            department_code=department,
            deadline=decoded.deadline if isinstance(decoded, Supervise) else None,
        )


def ticket_request(
    message: OutboxMessage,
    context: TicketContext | None,
    ticket: Ticket | None,
    photos: list[ReportPhoto],
    decision: RoutingDecision | None = None,
) -> TicketRequest | Skip:
    if context is None:
        return Skip(OutboxStatus.DEAD, "report not found")
    report, department, deputy, district = (
        context.report,
        context.department,
        context.deputy,
        context.district,
    )
    if report.status == ReportStatus.WITHDRAWN:
        return Skip(OutboxStatus.CANCELLED, "report withdrawn")
    if ticket is not None:
        return Skip(OutboxStatus.DELIVERED)  # an earlier attempt's ticket is recorded
    if department is None or deputy is None:
        return Skip(OutboxStatus.DEAD, "report has no department or deputy")
    return TicketRequest(
        idempotency_key=message.idempotency_key,
        report_number=report.number,
        department_code=department.code,
        summary=report.summary or report.text[:40],
        text=report.text,
        appeal_type=report.appeal_type,
        urgency=report.urgency,
        reporter=Reporter(
            name=deputy.name,
            phone=deputy.phone,
            level=deputy.level,
            station=deputy.station or None,
        ),
        district=district.name if district else None,
        town=report.town,
        address=report.address,
        latitude=report.latitude,
        longitude=report.longitude,
        photos=tuple(
            PhotoFile(path=Path(photo.local_path), filename=f"{report.number}-{n}.jpg")
            for n, photo in enumerate(photos, start=1)
            if photo.local_path
        ),
        submitted_at=report.created_at,
        routing=routing_of(decision, department.code),
    )


def routing_of(decision: RoutingDecision | None, department_code: str) -> RoutingSuggestion | None:
    """What the router said, for the hotline's dispatchers: unsure suggestions are marked."""
    if decision is None:
        return None
    candidates: list[dict[str, Any]] = [
        c for c in decision.candidates or [] if isinstance(c, dict)
    ]
    chosen = next((c for c in candidates if c.get("department_code") == department_code), {})
    evidence: list[Any] = chosen.get("evidence") or []
    reasons = [
        _reason(e)
        for e in evidence
        if isinstance(e, dict) and e.get("term") and float(e.get("weight") or 0) > 0
    ]
    return RoutingSuggestion(
        department_code=department_code,
        confidence=round(float(decision.confidence or 0.0), 4),
        unsure=decision.method == RoutingMethod.SUGGESTED,
        candidates=tuple(
            (str(c.get("department_code")), round(float(c.get("confidence") or 0.0), 4))
            for c in candidates[:3]
        ),
        reasons=tuple(dict.fromkeys(reasons))[:3],
    )


def _reason(evidence: dict[str, Any]) -> str:
    """One reason as the dispatcher reads it: a 派单目录 matter with the report's words that
    matched it (“路灯”“坏了”→ 事项“路灯不亮或损坏”), a unit the deputy named, or the word."""
    term = str(evidence.get("term"))
    if evidence.get("source") == "matter" and evidence.get("matched"):
        raw = evidence.get("words")
        words = [str(w) for w in raw] if isinstance(raw, list | tuple) and raw else [term]
        return "".join(f"“{w}”" for w in words) + f"→ 事项“{evidence.get('matched')}”"
    if evidence.get("source") == "alias":
        return f"点名“{term}”"
    return term
