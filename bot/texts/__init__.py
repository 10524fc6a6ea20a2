"""Every Chinese text the bot shows, in one place. User-supplied values are escaped by callers
through `esc` (messages are sent in HTML parse mode)."""

from __future__ import annotations

from html import escape

from bot.services.deputies.view import DeputyView


def esc(value: object) -> str:
    return escape(str(value), quote=False)


# Buttons
BTN_SHARE_CONTACT = "📱 分享手机号验证身份"
BTN_REPORT = "📝 反映社情民意"
BTN_MY_REPORTS = "📋 我的反映"
BTN_HELP = "❓ 帮助"
BTN_CONFIRM_UNBIND = "确认解绑"
BTN_CANCEL = "取消"

# Command menu (setMyCommands)
COMMANDS: dict[str, str] = {
    "start": "开始 / 验证代表身份",
    "report": "反映社情民意",
    "my": "我的反映",
    "whoami": "查看我的代表信息",
    "help": "使用帮助",
    "cancel": "取消当前操作",
    "unbind": "解除账号绑定",
}

ASK_CONTACT = (
    "您好！这里是<b>代表直通 12345</b>，人大代表反映社情民意的专用通道。\n\n"
    "为确认您的代表身份，请点击下方按钮<b>分享您在代表信息库登记的手机号</b>。"
)
CONTACT_NOT_OWN = "只能分享<b>您本人</b>的手机号，请点击下方按钮“分享手机号验证身份”。"
CONTACT_INVALID_PHONE = "无法识别该手机号，请使用中国大陆手机号注册的账号，或联系代表工委。"
CONTACT_UNKNOWN = (
    "抱歉，代表信息库中没有找到该手机号。\n"
    "本通道仅供各级人大代表使用。如您是人大代表，请联系所在人大代表工委核实登记信息，"
    "我们已记录本次验证请求。"
)
CONTACT_INACTIVE = "您的代表信息已停用，如有疑问请联系所在人大代表工委。"
CONTACT_PHONE_TAKEN = "该手机号已绑定其他 Telegram 账号。如需换绑，请联系所在人大代表工委。"


def contact_account_taken(deputy: DeputyView) -> str:
    return f"您的账号已绑定为代表 <b>{esc(deputy.name)}</b>。如需更换，请先发送 /unbind 解除绑定。"


def welcome(deputy: DeputyView) -> str:
    return (
        f"验证成功！欢迎您，<b>{esc(deputy.name)}</b> 代表。\n"
        f"层级：{esc(level_label(deputy.level))}\n"
        f"联络站：{esc(deputy.station or '未登记')}\n\n"
        "点击“反映社情民意”即可提交群众反映的问题，我们会转交 12345 热线并全程跟踪办理。"
    )


def welcome_back(deputy: DeputyView) -> str:
    return f"欢迎回来，<b>{esc(deputy.name)}</b> 代表！请选择下方功能。"


def whoami(deputy: DeputyView) -> str:
    return (
        "<b>我的代表信息</b>\n"
        f"姓名：{esc(deputy.name)}\n"
        f"层级：{esc(level_label(deputy.level))}\n"
        f"选区/代表团：{esc(deputy.constituency or '未登记')}\n"
        f"联络站：{esc(deputy.station or '未登记')}\n"
        f"手机号：{esc(deputy.phone_masked)}"
    )


def level_label(level: str) -> str:
    return "全国人大代表" if level == "全国" else f"{level}级人大代表"


NOT_BOUND = "您尚未验证代表身份，请先发送 /start 并分享手机号。"
UNBIND_CONFIRM = "解除绑定后需重新验证身份才能提交反映，确定要解除吗？"
UNBIND_DONE = "已解除绑定。如需再次使用，请发送 /start 重新验证。"
REVERIFY_HINT = "如需重新验证，请发送 /start。"
UNBIND_CANCELLED = "已取消，绑定保持不变。"

HELP = (
    "<b>代表直通 12345 使用帮助</b>\n\n"
    "“群众提、代表议、政府办、人大督、代表评”\n\n"
    "/start — 验证代表身份\n"
    "/report — 反映社情民意（文字、照片、位置）\n"
    "/my — 查看我的反映及办理进度\n"
    "/whoami — 查看我的代表信息\n"
    "/cancel — 取消当前操作\n"
    "/unbind — 解除账号绑定\n\n"
    "紧急情况请直接拨打 110（报警）、119（火警）、120（急救）。"
)
DANGER_FOLLOW_UP = (
    "确认人员安全、险情得到处置后，如需向 12345 反映后续问题（如隐患整改），"
    "请点击下方“反映社情民意”。"
)
MAIN_MENU_HINT = "请使用下方菜单选择功能，或发送 /help 查看帮助。"
UNKNOWN_COMMAND = "无法识别该命令。发送 /help 查看可用命令。"
UNSUPPORTED_CONTENT = "暂不支持贴纸、语音等消息，请发送文字。"
EMPTY_TEXT = "消息内容为空，请输入文字。"
THROTTLED = "操作过于频繁，请稍候再试。"
ERROR = "抱歉，系统出现异常，您的操作未能完成，请稍后重试。如问题持续，请联系代表工委。"
STALE_BUTTON = "该按钮已过期。"
NOT_YOUR_BUTTON = "这不是您的操作按钮。"
