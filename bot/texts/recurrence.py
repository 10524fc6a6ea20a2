"""The 复发 回访: what the deputy is asked some days after 办结, and told when they answer.
Report summaries are outside input: escaped by `esc`."""

from __future__ import annotations

from bot.services.feedback.recurrence import RecurrenceQuestion
from bot.texts import esc

BTN_RESOLVED = "✅ 已解决"
BTN_RECURRED = "🔁 复发了"


def recurrence_question(question: RecurrenceQuestion) -> str:
    return "\n".join(
        [
            "<b>办结回访</b>",
            "您反映的事项已办结一段时间，问题是否已经解决、没有再次出现？",
            f"编号：<b>{esc(question.number)}</b>",
            f"摘要：{esc(question.summary)}",
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
