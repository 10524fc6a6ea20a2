"""The words for what a use case refused (bot/core/refusal.py), for the consoles and the CLI:
one table from each service's reason to the Chinese the person at the screen reads."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from bot.core.clock import CHINA_TIME
from bot.core.refusal import Refusal
from bot.services.console.auth import AccountProblem, LoginProblem
from bot.services.deputies.admin import DeputyAdminProblem
from bot.services.deputies.registry import RowError
from bot.services.deputies.registry_files import RowProblem
from bot.services.routing.catalogue_edits import CatalogueProblem
from bot.services.routing.departments import DepartmentProblem
from bot.services.routing.review import ReviewProblem
from bot.services.routing.triage import TriageProblem
from bot.services.statistics.filters import FilterProblem

# Reasons of different services may share a value ("not_found"): keyed by enum and value.
_WORDS: list[tuple[StrEnum, str]] = [
    # Accounts and sign-in
    (AccountProblem.USERNAME_INVALID, "用户名须为 3–64 位字母、数字、下划线、点或连字符。"),
    (AccountProblem.ROLE_INVALID, "角色须为 admin、operator 或 viewer 之一。"),
    (AccountProblem.PASSWORD_TOO_SHORT, "密码至少 {length} 位。"),
    (AccountProblem.USERNAME_TAKEN, "用户名“{username}”已存在。"),
    (LoginProblem.FAILED, "用户名或密码错误。"),
    (LoginProblem.LOCKED, "密码错误次数过多，账号已锁定，请于 {until} 后再试，或联系管理员。"),
    (LoginProblem.INACTIVE, "该账号已停用，请联系管理员。"),
    # The 派单目录 (catalogue edits)
    (CatalogueProblem.INVALID, "派单目录校验未通过，未保存：{problems}"),
    (CatalogueProblem.NO_CHANGES, "没有修改，未保存新版本。"),
    # Routing review (分类记录)
    (ReviewProblem.DECISION_NOT_FOUND, "分类记录不存在。"),
    (ReviewProblem.DEPARTMENT_UNKNOWN, "所选承办单位不存在或已停用。"),
    (ReviewProblem.ALREADY_REVIEWED, "该分类记录已复核（{status}），无需重复确认。"),
    (
        ReviewProblem.NOTHING_TO_CONFIRM,
        "该反映尚未分派承办单位，无法确认，请在“待人工分派”中分派。",
    ),
    (ReviewProblem.CORRECT_IN_TRIAGE, "该反映正在“待人工分派”队列中，请在该页面分派承办单位。"),
    (ReviewProblem.SAME_DEPARTMENT, "所选承办单位与当前承办单位相同。"),
    (
        ReviewProblem.REVIEWED_MEANWHILE,
        ("该分类记录已被他人复核或更正，本次操作未执行。请刷新页面，查看最新结果后再操作。"),
    ),
    (ReviewProblem.SENDING_NOW, "该工单正在发送给 12345 热线，请稍后（约 1 分钟）再更正。"),
    # Triage (待人工分派)
    (TriageProblem.NOTE_TOO_LONG, "备注不能超过 {length} 个字。"),
    (TriageProblem.REPORT_NOT_FOUND, "反映事项不存在。"),
    (TriageProblem.NOT_IN_TRIAGE, "该反映已不在待人工分派队列中（当前状态：{status}）。"),
    (TriageProblem.DEPARTMENT_UNKNOWN, "所选承办单位不存在或已停用。"),
    (
        TriageProblem.ASSIGNED_MEANWHILE,
        ("该反映刚刚已被他人分派，本次操作未执行。请刷新页面查看最新队列。"),
    ),
    # Departments
    (DepartmentProblem.NOT_FOUND, "承办单位不存在。"),
    (DepartmentProblem.NAME_EMPTY, "单位名称不能为空。"),
    (DepartmentProblem.TOO_LONG, "{field}过长（最多 {length} 个字）。"),
    (DepartmentProblem.CODE_INVALID, "单位代码须为 1–32 位大写字母、数字或下划线。"),
    (DepartmentProblem.CODE_TAKEN, "单位代码“{code}”已存在。"),
    (DepartmentProblem.NO_CHANGES, "没有任何修改。"),
    (
        DepartmentProblem.EDITED_MEANWHILE,
        (
            "该单位已被他人修改（现为第 {version} 版），您的修改未保存。"
            "下面是最新内容，请在此基础上重新修改后保存。"
        ),
    ),
    # The deputy registry
    (DeputyAdminProblem.FILE_TYPE, "只支持 .csv 或 .xlsx 文件。"),
    (DeputyAdminProblem.DEPUTY_NOT_FOUND, "代表不存在。"),
    (RowProblem.FILE_MISSING, "文件不存在：{path}"),
    (RowProblem.FILE_TYPE, "不支持的文件类型 {suffix}：请使用 .csv 或 .xlsx"),
    (RowProblem.UPLOAD_TYPE, "只支持 .csv 或 .xlsx 文件。"),
    (RowProblem.FILE_EMPTY, "文件为空"),
    (RowProblem.ENCODING, "无法识别文件编码：请另存为 UTF-8 的 CSV"),
    (
        RowProblem.XLSX_UNREADABLE,
        (
            "无法读取 XLSX 文件：文件已损坏，或不是 Excel 工作簿（.xlsx）。"
            "旧版 .xls 文件请在 Excel 中另存为 .xlsx 或 CSV 后再导入。"
        ),
    ),
    (RowProblem.HEADER_MISSING, "表头缺少列：{columns}（应为 姓名,手机号,层级,选区,联络站）"),
    (RowProblem.NAME_EMPTY, "姓名为空"),
    (RowProblem.NAME_TOO_LONG, "姓名超过 {limit} 个字"),
    (RowProblem.PHONE_EMPTY, "手机号为空"),
    (RowProblem.PHONE_INVALID, "手机号“{value}”格式不正确（应为 11 位手机号）"),
    (RowProblem.LEVEL_INVALID, "层级“{value}”无效（应为 全国、省、市、县、乡 之一）"),
    (RowProblem.PLACE_TOO_LONG, "选区或联络站超过 {limit} 个字"),
    (RowProblem.PHONE_DUPLICATE, "手机号与第 {first_line} 行重复"),
    # Statistics filters
    (FilterProblem.BAD_DATE, "日期格式不正确：{value}（应为 年-月-日，如 2026-01-31）。"),
    (FilterProblem.BAD_RANGE, "开始日期不能晚于结束日期。"),
    (FilterProblem.BAD_YEAR, "日期须在 {first} 年至 {last} 年之间。"),
    (FilterProblem.BAD_CODE, "{field}参数无效：{value}。"),
    (FilterProblem.BAD_PERIOD, "统计周期只能是“周”或“月”。"),
    (FilterProblem.UNKNOWN, "所选{field}不存在。"),
]
WORDS = {(type(reason), reason.value): text for reason, text in _WORDS}
# Names of the fields that refusals point at.
FIELDS = {
    "department": "承办单位",
    "district": "区县",
    "name": "单位名称",
    "category": "分类",
    "duty": "职责",
    "alias_count": "别名数量",
    "keyword_count": "关键词数量",
    "alias": "别名",
    "keyword": "关键词",
}


def words(refusal: Refusal) -> str:
    return say(refusal.reason, refusal.details)


def say(reason: StrEnum, details: dict[str, object]) -> str:
    values = dict(details)
    if values.get("suffix") == "":
        values["suffix"] = "(无扩展名)"
    if "field" in values:
        values["field"] = FIELDS.get(str(values["field"]), values["field"])
    return WORDS[type(reason), reason.value].format(**values)


def login_words(problem: LoginProblem, locked_until: datetime | None = None) -> str:
    until = ""
    if locked_until is not None:  # SQLite hands back naive UTC
        aware = locked_until if locked_until.tzinfo else locked_until.replace(tzinfo=UTC)
        until = aware.astimezone(CHINA_TIME).strftime("%H:%M")
    return WORDS[LoginProblem, problem.value].format(until=until)


def row_words(error: RowError) -> str:
    """A registry file's problem: 第 N 行：… (the file as a whole has no line)."""
    reason = say(error.problem, error.details)
    return f"第 {error.line} 行：{reason}" if error.line else reason
