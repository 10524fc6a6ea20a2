"""What the deputy is told when the hotline moves a report. Hotline notes and answers are
outside input: escaped, and cut so a notice always fits one message."""

from __future__ import annotations

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
# Sent to the hotline with a withdrawal the deputy asked for.
WITHDRAW_REASON = "人大代表已撤回该反映，请勿再办理。"
RATE_HINT = "请点击下方按钮对办理结果进行满意度评价。"
_MAX_ANSWER = 3000
_MAX_NOTE = 1000


def status_notice(
    change: str,
    *,
    department: str | None,
    number: str,
    summary: str,
    note: str | None,
    answer: str | None,
) -> str:
    template = _CHANGES.get(change, "您反映的事项状态已更新：" + change)
    lines = [
        esc(template.format(department=department or "承办单位")),
        f"编号：<b>{esc(number)}</b>",
        f"摘要：{esc(summary)}",
    ]
    if change == "已答复":
        if answer:
            lines.append(f"答复内容：{esc(_cut(answer, _MAX_ANSWER))}")
        lines.append(RATE_HINT)
    elif note:
        lines.append(f"说明：{esc(_cut(note, _MAX_NOTE))}")
    return "\n".join(lines)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
