"""The words of the notices a deputy gets outside a conversation (bot/services/notices.py):
the hotline moved a report, a 延期, a missed deadline, an admin's 人工分派. Hotline notes and
answers are outside input: escaped, and cut so a notice always fits one message."""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import CHINA_TIME
from bot.core.outbox import DeadlineKind
from bot.services.notices import (
    AssignedByStaff,
    DeadlineMissed,
    DeliveryArrived,
    DeliveryDelayed,
    DeputyNotice,
    ExtensionChanged,
    StatusChanged,
    SupervisionChanged,
)
from bot.texts import esc

_CHANGES: dict[str, str] = {
    "已受理": "您反映的事项已被 12345 热线受理。",
    "已派单": "您反映的事项已派单至{department}办理。",
    "办理中": "您反映的事项正在办理中。",
    "已答复": "您反映的事项已答复。",
    "已办结": "您反映的事项已办结。",
    "progress": "您反映的事项有新的办理进展。",
    "extend": "您反映的事项已延期办理。",
    "return": "您反映的事项被 12345 热线退回，工作人员将重新分派。",
    "reroute": "您反映的事项已改派至{department}办理。",
    "reopen": "您反映的事项已重新办理。",
}
RATE_HINT = "请点击下方按钮对办理结果进行满意度评价。"
DELAYED = (
    "12345 热线系统暂时无法连接。您的反映已安全保存，系统会自动重试发送，"
    "送达后将再通知您，无需重复提交。"
)
ARRIVED = "您的反映已送达 12345 热线，后续办理进展会继续通知您。"
_MAX_ANSWER = 3000
_MAX_NOTE = 1000


def render(notice: DeputyNotice) -> str:
    if isinstance(notice, StatusChanged):
        return status_notice(notice)
    if isinstance(notice, ExtensionChanged):
        return extension_notice(notice)
    if isinstance(notice, DeadlineMissed):
        return overdue_notice(notice)
    if isinstance(notice, DeliveryDelayed):
        return "\n".join([DELAYED, *_about(notice.number, notice.summary)])
    if isinstance(notice, DeliveryArrived):
        return "\n".join([ARRIVED, *_about(notice.number, notice.summary)])
    if isinstance(notice, SupervisionChanged):
        return supervision_notice(notice)
    return assigned_notice(notice)


def status_notice(notice: StatusChanged) -> str:
    change = notice.change
    template = _CHANGES.get(change, "您反映的事项状态已更新：" + change)
    lines = [
        esc(template.format(department=notice.department or "承办单位")),
        *_about(notice.number, notice.summary),
    ]
    if change == "已答复":
        if notice.answer:
            lines.append(f"答复内容：{esc(_cut(notice.answer, _MAX_ANSWER))}")
        lines.append(RATE_HINT)
    elif notice.note:
        lines.append(f"说明：{esc(_cut(notice.note, _MAX_NOTE))}")
        if notice.rating is not None:  # a close that is also the answer (Open311)
            lines.append(RATE_HINT)
    elif notice.rating is not None:
        lines.append(RATE_HINT)
    return "\n".join(lines)


_EXTENSION_NEWS = {
    "extend": "承办单位申请延期办理您反映的事项，正在等待 12345 热线审核。",
    "extend_approve": "12345 热线已批准延期办理您反映的事项。",
    "extend_reject": "12345 热线未批准延期申请，您反映的事项继续按期办理。",
}


def extension_notice(notice: ExtensionChanged) -> str:
    lines = [_EXTENSION_NEWS[notice.change], *_about(notice.number, notice.summary)]
    if notice.change != "extend" and notice.due_at is not None:
        lines.append(f"办理期限：{local_time(notice.due_at)}")
    if notice.note:
        lines.append(f"说明：{esc(_cut(notice.note, _MAX_NOTE))}")
    return "\n".join(lines)


def overdue_notice(notice: DeadlineMissed) -> str:
    accept = notice.deadline_kind == DeadlineKind.ACCEPT
    late = "未在规定时间内受理" if accept else "未在办理期限内答复"
    return "\n".join(
        [
            f"您反映的事项{late}，已超期。",
            "系统已自动向 12345 热线<b>催办</b>，并提请人大代表工委<b>督办</b>。",
            *_about(notice.number, notice.summary),
            f"{'受理' if accept else '办理'}期限：{local_time(notice.deadline)}",
        ]
    )


def assigned_notice(notice: AssignedByStaff) -> str:
    """The deputy's report left the triage queue for a department."""
    return (
        f"您反映的事项已由人大代表工委人工分派至<b>{esc(notice.department)}</b>，"
        "正在转交 12345 热线办理。\n"
        f"编号：<b>{esc(notice.number)}</b>\n"
        f"摘要：{esc(notice.summary)}"
    )


def supervision_notice(notice: SupervisionChanged) -> str:
    """督办 started (with the hotline's new deadline) or ended (with its outcome)."""
    if notice.started:
        lines = ["人大代表工委已对您反映的事项<b>发起督办</b>，督促有关部门限期办结。"]
        lines += _about(notice.number, notice.summary)
        if notice.deadline is not None:
            lines.append(f"督办期限：{local_time(notice.deadline)}")
        return "\n".join(lines)
    lines = [
        "人大代表工委对您反映事项的<b>督办已办结</b>。",
        *_about(notice.number, notice.summary),
    ]
    if notice.outcome:
        lines.append(f"督办结果：{esc(_cut(notice.outcome, _MAX_NOTE))}")
    return "\n".join(lines)


def local_time(moment: datetime) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def _about(number: str, summary: str) -> list[str]:
    return [f"编号：<b>{esc(number)}</b>", f"摘要：{esc(summary)}"]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
