"""Who is at the operator console: sign-in with an account (intake/operators.py), the session
cookie, CSRF on every POST, role checks, and the 管理员's pages (accounts, audit log).

CSRF: once signed in, every form echoes the session's own token (stored server-side with the
session); before that, the login form uses a double-submit cookie. A refused or unreadable
POST gets a Chinese page and a 4xx, never a 500."""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from intake import audit, roles, workflow
from intake.api import Handler
from intake.console_render import PREFIX, flash, forbidden, pop_flash, redirect, render
from intake.context import CTX
from intake.operators import AccountError, LoginProblem, Operator
from intake.timeutil import to_local_text

SESSION_COOKIE = "intake_session"
CSRF_COOKIE = "intake_csrf"
OPERATOR = "operator"  # request key: the signed-in Operator or None


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(PREFIX):
        return await handler(request)
    token = request.cookies.get(SESSION_COOKIE)
    operator = await request.app[CTX].accounts.resolve(token[:128]) if token else None
    request[OPERATOR] = operator
    cookie = request.cookies.get(CSRF_COOKIE)
    request["csrf"] = operator.csrf_token if operator else cookie or secrets.token_urlsafe(32)
    if request.method == "POST":
        try:
            form = await request.post()  # handlers read it again: aiohttp keeps it
        except (ValueError, LookupError, AssertionError):  # not UTF-8, bad charset, multipart
            message = "提交的表单无法读取（编码不是 UTF-8 或内容已损坏），未执行任何操作。"
            return render(request, "error.html", status=400, message=message)
        sent = form.get("csrf_token")
        expected = request["csrf"] if operator or cookie else None
        if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
            return render(
                request,
                "error.html",
                status=403,
                message="安全校验失败（CSRF 令牌缺失或无效），请刷新页面后重试。",
            )
    response = await handler(request)
    if operator is None and not cookie:
        response.set_cookie(
            CSRF_COOKIE, request["csrf"], path=PREFIX, httponly=True, samesite="Strict"
        )
    return response


def require(request: web.Request, what: str = "view") -> Operator:
    """The signed-in operator if their role allows `what`; else to the login page or a 403."""
    operator: Operator | None = request.get(OPERATOR)
    if operator is None:
        raise redirect(f"{PREFIX}/login")
    if not operator.can(what):
        raise forbidden(request, f"您的角色（{operator.role_label}）无权执行此操作。")
    return operator


LOGIN_WORDS = {
    LoginProblem.FAILED: "用户名或密码错误。",
    LoginProblem.LOCKED: "密码错误次数过多，账号已锁定，请于 {until} 后再试，或联系管理员。",
    LoginProblem.INACTIVE: "该账号已停用，请联系管理员。",
}


async def login_page(request: web.Request) -> web.StreamResponse:
    if request.get(OPERATOR) is not None:
        raise redirect(f"{PREFIX}/")
    response = render(request, "login.html", title="操作员登录", username="", flash=flash(request))
    pop_flash(request, response)
    return response


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")[:256]
    result = await request.app[CTX].accounts.login(username, password)
    if result.token is None or result.problem is not None:
        problem = result.problem or LoginProblem.FAILED
        until = to_local_text(result.locked_until) if result.locked_until else "稍后"
        return render(
            request,
            "login.html",
            status=429 if problem is LoginProblem.LOCKED else 401,
            title="操作员登录",
            username=username,
            error=LOGIN_WORDS[problem].format(until=until),
        )
    response = redirect(f"{PREFIX}/")
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        path=PREFIX,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        max_age=int(request.app[CTX].accounts.policy.session_lifetime.total_seconds()),
    )
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    operator: Operator | None = request.get(OPERATOR)
    if operator is not None:
        await request.app[CTX].accounts.logout(operator)
    response = redirect(f"{PREFIX}/login", "已退出登录。")
    response.del_cookie(SESSION_COOKIE, path=PREFIX)
    raise response


async def accounts_page(
    request: web.Request, *, status: int = 200, error: str | None = None
) -> web.Response:
    require(request, "accounts")
    response = render(
        request,
        "accounts.html",
        status=status,
        title="操作员账号",
        accounts=await request.app[CTX].accounts.list(),
        roles=roles.LABELS,
        role_label=roles.label,
        error=error,
        flash=None if error else flash(request),
    )
    pop_flash(request, response)
    return response


async def accounts_view(request: web.Request) -> web.Response:
    return await accounts_page(request)


async def account_add(request: web.Request) -> web.StreamResponse:
    admin = require(request, "accounts")
    form = await request.post()
    try:
        row = await request.app[CTX].accounts.add(
            str(form.get("username") or "")[:64],
            str(form.get("password") or "")[:256],
            str(form.get("role") or ""),
            actor=admin.username,
        )
    except AccountError as error:
        return await accounts_page(request, status=422, error=str(error))
    done = f"已创建账号 {row['username']}（{roles.label(row['role'])}）。"
    raise redirect(f"{PREFIX}/accounts", done)


async def account_change(request: web.Request) -> web.StreamResponse:
    admin = require(request, "accounts")
    change = request.match_info["change"]
    try:
        account_id = int(request.match_info["account_id"])
    except ValueError:
        return await accounts_page(request, status=404, error="账号不存在。")
    accounts = request.app[CTX].accounts
    try:
        if change == "unlock":
            await accounts.unlock(account_id, actor=admin.username)
        elif change in ("disable", "enable"):
            if change == "disable" and account_id == admin.id:
                return await accounts_page(request, status=409, error="不能停用自己的账号。")
            await accounts.set_active(account_id, change == "enable", actor=admin.username)
        else:
            return await accounts_page(request, status=404, error="未知的操作。")
    except AccountError as error:
        return await accounts_page(request, status=404, error=str(error))
    raise redirect(f"{PREFIX}/accounts", "账号已更新。")


async def audit_page(request: web.Request) -> web.Response:
    require(request, "audit")
    return render(
        request,
        "audit.html",
        title="操作日志",
        entries=await audit.recent(request.app[CTX].store.engine),
        labels=audit.LABELS,
        action_labels={code: action.label for code, action in workflow.ACTIONS.items()},
    )


def setup(app: web.Application) -> None:
    app.router.add_get(f"{PREFIX}/login", login_page)
    app.router.add_post(f"{PREFIX}/login", login)
    app.router.add_post(f"{PREFIX}/logout", logout)
    app.router.add_get(f"{PREFIX}/accounts", accounts_view)
    app.router.add_post(f"{PREFIX}/accounts", account_add)
    app.router.add_post(f"{PREFIX}/accounts/{{account_id}}/{{change}}", account_change)
    app.router.add_get(f"{PREFIX}/audit", audit_page)
