"""Deadlines, 延期 and the 复发 回访: what the hotline's operators and the deputy read.
Report summaries and hotline notes are outside input: escaped by `esc`."""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import CHINA_TIME
from bot.texts import esc

# Which deadline an alert is about.
ACCEPT = "accept"  # 受理
HANDLE = "handle"  # 办理（答复）
_DEADLINE_NAMES = {ACCEPT: "受理", HANDLE: "办理"}
_MAX_NOTE = 1000


def local_time(moment: datetime) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


# ---- notes the hotline's operators see (sent as 催办 events) --------------------------------


def warning_note(deadline_kind: str, deadline: datetime) -> str:
    name = _DEADLINE_NAMES[deadline_kind]
    return (
        f"【系统自动预警】该工单{name}期限为 {local_time(deadline)}，即将到期，请及时{name}。"
        "（人大代表直通车）"
    )


def overdue_note(deadline_kind: str, deadline: datetime) -> str:
    name = _DEADLINE_NAMES[deadline_kind]
    return (
        f"【系统自动催办】该工单已超过{name}期限（{local_time(deadline)}），"
        "已提请人大代表工委督办，请尽快办理。（人大代表直通车）"
    )


# ---- what the deputy is told ---------------------------------------------------------------


def overdue_notice(deadline_kind: str, number: str, summary: str, deadline: datetime) -> str:
    late = "未在规定时间内受理" if deadline_kind == ACCEPT else "未在办理期限内答复"
    return "\n".join(
        [
            f"您反映的事项{late}，已超期。",
            "系统已自动向 12345 热线<b>催办</b>，并提请人大代表工委<b>督办</b>。",
            f"编号：<b>{esc(number)}</b>",
            f"摘要：{esc(summary)}",
            f"{_DEADLINE_NAMES[deadline_kind]}期限：{local_time(deadline)}",
        ]
    )


_EXTENSION_NEWS = {
    "extend": "承办单位申请延期办理您反映的事项，正在等待 12345 热线审核。",
    "extend_approve": "12345 热线已批准延期办理您反映的事项。",
    "extend_reject": "12345 热线未批准延期申请，您反映的事项继续按期办理。",
}


def extension_notice(
    change: str, *, number: str, summary: str, note: str | None, due_at: datetime | None
) -> str:
    lines = [
        _EXTENSION_NEWS[change],
        f"编号：<b>{esc(number)}</b>",
        f"摘要：{esc(summary)}",
    ]
    if change != "extend" and due_at is not None:
        lines.append(f"办理期限：{local_time(due_at)}")
    if note:
        cut = note if len(note) <= _MAX_NOTE else note[: _MAX_NOTE - 1] + "…"
        lines.append(f"说明：{esc(cut)}")
    return "\n".join(lines)


# ---- 复发 回访 -------------------------------------------------------------------------------

BTN_RESOLVED = "✅ 已解决"
BTN_RECURRED = "🔁 复发了"
RECURRENCE_REASON = "复发：人大代表回访反映问题再次出现"


def recurrence_question(number: str, summary: str) -> str:
    return "\n".join(
        [
            "<b>办结回访</b>",
            "您反映的事项已办结一段时间，问题是否已经解决、没有再次出现？",
            f"编号：<b>{esc(number)}</b>",
            f"摘要：{esc(summary)}",
            "请点击下方按钮回复。",
        ]
    )


def resolved(number: str) -> str:
    return f"感谢您的回复！已记录反映 <b>{esc(number)}</b> 的问题已解决。"


def recurred(number: str) -> str:
    return (
        f"已记录问题复发。反映 <b>{esc(number)}</b> 已退回 12345 热线<b>重新办理</b>"
        "（同一工单），状态为“已重办”，办理进展会继续通知您。"
    )


def recurred_for_staff(number: str) -> str:
    return (
        f"已记录反映 <b>{esc(number)}</b> 的问题复发。该事项已重办过，"
        "人大代表工委工作人员将<b>督办</b>并与您联系。"
    )


RECURRENCE_ALREADY_ANSWERED = "您已回复过本次回访，无需重复回复。"
RECURRENCE_STALE = "该反映当前不在回访状态，此按钮已失效。"
