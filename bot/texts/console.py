"""Chinese texts of the admin console's use cases: refusals shown to console users, and what a
deputy is told when an admin routes their report. Deputy notices go out in HTML parse mode."""

from __future__ import annotations

from bot.texts import esc

# Sign-in and accounts
LOGIN_FAILED = "用户名或密码错误。"
LOGIN_LOCKED = "密码错误次数过多，账号已锁定，请于 {until} 后再试，或联系管理员。"
LOGIN_INACTIVE = "该账号已停用，请联系管理员。"
USERNAME_INVALID = "用户名须为 3–64 位字母、数字、下划线、点或连字符。"
USERNAME_TAKEN = "用户名“{username}”已存在。"
PASSWORD_TOO_SHORT = "密码至少 {length} 位。"
ROLE_INVALID = "角色须为 admin、operator 或 viewer 之一。"

# Routing review (分类记录)
DECISION_NOT_FOUND = "分类记录不存在。"
DEPARTMENT_UNKNOWN = "所选承办单位不存在或已停用。"
ALREADY_REVIEWED = "该分类记录已复核（{status}），无需重复确认。"
NOTHING_TO_CONFIRM = "该反映尚未分派承办单位，无法确认，请在“待人工分派”中分派。"
CORRECT_IN_TRIAGE = "该反映正在“待人工分派”队列中，请在该页面分派承办单位。"
SAME_DEPARTMENT = "所选承办单位与当前承办单位相同。"
REVIEWED_MEANWHILE = (
    "该分类记录已被他人复核或更正，本次操作未执行。请刷新页面，查看最新结果后再操作。"
)
SENDING_NOW = "该工单正在发送给 12345 热线，请稍后（约 1 分钟）再更正。"

# Triage (待人工分派)
REPORT_NOT_FOUND = "反映事项不存在。"
NOT_IN_TRIAGE = "该反映已不在待人工分派队列中（当前状态：{status}）。"
ASSIGNED_MEANWHILE = "该反映刚刚已被他人分派，本次操作未执行。请刷新页面查看最新队列。"
NOTE_TOO_LONG = "备注不能超过 {length} 个字。"
DEFAULT_REROUTE_NOTE = "人大代表工委人工分派"
DEFAULT_CORRECTION_NOTE = "人大代表工委更正承办单位"

# Directories
DEPUTY_NOT_FOUND = "代表不存在。"
DEPARTMENT_NOT_FOUND = "承办单位不存在。"
DEPARTMENT_NAME_EMPTY = "单位名称不能为空。"
DEPARTMENT_FIELD_TOO_LONG = "{field}过长（最多 {length} 个字）。"
DEPARTMENT_CODE_INVALID = "单位代码须为 1–32 位大写字母、数字或下划线。"
DEPARTMENT_CODE_TAKEN = "单位代码“{code}”已存在。"
NO_CHANGES = "没有任何修改。"
DEPARTMENT_EDITED_MEANWHILE = (
    "该单位已被他人修改（现为第 {version} 版），您的修改未保存。"
    "下面是最新内容，请在此基础上重新修改后保存。"
)
REGISTRY_FILE_TYPE = "只支持 .csv 或 .xlsx 文件。"


def assigned_notice(*, number: str, summary: str, department: str) -> str:
    """The deputy's report left the triage queue for a department."""
    return (
        f"您反映的事项已由人大代表工委人工分派至<b>{esc(department)}</b>，"
        "正在转交 12345 热线办理。\n"
        f"编号：<b>{esc(number)}</b>\n"
        f"摘要：{esc(summary)}"
    )
