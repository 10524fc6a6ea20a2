"""What the 代表工委 staff's alert group is told (ALERTS_CHAT_ID): the hotline unreachable, back
again, and every dead letter. Errors are outside input: escaped and cut."""

from __future__ import annotations

from bot.services.notices import AdminAlert, DeadLetterAlert, HotlineBack, HotlineDown
from bot.texts import esc
from bot.texts.notices import local_time

_MAX_ERROR = 300
_KINDS = {
    "create_ticket": "新工单",
    "reopen": "重办",
    "urge": "催办",
    "reroute": "改派",
    "withdraw": "撤回",
}


def render(alert: AdminAlert) -> str:
    if isinstance(alert, HotlineDown):
        return "\n".join(
            [
                "⚠️ <b>12345 热线暂时无法连接</b>",
                f"{alert.failing} 条消息等待重发（最早一条提交于 {local_time(alert.since)}）。",
                "系统会自动重试，代表已被告知反映已安全保存。",
                f"最近一次错误：{esc(alert.last_error[:_MAX_ERROR])}",
            ]
        )
    if isinstance(alert, HotlineBack):
        return (
            "✅ <b>12345 热线已恢复连接</b>，"
            f"自 {local_time(alert.was_down_since)} 起积压的消息正在发送。"
        )
    return _dead(alert)


def _dead(alert: DeadLetterAlert) -> str:
    about = f"反映 <b>{esc(alert.number)}</b> 的" if alert.number else ""
    kind = _KINDS.get(alert.kind, alert.kind)
    return "\n".join(
        [
            f"❌ {about}{esc(kind)}消息发送失败，系统已停止重试。",
            f"原因：{esc(alert.error[:_MAX_ERROR])}",
            "请在后台“发送失败”页面处理（可重试）。",
        ]
    )
