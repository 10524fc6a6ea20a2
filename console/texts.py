"""Chinese texts of the console's web layer: page-level refusals and the one-line confirmations
shown after an action (the templates hold the page copy itself)."""

from __future__ import annotations

FORBIDDEN = "您的账号无权访问此页面或执行此操作。如需权限，请联系管理员。"
CSRF_FAILED = "安全校验失败（表单令牌缺失或已失效），操作未执行。请返回并刷新页面后重试。"
INTERNAL_ERROR = "服务器内部错误，操作未完成。请稍后重试；如反复出现，请联系技术人员。"
NOT_FOUND = "页面不存在。"
BAD_FORM = (
    "提交的表单无法读取（编码不是 UTF-8 或内容已损坏），未执行任何操作。请返回页面重新提交。"
)
METHOD_NOT_ALLOWED = (
    "不支持此请求方式。请通过页面上的链接或按钮操作（退出登录请点右上角的“退出”）。"
)
TOO_LARGE = "上传的内容过大（上限 {limit} MB），未处理。请拆分文件后分批导入。"
BAD_NUMBER = "参数“{field}”应为数字。"
BAD_DATE = "日期“{value}”格式不正确，应为 年-月-日（如 2026-11-25）。"
MISSING_FIELD = "请填写“{field}”。"

LOGGED_OUT = "您已安全退出。"
CONFIRMED = "已确认分类记录 {number}。"
CORRECTED = "已将 {number} 更正为“{department}”。"
CORRECTED_REROUTE = "已将 {number} 更正为“{department}”，并已通知 12345 热线改派。"
CORRECTED_RECORD_ONLY = "已记录更正：{number} 已被热线受理，承办单位不再变更，仅用于改进分类。"
ASSIGNED = "已将 {number} 分派至“{department}”，并已告知代表。"
ASSIGNED_NOT_TOLD = "已将 {number} 分派至“{department}”；代表未绑定 Telegram，未能通知。"
DEPUTY_DEACTIVATED = "已停用代表 {name}。"
DEPUTY_REACTIVATED = "已恢复代表 {name}。"
DEPUTY_UNBOUND = "已解除代表 {name} 的 Telegram 绑定。"
REGISTRY_IMPORTED = "导入完成：新增 {created}，更新 {updated}，未变 {unchanged}。"
REGISTRY_FILE_MISSING = "请选择要导入的 CSV 或 XLSX 文件。"
REGISTRY_FILE_TYPE = "只支持 .csv 或 .xlsx 文件。"
PHOTO_NOT_FOUND = "照片不存在，或未保存到本地。"
REGISTRY_FILE_NAME = "代表信息库"  # the export's download name
DEPARTMENT_SAVED = "已保存“{name}”（第 {version} 版）。"
DEPARTMENT_CREATED = "已新增承办单位“{name}”。"
ROUTER_NOT_REFRESHED = "{done}但自动分派暂未采用此次修改（已记录错误），将在重启或重新加载后生效。"
RETRIED_ONE = "已重新排队发送消息 #{id}。"
RETRIED_ALL = "已重新排队发送 {count} 条消息。"
RETRIED_NONE = "没有需要重试的消息。"
