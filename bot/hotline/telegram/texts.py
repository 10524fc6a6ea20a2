"""Texts of the operators' group chat (HOTLINE_ADAPTER=telegram): the ticket card, its buttons,
the prompts and the answers to taps. Report text, notes and names are outside input: escaped,
and cut so that a card always fits one Telegram message."""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import CHINA_TIME
from bot.hotline.telegram.cards import CardEntry, CardKind, CardView, OperatorAction
from bot.hotline.telegram.desk import MIN_TEXT, text_limit
from bot.texts import esc, level_label
from storage.models import ReportStatus

_SAFE_LIMIT = 3900  # with the HTML tags counted: the parsed text stays below Telegram's 4,096
_MAX_NOTE = 80  # one history line's note
_MAX_BANNER_NOTE = 500

BUTTONS: dict[OperatorAction, str] = {
    OperatorAction.ACCEPT: "✅ 受理",
    OperatorAction.RETURN: "↩️ 退回（填写原因）",
    OperatorAction.ANSWER: "💬 答复",
    OperatorAction.CLOSE: "🏁 办结",
}
LABELS: dict[OperatorAction, str] = {
    OperatorAction.ACCEPT: "受理",
    OperatorAction.RETURN: "退回",
    OperatorAction.ANSWER: "答复",
    OperatorAction.CLOSE: "办结",
}
_TITLES: dict[str, str] = {
    CardKind.CREATE: "🆕 <b>12345 新工单</b>",
    CardKind.REOPEN: "🔁 <b>12345 重办工单</b>",
    CardKind.REROUTE: "🔀 <b>12345 改派工单</b>",
}
# How a report status reads to an operator (the rest read as they are).
_STATUS_LABELS: dict[str, str] = {
    ReportStatus.TRIAGE: "已退回（待人工分派）",
    ReportStatus.SUBMITTED: "待受理",
}

# Answers to taps (callback answers: at most 200 characters).
ACCEPTED = "已受理，已通知代表。"
CLOSED = "已办结，已通知代表。"
UNKNOWN_TICKET = "未找到该工单，此按钮无效。"
STALE_CARD = "这张工单卡片已失效，请在该工单最新的卡片上操作。"
DUPLICATE = "该操作已由其他话务员完成，无需重复操作。"
WRONG_CHAT = "工单按钮只能在话务员群中使用。"
NOT_OPERATOR = "您不是话务员群成员，不能办理工单。"
STALE_BUTTON = "此按钮已失效。"
ASKED = "请回复机器人的提示消息填写内容。"
TEXT_EXPECTED = "请用文字回复提示消息。"
CANCELLED = "已取消，工单未作改动。"
NOTHING_TO_CANCEL = "当前没有待填写的内容。"

HELP = (
    "<b>话务员群使用说明</b>\n\n"
    "机器人会把派给 12345 的工单以卡片形式发到本群，卡片下方的按钮即为可办理的操作：\n"
    "✅ 受理 — 确认接单，代表会收到“已受理”通知；\n"
    "↩️ 退回 — 回复提示消息填写原因，事项转入人工分派；\n"
    "💬 答复 — 回复提示消息填写答复内容，代表收到答复后进行满意度评价；\n"
    "🏁 办结 — 答复后结束工单。\n\n"
    "填写过程中发送 /cancel 可取消。"
)


def not_allowed(status: str | None, action: OperatorAction) -> str:
    shown = _STATUS_LABELS.get(status or "", status or "未知")
    return f"该工单当前状态为「{shown}」，不能{LABELS[action]}。"


def ask_text(action: OperatorAction, operator_id: int, operator: str, external_id: str) -> str:
    what = "退回原因" if action is OperatorAction.RETURN else "答复内容"
    mention = f'<a href="tg://user?id={operator_id}">{esc(operator)}</a>'
    return (
        f"{mention} 请<b>回复本消息</b>填写工单 {esc(external_id)} 的{what}"
        f"（{MIN_TEXT}–{text_limit(action)} 字）。发送 /cancel 取消。"
    )


def text_too_short(action: OperatorAction) -> str:
    return f"内容过短，请重新回复提示消息（至少 {MIN_TEXT} 字）。"


def text_too_long(action: OperatorAction) -> str:
    return f"内容过长，请精简到 {text_limit(action)} 字以内后重新回复提示消息。"


def done(action: OperatorAction, external_id: str) -> str:
    if action is OperatorAction.RETURN:
        return f"已退回工单 {esc(external_id)}：事项转入待人工分派，已通知代表。"
    return f"已答复工单 {esc(external_id)}：代表已收到答复，并将进行满意度评价。"


def card(view: CardView, *, banner: str | None = None) -> str:
    """The card's HTML; the report text is shortened when the whole would not fit."""
    head = _head(view, banner)
    tail = _history(view.history)
    room = _SAFE_LIMIT - _u16(head) - _u16(tail) - 40
    body = f"\n<b>诉求内容</b>：\n{esc(_cut_u16(view.text, max(room, 200)))}"
    return head + body + tail


def _head(view: CardView, banner: str | None) -> str:
    lines = [_TITLES.get(view.kind, _TITLES[CardKind.CREATE])]
    if banner:
        lines.append(banner)
    lines += [
        f"工单号：<code>{esc(view.external_id)}</code>",
        f"状态：<b>{esc(_STATUS_LABELS.get(view.status, view.status))}</b>",
        f"承办单位：{esc(view.department or '未分派')}",
        f"诉求类型：{esc(view.appeal_type)}　紧急程度：{esc(view.urgency)}",
        f"区县：{esc(view.district or '未填写')}",
    ]
    if view.place:
        lines.append(f"地址：{esc(_cut(view.place, 200))}")
    if view.reporter_name:
        level = level_label(view.reporter_level) if view.reporter_level else "人大代表"
        lines.append(f"反映人：{esc(view.reporter_name)}（{esc(level)}）")
    if view.accept_due or view.due:
        lines.append(f"受理时限：{_when(view.accept_due)}　办理时限：{_when(view.due)}")
    if view.photos:
        lines.append(f"现场照片：{view.photos} 张（见本卡片下方）")
    lines.append(f"<b>摘要</b>：{esc(_cut(view.summary, 200))}")
    return "\n".join(lines)


def _history(entries: tuple[CardEntry, ...]) -> str:
    if not entries:
        return ""
    lines = ["", "<b>办理记录</b>"]
    for entry in entries:
        line = f"{_when(entry.at)} {esc(entry.status)}"
        if entry.actor:
            line += f" · {esc(_cut(entry.actor, 40))}"
        if entry.note:
            line += f"：{esc(_cut(entry.note, _MAX_NOTE))}"
        lines.append(line)
    return "\n" + "\n".join(lines)


def reopen_banner(reason: str) -> str:
    return f"代表对答复不满意，申请重办。原因：{esc(_cut(reason, _MAX_BANNER_NOTE))}"


def reroute_banner(department: str | None, note: str) -> str:
    text = f"已改派至 {esc(department or '其他承办单位')}"
    return text + (f"。说明：{esc(_cut(note, _MAX_BANNER_NOTE))}" if note else "")


def urge(external_id: str, note: str) -> str:
    text = f"⏰ <b>催办</b>：工单 {esc(external_id)} 请抓紧办理。"
    return text + (f"\n{esc(_cut(note, _MAX_BANNER_NOTE))}" if note else "")


def supervised(external_id: str, note: str) -> str:
    """The 代表工委's 督办 notice (the note carries the new deadline, bot/hotline/notes.py)."""
    return f"🔔 <b>督办</b>：工单 {esc(external_id)}\n{esc(_cut(note, _MAX_BANNER_NOTE))}"


def withdrawn(external_id: str, reason: str) -> str:
    text = f"⛔ <b>已撤回</b>：代表已撤回工单 {esc(external_id)}，无需办理。"
    return text + (f"\n原因：{esc(_cut(reason, _MAX_BANNER_NOTE))}" if reason else "")


def photos_caption(external_id: str) -> str:
    return f"工单 {esc(external_id)} 的现场照片"


def _when(moment: datetime | None) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%m-%d %H:%M") if moment else "—"


def _u16(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji may count two)."""
    return len(text.encode("utf-16-le")) // 2


def _cut_u16(text: str, limit: int) -> str:
    if _u16(text) <= limit:
        return text
    used = 1  # the ellipsis
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return text[:index] + "…"
    return text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
