"""The 督办 desk's actions (admin console, operator and up): flag a case by hand, 发起督办 (a
formal notice with a new deadline through the outbox), 记录联系, 转交 to a colleague, and
办结督办 with the outcome. The deputy is told when 督办 starts and when it ends.

Each action is one transaction with its audit entry; the deputy's notice goes after the
commit, and a lost notice never undoes the action (the caller shows whether it went out)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.core.outbox import Supervise, to_row
from bot.services.notices import Notifier, SupervisionChanged
from bot.services.supervision.detection import note_trigger
from storage.base import utcnow
from storage.models import (
    Report,
    SupervisionCase,
    SupervisionNote,
    SupervisionNoteKind,
    SupervisionState,
    SupervisionTrigger,
)
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_NOTE = 1000


class DeskError(Exception):
    """An action the case does not allow, or bad input (message in Chinese)."""


@dataclass(frozen=True)
class DeskDone:
    case_id: int
    number: str
    told: bool = False  # the deputy was told (start and close only)


class SupervisionDesk:
    def __init__(
        self,
        uow: UnitOfWork,
        notifier: Notifier | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._notifier = notifier
        self._clock = clock

    async def flag(self, number: str, *, actor: str, note: str = "") -> DeskDone:
        """An admin puts a report on the desk by hand (by its number)."""
        report = await self._uow.reports.by_number(number.strip())
        if report is None:
            raise DeskError(f"没有编号为「{number.strip()}」的反映。")
        note = _checked(note, required=False)
        added = await note_trigger(
            self._uow, report.id, SupervisionTrigger.FLAGGED, author=actor, text=note
        )
        if not added:
            raise DeskError("该反映已由管理员标记督办。")
        case = await self._case_of(report.id)
        self._audit(actor, "supervision.flag", case, {"note": note})
        await self._uow.commit()
        return DeskDone(case.id, report.number)

    async def start(self, case_id: int, deadline: datetime, note: str, *, actor: str) -> DeskDone:
        """发起督办: the notice goes to the hotline; our deadline is the new one at once."""
        case, report = await self._open_case(case_id)
        note = _checked(note, required=True, what="督办意见")
        deadline = deadline.astimezone(UTC)  # stored and sent as one instant, in UTC
        if deadline <= self._clock():
            raise DeskError("督办期限必须晚于当前时间。")
        ticket = await self._uow.reports.ticket(report.id)
        if ticket is None or not ticket.external_id:
            raise DeskError("该反映尚未送达 12345 热线，无法发起督办。")
        self._uow.outbox.add(to_row(Supervise(report.id, case.id, deadline, note)))
        ticket.due_at = deadline
        ticket.escalated = True
        case.state = SupervisionState.SUPERVISING.value
        case.new_deadline = deadline
        case.started_at = case.started_at or self._clock()
        case.assignee = case.assignee or actor.removeprefix("console:")  # the username
        self._note(case, SupervisionNoteKind.NOTICE, actor, note)
        self._audit(actor, "supervision.start", case, {"deadline": deadline.isoformat()})
        await self._uow.commit()
        told = await self._tell(
            report, SupervisionChanged(report.number, _summary(report), True, deadline)
        )
        return DeskDone(case.id, report.number, told)

    async def contact(self, case_id: int, note: str, *, actor: str) -> DeskDone:
        """记录联系: a call or a visit, kept on the case (never sent to the deputy)."""
        case, report = await self._open_case(case_id)
        note = _checked(note, required=True, what="联系记录")
        self._note(case, SupervisionNoteKind.CONTACT, actor, note)
        self._audit(actor, "supervision.contact", case, {})
        await self._uow.commit()
        return DeskDone(case.id, report.number)

    async def hand_over(self, case_id: int, assignee: str, note: str, *, actor: str) -> DeskDone:
        """转交: a named colleague (an active console account) takes the case."""
        case, report = await self._open_case(case_id)
        user = await self._uow.console.user_by_name(assignee.strip())
        if user is None or not user.active or user.role == "viewer":
            raise DeskError(f"没有可承接督办的账号「{assignee.strip()}」。")
        if case.assignee == user.username:
            raise DeskError(f"该案件已由 {user.username} 负责。")
        note = _checked(note, required=False)
        before = case.assignee
        case.assignee = user.username
        text = f"转交给 {user.username}" + (f"：{note}" if note else "")
        self._note(case, SupervisionNoteKind.HANDOVER, actor, text)
        self._audit(actor, "supervision.hand_over", case, {"from": before, "to": user.username})
        await self._uow.commit()
        return DeskDone(case.id, report.number)

    async def close(self, case_id: int, outcome: str, *, actor: str) -> DeskDone:
        """办结督办 with the outcome, which the deputy is told."""
        case, report = await self._open_case(case_id)
        outcome = _checked(outcome, required=True, what="督办结果")
        case.state = SupervisionState.CLOSED.value
        case.outcome = outcome
        case.closed_at = self._clock()
        self._note(case, SupervisionNoteKind.CLOSE, actor, outcome)
        self._audit(actor, "supervision.close", case, {"outcome": outcome})
        await self._uow.commit()
        notice = SupervisionChanged(report.number, _summary(report), False, outcome=outcome)
        return DeskDone(case.id, report.number, await self._tell(report, notice))

    # -- helpers ------------------------------------------------------------------------

    async def _open_case(self, case_id: int) -> tuple[SupervisionCase, Report]:
        case = await self._uow.supervision.get(case_id)
        if case is None:
            raise DeskError("督办案件不存在。")
        if case.state == SupervisionState.CLOSED.value:
            raise DeskError("该督办已办结。")
        report = await self._uow.reports.get(case.report_id)
        if report is None:
            raise DeskError("督办案件不存在。")
        return case, report

    async def _case_of(self, report_id: int) -> SupervisionCase:
        case = await self._uow.supervision.case_of_report(report_id)
        assert case is not None  # note_trigger made it
        return case

    def _note(
        self, case: SupervisionCase, kind: SupervisionNoteKind, actor: str, text: str
    ) -> None:
        self._uow.supervision.add_note(
            SupervisionNote(case_id=case.id, kind=kind.value, author=actor, text=text)
        )

    def _audit(
        self, actor: str, action: str, case: SupervisionCase, after: dict[str, object]
    ) -> None:
        self._uow.audit.record(
            actor, action, entity="supervision_case", entity_id=case.id, after=after
        )

    async def _tell(self, report: Report, notice: SupervisionChanged) -> bool:
        deputy = await self._uow.deputies.get(report.deputy_id)
        if self._notifier is None or deputy is None or deputy.telegram_user_id is None:
            return False
        try:
            await self._notifier.notify(deputy.telegram_user_id, notice)
        except Exception:  # the action stands; a lost notice must not undo it
            log.exception("telling the deputy about 督办 of %s failed", report.number)
            return False
        return True


def _summary(report: Report) -> str:
    return report.summary or report.text[:40]


def _checked(text: str, *, required: bool, what: str = "说明") -> str:
    text = text.strip()
    if required and not text:
        raise DeskError(f"请填写{what}。")
    if len(text) > MAX_NOTE:
        raise DeskError(f"{what}过长（{len(text)} 字），最多 {MAX_NOTE} 字。")
    return text
