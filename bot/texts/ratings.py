"""满意度评价 and 催办: what the deputy is asked and told when rating an answer or urging a
report. The deputy's reason is outside input: escaped by `esc`."""

from __future__ import annotations

from bot.texts import esc

# Rating buttons under the 已答复 notice, in this order (the callback carries the index).
BTN_SATISFIED = "😊 满意"
BTN_BASICALLY = "🙂 基本满意"
BTN_UNSATISFIED = "😞 不满意"

REASON_EXPECTED = "请用文字说明不满意的原因，或发送 /cancel 放弃评价。"
REASON_PLACEHOLDER = "不满意的原因"
MIN_REASON = 2
MAX_REASON = 500

ALREADY_RATED = "您已对本次答复进行过评价，无需重复评价。"
NOT_RATEABLE = "该反映当前不在待评价状态，此按钮已失效。"

BTN_URGE = "⏰ 催办"
URGED_TODAY = "今天已催办过，请明天再试。"
NOT_URGEABLE = "该反映当前状态无需催办。"


def urged(number: str) -> str:
    about = f"反映 <b>{esc(number)}</b> " if number else ""
    return f"⏰ 已就{about}向 12345 热线催办，请耐心等待办理结果（每天可催办一次）。"


def ask_reason(number: str) -> str:
    # Several answers may wait for a rating: the deputy must see which report this is.
    return (
        f"您对反映 <b>{esc(number)}</b> 的办理结果不满意。\n"
        "请简要说明<b>不满意的原因</b>（如问题未解决、答复不实等），直接回复文字即可。\n"
        "发送 /cancel 放弃评价。"
    )


def already_rated(number: str) -> str:
    return f"反映 <b>{esc(number)}</b> 的本次答复您已评价过，无需重复评价。"


def reason_stale(number: str) -> str:
    about = f"反映 <b>{esc(number)}</b> " if number else "该反映"
    return f"{about}当前不在待评价状态，本次评价未记录。"


def thanks(number: str, score: str) -> str:
    return f"感谢您的评价！反映 <b>{esc(number)}</b> 的办理结果已评价为“{esc(score)}”。"


def reopened(number: str) -> str:
    return (
        f"已记录您的评价“不满意”。反映 <b>{esc(number)}</b> 已退回 12345 热线<b>重办</b>，"
        "办理进展会继续通知您。"
    )


def recorded_for_staff(number: str) -> str:
    return (
        f"已记录您对反映 <b>{esc(number)}</b> 的评价“不满意”及原因。"
        "该事项已重办过一次，人大代表工委工作人员将跟进督办并与您联系。"
    )


def reason_too_short() -> str:
    return f"原因至少 {MIN_REASON} 个字（空格、标点和表情不计），请补充后再发送。"


def reason_too_long(length: int) -> str:
    return f"原因最多 {MAX_REASON} 字（当前 {length} 字），请精简后再发送。"
