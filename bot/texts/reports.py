"""Texts of the report flow and "my reports". Everything user-typed goes through `esc`, and every
rendering is bounded so a message always fits Telegram's 4,096 characters."""

from __future__ import annotations

from bot.core.clock import CHINA_TIME
from bot.services.reporting.drafts import MAX_PHOTOS, MAX_TEXT, MIN_TEXT
from bot.services.reporting.filing import Preview, SubmitResult
from bot.services.reporting.history import ReportDetail, ReportPage, Step, TimelineEntry
from bot.services.reporting.places import Place
from bot.texts import esc
from classifiers import Emergency, Evidence

BTN_DONE = "完成"
BTN_SKIP = "跳过"
BTN_CANCEL = "取消"
BTN_CONFIRM = "✅ 确认提交"
BTN_EDIT = "✏️ 修改内容"
BTN_CHANGE_DEPT = "🔀 更换部门"
BTN_BROWSE = "浏览全部部门"
BTN_BACK_TO_PREVIEW = "返回预览"
BTN_NEXT = "下一步"
BTN_PREV_PAGE = "上一页"
BTN_NEXT_PAGE = "下一页"
BTN_CONTINUE = "我已知晓，继续填写反映"
BTN_SEND_LOCATION = "📍 发送当前位置"
BTN_WITHDRAW = "撤回此反映"
BTN_CONFIRM_WITHDRAW = "确认撤回（不填原因）"
BTN_BACK_TO_LIST = "返回列表"
BTN_JOIN = "🤝 附议此反映"
JOIN_CLOSED = "该相似反映已办结或已不在办理中，请直接提交您的反映。"

ASK_TEXT = (
    f"请描述群众反映的问题（{MIN_TEXT}–{MAX_TEXT} 字）：时间、地点、具体情况和诉求。\n"
    "可以分几条消息发送，全部发送后点击“完成”。"
)
ASK_TEXT_AGAIN = "请重新输入诉求内容，已上传的照片和位置会保留。"
TEXT_EXPECTED = "这一步需要文字描述，请直接输入文字。"
TEXT_EMPTY = "这条消息没有文字内容（空格、标点和表情不计），未记录。请用文字描述问题。"
ASK_PHOTOS = (
    f"如有现场照片，请直接发送（最多 {MAX_PHOTOS} 张，可一次选多张）；没有照片请点击“跳过”。"
)
PHOTO_EXPECTED = "请发送照片，或点击“完成”/“跳过”进入下一步。"
PHOTO_LIMIT = f"最多只能上传 {MAX_PHOTOS} 张照片，多出的照片未保存。"
ASK_LOCATION = (
    "请发送问题发生的位置：点击下方“发送当前位置”，或直接输入详细地址；不便提供请点“跳过”。"
)
LOCATION_SAVED = "位置已记录。"
ADDRESS_SKIPPED = "已跳过位置。"
ADDRESS_TOO_LONG = "地址过长（最多 200 字），请精简后重新输入。"
ASK_APPEAL_TYPE = "请确认诉求类型（已根据内容自动预选，可点击修改），然后点击“下一步”。"
CANCELLED = "已取消本次反映，内容未提交。"
STALE = "该操作已过期。"
STALE_CONFIRM = STALE + "如已提交，可在“我的反映”中查看。"
NOT_YOUR_REPORT = "未找到该反映，或它不属于您。"
WITHDRAW_CONFIRM = (
    "撤回后该反映将不再办理。如需说明撤回原因（选填，如“问题已自行解决”），"
    "请直接回复文字，原因会转告 12345 热线；不填原因请点击“确认撤回（不填原因）”。"
)
WITHDRAW_REASON_EXPECTED = "请用文字说明撤回原因，或点击“确认撤回（不填原因）”/“取消”。"
MAX_WITHDRAW_REASON = 200
WITHDRAW_TOO_LATE = "热线已受理该反映，无法撤回。如需补充说明，请等待办理结果后评价。"
NO_REPORTS = "您还没有提交过反映。点击“反映社情民意”开始。"

STATUS_MARKS = {
    "待人工分派": "🕓",
    "已提交": "📨",
    "已受理": "📥",
    "已派单": "📤",
    "办理中": "🔧",
    "已答复": "💬",
    "已办结": "✅",
    "退回": "↩️",
    "已重办": "🔁",
    "已撤回": "✖️",
    "已附议": "🤝",
}
_MAX_TERM = 20
_MAX_EVIDENCE = 5
UNSURE_WORDING_BELOW = 0.5  # "把握不足" is said only below this confidence


def photos_button(count: int) -> str:
    return f"🖼 查看照片（{count} 张）"


def photos_caption(number: str) -> str:
    return f"反映 {number} 的现场照片"


def withdrawn(number: str, reason: str) -> str:
    said = "，撤回原因已转告 12345 热线" if reason else ""
    return f"已撤回反映 <b>{esc(number)}</b>{said}，该事项不再办理。"


def withdraw_reason_too_long(length: int) -> str:
    return f"撤回原因最多 {MAX_WITHDRAW_REASON} 字（当前 {length} 字），请精简后再发送。"


def text_saved(length: int) -> str:
    return f"已记录（共 {length} 字）。可继续补充，全部发送后点击“完成”。"


def text_too_long(length: int) -> str:
    return f"加上这条后将超过 {MAX_TEXT} 字（已有 {length} 字），这条未保存。请精简后再发送。"


def text_too_short(meaningful: int) -> str:
    return (
        f"内容太短（有效文字 {meaningful} 个，空格、标点和表情不计），"
        f"请至少写 {MIN_TEXT} 个字，说明时间、地点和具体问题。"
    )


def quick_photo_taken(text: str, length: int) -> str:
    """代表随手拍: the photo started a report, and its caption became the report's text."""
    if not text:
        return "📷 已收到照片，已为您新建一条反映。"
    return f"📷 已收到照片，照片说明已作为反映内容（共 {length} 字）：\n“{esc(_cut(text, 60))}”"


def quick_photo_too_short(meaningful: int) -> str:
    return (
        f"照片说明太短（有效文字 {meaningful} 个），请补充描述问题（至少 {MIN_TEXT} 字），"
        "全部发送后点击“完成”。"
    )


def location_saved(place: Place) -> str:
    where = _where(place.district, place.town)
    return f"位置已记录：{esc(where)}。" if where else "位置已记录（未能识别所在区县）。"


def photo_saved(count: int) -> str:
    return f"已收到第 {count} 张照片。可继续发送，或点击“完成”。"


def emergency_advice(emergency: Emergency) -> str:
    return (
        f"⚠️ <b>紧急情况请立即拨打 {esc(emergency.number)}！</b>\n"
        f"{esc(emergency.reason)}\n\n"
        "12345 热线不受理需要立即处置的警情、火情和急救（按 12345 与 110 联动规定）。"
        "确认人员安全后，您可以继续提交后续反映。"
    )


def render_preview(preview: Preview) -> str:
    lines = [
        "<b>反映预览</b>",
        f"内容摘要：{esc(preview.summary)}（共 {preview.text_length} 字）",
        f"照片：{preview.photo_count} 张",
        f"位置：{_place(preview)}",
        f"诉求类型：{esc(preview.appeal_type)}",
        f"紧急程度：{_urgency(preview)}",
        f"所在区县：{esc(_district(preview))}",
        f"建议承办单位：<b>{esc(preview.department.name)}</b>"
        + ("（您已选择）" if preview.chosen_by_deputy else ""),
    ]
    if preview.reasons and not preview.chosen_by_deputy:
        reasons = preview.reasons[:_MAX_EVIDENCE]
        unit = preview.department.name
        lines.append("判断依据：" + "；".join(_reason(e, unit) for e in reasons))
        lines.append(f"把握程度：{preview.confidence:.0%}")
    if preview.confirm_at_hotline:
        lines.append("ℹ️ 承办单位待确认：提交后立即转交 12345 热线，由热线派单员确认或改派。")
    elif not preview.auto_route:
        lines.append(_unsure(preview.confidence))
    if preview.similar:
        similar = preview.similar
        lines.append(
            f"\n💡 <b>相似反映已在办理</b>：{esc(similar.number)}（{esc(similar.status)}）"
            f"\n    {esc(similar.summary)}"
            "\n可点击“附议此反映”合并跟进，无需重复派单；也可继续提交。"
        )
    lines.append("\n请核对后点击“确认提交”。")
    return "\n".join(lines)


def receipt(result: SubmitResult) -> str:
    text = _receipt(result)
    if result.photos_missing:
        text += (
            f"\n⚠️ 有 {result.photos_missing} 张照片未能从 Telegram 取回，"
            "本次反映已不含这些照片提交；如需补充，请另行提交反映并附上照片。"
        )
    return text


def _receipt(result: SubmitResult) -> str:
    if result.joined_number:
        return (
            f"已附议 <b>{esc(result.joined_number)}</b>，"
            f"您的附议编号 <b>{esc(result.number)}</b>。\n"
            "该事项已在办理，可在“我的反映”中查看办理进度。"
        )
    if result.already_submitted:
        return f"该反映已提交，编号 <b>{esc(result.number)}</b>，无需重复提交。"
    if result.to_confirm:
        return (
            f"已提交！编号 <b>{esc(result.number)}</b>\n"
            f"已转交 12345 热线，建议承办单位：{esc(result.department_name or '待定')}"
            "（待热线确认）。热线派单员确认或改派后会通知您。"
        )
    if result.status == "待人工分派":
        return (
            f"已提交！编号 <b>{esc(result.number)}</b>\n"
            "系统对承办单位把握不足，工作人员将尽快人工分派，分派后会通知您。"
        )
    return (
        f"已提交！编号 <b>{esc(result.number)}</b>\n"
        f"承办单位：{esc(result.department_name or '待定')}\n"
        "我们会把办理进展及时推送给您。可在“我的反映”中查看。"
    )


def render_page(page: ReportPage) -> str:
    if not page.items:
        return NO_REPORTS
    lines = [f"<b>我的反映</b>（第 {page.page + 1}/{page.pages} 页）"]
    for item in page.items:
        mark = STATUS_MARKS.get(item.status, "•")
        lines.append(f"{mark} {esc(item.number)} {esc(item.status)}\n    {esc(item.summary)}")
    return "\n".join(lines)


def report_button(number: str, summary: str) -> str:
    return f"{number} {summary}"[:40]


def render_detail(detail: ReportDetail) -> str:
    lines = [
        f"<b>{esc(detail.number)}</b> {STATUS_MARKS.get(detail.status, '')} {esc(detail.status)}",
        f"诉求类型：{esc(detail.appeal_type)} · 紧急程度：{esc(detail.urgency)}",
        f"承办单位：{esc(detail.department_name or '待分派')}",
        f"所在区县：{esc(detail.district_name or '未识别')}",
        f"12345 工单号：{esc(detail.ticket_number or '尚未生成')}",
        *(
            [f"办理期限：{detail.due_at.astimezone(CHINA_TIME):%Y-%m-%d %H:%M}"]
            if detail.due_at
            else []
        ),
        f"照片：{detail.photo_count} 张",
        "",
        f"<b>内容</b>\n{esc(detail.text[:1500])}" + ("…" if len(detail.text) > 1500 else ""),
        "",
        "<b>办理进度</b>",
    ]
    for entry in detail.timeline[-15:]:
        at = entry.at.astimezone(CHINA_TIME).strftime("%m-%d %H:%M")
        status, note = timeline_words(entry)
        note = f"：{esc(note[:200])}" if note else ""
        lines.append(f"{at} {esc(status)}{note}")
    return "\n".join(lines)


def timeline_words(entry: TimelineEntry) -> tuple[str, str]:
    """A timeline line as (what, note)."""
    if entry.step == Step.FILED:
        return "已提交", "代表提交反映"
    if entry.step == Step.ROUTED:
        return "分类", f"分派至 {entry.department}" if entry.department else "待工作人员人工分派"
    if entry.step == Step.JOINED:
        return "已附议", f"附议 {entry.joined}" if entry.joined else "附议"
    if entry.step == Step.RATED:
        return "评价", entry.note
    if entry.step == Step.WITHDRAWN:
        return "已撤回", ""
    return entry.status, entry.note


def _place(preview: Preview) -> str:
    if preview.location:
        lat, lon = preview.location
        where = _where(preview.district, preview.town)
        return (
            f"已定位 {esc(where)}（{lat:.4f}, {lon:.4f}）"
            if where
            else (f"已定位（{lat:.4f}, {lon:.4f}）")
        )
    if preview.address:
        return esc(preview.address)
    return "未提供"


def _urgency(preview: Preview) -> str:
    if preview.urgency != "紧急":
        return esc(preview.urgency)
    reasons = "、".join(esc(r[:_MAX_TERM]) for r in preview.urgency_reasons[:_MAX_EVIDENCE])
    return f"<b>紧急</b>（依据：{reasons}）" if reasons else "<b>紧急</b>"


def _district(preview: Preview) -> str:
    return _where(preview.district, preview.town) or "未识别"


def _where(district: str | None, town: str | None) -> str:
    if not district:
        return ""
    return f"{district} · {town}" if town else district


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unsure(confidence: float) -> str:
    """Not auto-routed. "把握不足" only beside a low percentage: at 80 % the unit is likely
    right, it is only below the bar for sending without a person's look."""
    if confidence < UNSURE_WORDING_BELOW:
        return "⚠️ 系统对分派把握不足，提交后将由工作人员人工分派。"
    return "ℹ️ 提交后由工作人员确认承办单位再派单。"


def _reason(evidence: Evidence, unit: str = "") -> str:
    """A matter of the 派单目录 shows the report's words and the matter:
    “路灯”“坏了” → 事项“路灯不亮或损坏”（邵阳市城市管理和综合执法局·市政设施）; a named unit
    says so; a learned word shows its weight; only a fuzzy match (typo, variant of a
    department's name) shows what it was matched to, e.g. “住建局”≈“住房和城乡建设局”."""
    if evidence.source == "matter":
        words = "".join(f"“{esc(w[:_MAX_TERM])}”" for w in evidence.words or (evidence.term,))
        where = "·".join(esc(x) for x in (unit, evidence.area) if x)
        return f"{words} → 事项“{esc(evidence.matched[:_MAX_TERM])}”" + (
            f"（{where}）" if where else ""
        )
    if evidence.source == "alias":
        return f"点名“{esc(evidence.term[:_MAX_TERM])}”"
    term = esc(evidence.term[:_MAX_TERM])
    if evidence.source == "fuzzy" and evidence.matched != evidence.term:
        term = f"{term}”≈“{esc(evidence.matched[:_MAX_TERM])}"
    return f"“{term}”（{evidence.weight:+.2f}）"
