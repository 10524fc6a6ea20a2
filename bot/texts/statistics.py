"""Chinese texts of the statistics and routing-quality pages: labels, the 三率 definitions shown
beside the figures, and the messages for bad filter input."""

from __future__ import annotations

NO_DEPARTMENT = "未分派"
NO_DISTRICT = "未注明区县"
NO_CONSTITUENCY = "未登记选区"
NO_STATION = "未登记联络站"
TOTAL = "合计"
NO_DATA = "—"

RESPONSE_RATE = "响应率"
RESOLUTION_RATE = "解决率"
SATISFACTION_RATE = "满意率"

# Shown on the page and exported with the figures, so a reader knows exactly what was counted.
DEFINITIONS: dict[str, str] = {
    "统计范围": "按工单派发（创建）时间统计（北京时间），不含已撤回的工单；"
    "区县按反映事项所在区县，承办单位按工单当前承办单位。",
    RESPONSE_RATE: "限时内受理的工单数 ÷ 应受理工单数。"
    "应受理：设有受理时限，且已受理或受理时限已过；限时内受理：受理时间不晚于受理时限。",
    RESOLUTION_RATE: "已解决工单数 ÷ 已答复或已办结的工单数。已解决：状态为已办结、从未重办"
    "（重办次数为 0），且最近一轮评价不是“不满意”。",
    SATISFACTION_RATE: "（满意 + 基本满意）÷ 已评价数。每件反映只取最近一轮答复的评价。",
    "超期工单": "办理时限已过、尚未答复且未办结的工单（不含已撤回、已退回）；"
    "催办：代表已催办；督办：已列入督办。",
    "平均办理时长": "已答复工单从派发到首次答复的平均小时数。",
    "代表履职": "按反映事项提交时间统计，不含草稿和已撤回的反映；已答复：对应工单已答复；"
    "满意率口径同上。",
}

FILTER_BAD_DATE = "日期格式不正确：{value}（应为 年-月-日，如 2026-01-31）。"
FILTER_BAD_RANGE = "开始日期不能晚于结束日期。"
FILTER_BAD_ID = "{field}参数无效：{value}。"
FILTER_DISTRICT = "区县"
FILTER_DEPARTMENT = "承办单位"
FILTER_BAD_PERIOD = "统计周期只能是“周”或“月”。"
