"""Chinese texts of the statistics and routing-quality pages: labels, the 三率 definitions shown
beside the figures, and the messages for bad filter input."""

from __future__ import annotations

from bot.services.statistics.rate import Rate, Unnamed

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
    RESOLUTION_RATE: "已解决工单数 ÷ 已答复或已办结的工单数。"
    "已解决：状态为已办结，且最近一轮评价不是“不满意”（重办后办结且未评不满意的也算已解决）。",
    SATISFACTION_RATE: "（满意 + 基本满意）÷ 已评价数。每件反映只取最近一轮有评价的答复。",
    "分母为 0": f"没有可计算的工单时显示“{NO_DATA}”，而不是 0%。",
    "超期工单": "办理时限已过、尚未答复且未办结的工单（不含已撤回、已退回，"
    "延期申请待批期间暂停计时）；催办：代表已催办或系统已自动催办；督办：已列入督办。",
    "平均办理时长": "已答复工单从派发到答复（重办的取最近一次答复）的平均小时数。",
}
DEPUTY_DEFINITIONS: dict[str, str] = {
    "统计范围": "按反映事项提交时间统计（北京时间），不含草稿和已撤回的反映；"
    "未选承办单位时，也列出期间内未提交反映的在册代表。",
    "已答复": "反映已获 12345 答复（状态为已答复、已办结或已重办）。",
    "答复率": "已答复数 ÷ 提交数。",
    SATISFACTION_RATE: "（满意 + 基本满意）÷ 已评价数，每件反映只取最近一轮有评价的答复。",
    "分母为 0": f"没有可计算的反映时显示“{NO_DATA}”。",
}

NO_SUGGESTION = "（分类器未给出）"
WEEK_LABEL = "{monday} 起一周"
ACCURACY = "准确率"
QUALITY_DEFINITIONS: dict[str, str] = {
    "统计范围": "经管理员复核（确认，或更正 / 人工分派）的分类记录，按分类时间（北京时间）"
    "统计；按周统计时每周从周一开始。",
    ACCURACY: "分类器建议的承办单位与复核后最终承办单位一致的记录数 ÷ 已复核记录数；"
    "分类器未给出建议的记录计为不一致。",
    "混淆": "分类器选择的单位与管理员最终确定的单位不一致的记录，按（分类器选择，最终单位）"
    "计数；占比 = 该组合数 ÷ 分类器选择该单位的记录数。",
    "查准率 / 查全率": "查准率 = 分类器选该单位且被保留的记录数 ÷ 分类器选该单位的记录数；"
    "查全率 = 分类器选对的记录数 ÷ 最终由该单位承办的记录数。",
    "分母为 0": f"没有可计算的记录时显示“{NO_DATA}”。",
}

FILTER_BAD_DATE = "日期格式不正确：{value}（应为 年-月-日，如 2026-01-31）。"
FILTER_BAD_RANGE = "开始日期不能晚于结束日期。"
FILTER_BAD_CODE = "{field}参数无效：{value}。"
FILTER_BAD_YEAR = "日期须在 {first} 年至 {last} 年之间。"
FILTER_DISTRICT = "区县"
FILTER_DEPARTMENT = "承办单位"
FILTER_BAD_PERIOD = "统计周期只能是“周”或“月”。"
FILTER_UNKNOWN = "所选{field}不存在。"
EXPORT_UNKNOWN = "没有这张统计表。"


UNNAMED: dict[Unnamed, str] = {
    Unnamed.TOTAL: TOTAL,
    Unnamed.NO_DEPARTMENT: NO_DEPARTMENT,
    Unnamed.NO_DISTRICT: NO_DISTRICT,
    Unnamed.NO_LEVEL: NO_DATA,
    Unnamed.NO_CONSTITUENCY: NO_CONSTITUENCY,
    Unnamed.NO_STATION: NO_STATION,
    Unnamed.NO_SUGGESTION: NO_SUGGESTION,
}


def label(value: str) -> str:
    """A row's label as shown: a name from the data as it is, an Unnamed group in words."""
    return UNNAMED[value] if isinstance(value, Unnamed) else value


def percent(rate: Rate) -> str:
    value = rate.value
    return NO_DATA if value is None else f"{value * 100:.1f}%"


def week_label(monday: str) -> str:
    return WEEK_LABEL.format(monday=monday)
