"""Which reports need the congress's attention, and why.

Run as a periodic job (bot.services.jobs) so every trigger is found whatever recorded it — a
rating in chat, a hotline callback, an outbox urge — without each writer knowing the desk.
A case is one per report: a new trigger adds its reason; a closed case triggered by a reason
it did not have opens again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.models import (
    TRIGGER_LABELS,
    SupervisionCase,
    SupervisionNote,
    SupervisionNoteKind,
    SupervisionState,
    SupervisionTrigger,
)
from storage.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class SupervisionRules:
    """Thresholds from settings (SUPERVISION_*)."""

    overdue_margin: timedelta = timedelta(hours=24)
    urge_times: int = 3
    unsatisfied_times: int = 2
    returned_times: int = 2


@dataclass(frozen=True)
class DetectionPass:
    opened: int
    reasons_added: int


async def note_trigger(
    uow: UnitOfWork,
    report_id: int,
    trigger: SupervisionTrigger,
    *,
    author: str = "",
    text: str = "",
) -> bool:
    """Put `report_id` on the desk for `trigger`; False when the case already had that reason.

    Does not commit: the caller's unit of work does, with whatever recorded the event."""
    case = await uow.supervision.case_of_report(report_id)
    if case is None:
        ticket = await uow.reports.ticket(report_id)
        case = SupervisionCase(
            report_id=report_id,
            reasons=[trigger.value],
            state=SupervisionState.OPEN.value,
            department_id=ticket.department_id if ticket is not None else None,
        )
        uow.supervision.add(case)
        await uow.session.flush()
    elif trigger.value in case.reasons:
        return False
    else:
        case.reasons = [*case.reasons, trigger.value]  # a new list: JSON columns track assignment
        if case.state == SupervisionState.CLOSED.value:
            case.state = SupervisionState.OPEN.value
            case.closed_at = None
    uow.supervision.add_note(
        SupervisionNote(
            case_id=case.id,
            kind=SupervisionNoteKind.TRIGGER.value,
            author=author,
            text=text or TRIGGER_LABELS[trigger],
        )
    )
    return True


class SupervisionDetector:
    """The periodic pass: every trigger's query, then one case per report."""

    def __init__(self, uow_factory: UnitOfWorkFactory, rules: SupervisionRules) -> None:
        self._uow_factory = uow_factory
        self._rules = rules

    async def run_once(self, now: datetime) -> DetectionPass:
        rules = self._rules
        async with self._uow_factory() as uow:
            repo = uow.supervision
            found: list[tuple[SupervisionTrigger, list[int]]] = [
                (
                    SupervisionTrigger.SECOND_UNSATISFIED,
                    await repo.unsatisfied_at_least(rules.unsatisfied_times),
                ),
                (
                    SupervisionTrigger.OVERDUE,
                    await repo.overdue_before(now - rules.overdue_margin),
                ),
                (SupervisionTrigger.URGED, await repo.urged_at_least(rules.urge_times)),
                (
                    SupervisionTrigger.RETURNED_TWICE,
                    await repo.returned_at_least(rules.returned_times),
                ),
                (SupervisionTrigger.RECURRENCE, await repo.recurred()),
            ]
            existing = await repo.cases_of_reports(
                sorted({report_id for _, ids in found for report_id in ids})
            )
            opened = added = 0
            for trigger, report_ids in found:
                for report_id in report_ids:
                    case = existing.get(report_id)
                    if case is not None and trigger.value in case.reasons:
                        continue
                    if await note_trigger(uow, report_id, trigger, author="system"):
                        added += 1
                        if case is None:
                            opened += 1
                            existing[report_id] = await _required(uow, report_id)
            if added:
                uow.audit.record(
                    "system", "supervision.detect", after={"opened": opened, "reasons": added}
                )
                await uow.commit()
        return DetectionPass(opened=opened, reasons_added=added)


async def _required(uow: UnitOfWork, report_id: int) -> SupervisionCase:
    case = await uow.supervision.case_of_report(report_id)
    assert case is not None  # just added and flushed
    return case
