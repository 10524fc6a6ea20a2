"""The Bot API front door (`/bot{token}/{method}`, `/file/bot{token}/...`) and the methods that
are about the bot itself: getMe, getUpdates, webhooks, commands, menu button, descriptions.

Message methods live in ``botapi_messages``; both register into ``registry.METHODS``.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import time
from typing import Any

from aiohttp import web

from emulator import (
    botapi_messages,  # noqa: F401  (registers the message methods)
    webhook,
)
from emulator.messages import find_chat
from emulator.params import ApiError, bad_request, read_params
from emulator.quirks import refusal_body
from emulator.registry import METHODS, Call, method
from emulator.state import BotState, World

TOKEN_RE = re.compile(r"^(\d+):[\w-]{5,}$")
SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WORLD_KEY: web.AppKey[World] = web.AppKey("world", World)
DEFAULT_UPDATE_TYPES = None  # None = every type except the opt-in ones (none are emulated)
MAX_POLL_TIMEOUT = 50
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


def error_response(code: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": code, "description": description}, status=code
    )


def bot_for_token(world: World, token: str) -> BotState | None:
    """The bot a token names (created on first use); None when the token is malformed or a
    different secret was already seen for the same bot id."""
    m = TOKEN_RE.match(token)
    if not m:
        return None
    bot = world.bot(int(m.group(1)), token)
    if bot is None or bot.token != token:
        return None
    return bot


async def handle_call(request: web.Request) -> web.Response:
    world = request.app[WORLD_KEY]
    bot = bot_for_token(world, request.match_info["token"])
    if bot is None:
        return error_response(401, "Unauthorized")
    name = request.match_info["method"]
    handler = METHODS.get(name.lower())
    if handler is None:
        bot.log_request(name, dict(request.query), "Not Found")
        return error_response(404, "Not Found")
    if world.quirks.refuses(name):  # a server that is not Telegram (see emulator/quirks.py)
        bot.log_request(name, {}, "refused (quirk)")
        return web.json_response(refusal_body(name), status=500)
    try:
        params = await read_params(request)
    except ApiError as exc:
        bot.log_request(name, {}, exc.description)
        return error_response(exc.code, exc.description)
    try:
        result = await handler(Call(world, bot, params))
    except ApiError as exc:
        bot.log_request(name, params.logged(), exc.description)
        return error_response(exc.code, exc.description)
    bot.log_request(name, params.logged(), None)
    return web.json_response({"ok": True, "result": result})


async def handle_file(request: web.Request) -> web.Response:
    world = request.app[WORLD_KEY]
    bot = bot_for_token(world, request.match_info["token"])
    if bot is None:
        return error_response(401, "Unauthorized")
    stored = bot.files_by_path.get(request.match_info["path"])
    if stored is None:
        return error_response(404, "Not Found")
    ctype = stored.mime_type or mimetypes.guess_type(stored.file_path)[0]
    return web.Response(body=stored.data, content_type=ctype or "application/octet-stream")


# -- the bot itself --------------------------------------------------------------------------


@method("getMe")
async def get_me(call: Call) -> dict[str, Any]:
    return {
        **call.bot.user_dict(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("logOut", "close")
async def log_out(call: Call) -> bool:
    return True


def _confirm(bot: BotState, offset: int) -> None:
    if offset > 0:
        bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
    elif offset < 0:
        bot.updates = bot.updates[offset:]


def _deliverable(bot: BotState, limit: int) -> list[dict[str, Any]]:
    if bot.allowed_updates:
        # Telegram never stores updates of types the bot opted out of.
        allowed = set(bot.allowed_updates)
        bot.updates = [u for u in bot.updates if (set(u) - {"update_id"}) & allowed]
    return bot.updates[:limit]


@method("getUpdates")
async def get_updates(call: Call) -> list[dict[str, Any]]:
    bot, p, world = call.bot, call.params, call.world
    offset = p.get_int("offset", default=0) or 0
    limit = min(max(p.get_int("limit", default=100) or 100, 1), 100)
    timeout = min(max(p.get_int("timeout", default=0) or 0, 0), MAX_POLL_TIMEOUT)
    allowed = p.get_json("allowed_updates", "can't parse allowed updates JSON object")
    if allowed is not None:
        if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
            raise bad_request("can't parse allowed updates JSON object")
        bot.allowed_updates = allowed or DEFAULT_UPDATE_TYPES
    if bot.webhook is not None:
        raise ApiError(409, CONFLICT_WEBHOOK)
    # A newer getUpdates wins: bump the ticket and wake the older poll so it answers 409.
    bot.poll_ticket += 1
    ticket = bot.poll_ticket
    world.notify()
    _confirm(bot, offset)
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        bot.last_poll_time = time.time()
        if bot.poll_ticket != ticket:
            raise ApiError(409, CONFLICT_OTHER_POLL)
        if world.bots.get(bot.bot_id) is not bot:
            return []  # the world was reset under us
        ready = _deliverable(bot, limit)
        if ready or not await world.wait_change(deadline):
            if bot.poll_ticket != ticket:
                raise ApiError(409, CONFLICT_OTHER_POLL)
            return _deliverable(bot, limit)


@method("setWebhook")
async def set_webhook(call: Call) -> bool:
    url = call.params.get_str("url") or ""
    if not url:
        call.bot.webhook = None
        await webhook.set_sender(call.world, call.bot)
        return True
    if not webhook.acceptable_url(url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = call.params.get_str("secret_token")
    if secret is not None and not SECRET_TOKEN_RE.match(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    connections = call.params.get_int("max_connections", default=40) or 40
    if not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = call.params.get_json("allowed_updates", "can't parse allowed updates JSON object")
    if allowed is not None and (
        not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed)
    ):
        raise bad_request("can't parse allowed updates JSON object")
    call.bot.webhook = {
        "url": url,
        "max_connections": connections,
        "allowed_updates": allowed or None,
        "secret_token": secret,
    }
    if call.params.get_bool("drop_pending_updates"):
        call.bot.updates.clear()
    await webhook.set_sender(call.world, call.bot)
    return True


@method("deleteWebhook")
async def delete_webhook(call: Call) -> bool:
    call.bot.webhook = None
    if call.params.get_bool("drop_pending_updates"):
        call.bot.updates.clear()
    await webhook.set_sender(call.world, call.bot)
    return True


@method("getWebhookInfo")
async def get_webhook_info(call: Call) -> dict[str, Any]:
    hook = call.bot.webhook or {}
    info: dict[str, Any] = {
        "url": hook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(call.bot.updates),
    }
    if hook:
        info["max_connections"] = hook.get("max_connections") or 40
        if hook.get("allowed_updates"):
            info["allowed_updates"] = hook["allowed_updates"]
        for key in ("last_error_date", "last_error_message"):
            if key in hook:
                info[key] = hook[key]
    return info


# -- commands, menu button, descriptions -----------------------------------------------------

COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


def commands_key(call: Call) -> str:
    scope = call.params.get_json("scope", "can't parse BotCommandScope JSON object") or {
        "type": "default"
    }
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    lang = call.params.get_str("language_code") or ""
    return json.dumps(scope, sort_keys=True) + "|" + lang


DEFAULT_COMMANDS_KEY = json.dumps({"type": "default"}) + "|"


@method("setMyCommands")
async def set_my_commands(call: Call) -> bool:
    commands = call.params.get_json("commands", "can't parse commands JSON object")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    clean = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name, desc = item.get("command"), item.get("description")
        if not isinstance(name, str) or not COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(desc, str) or not 1 <= len(desc.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": name, "description": desc})
    call.bot.commands[commands_key(call)] = clean
    return True


@method("getMyCommands")
async def get_my_commands(call: Call) -> list[dict[str, Any]]:
    return call.bot.commands.get(commands_key(call), [])


@method("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(commands_key(call), None)
    return True


@method("setChatMenuButton")
async def set_chat_menu_button(call: Call) -> bool:
    button = call.params.get_json("menu_button", "can't parse menu button JSON object")
    if button is not None and (not isinstance(button, dict) or "type" not in button):
        raise bad_request("can't parse menu button JSON object")
    chat_id = call.params.get_str("chat_id")
    if chat_id:
        find_chat(call.bot, chat_id)
    call.bot.menu_buttons[chat_id or ""] = button or {"type": "default"}
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(call: Call) -> dict[str, Any]:
    buttons = call.bot.menu_buttons
    chat_id = call.params.get_str("chat_id") or ""
    return buttons.get(chat_id) or buttons.get("") or {"type": "commands"}


def _text_setting(key: str, field: str, limit: int) -> None:
    async def setter(call: Call) -> bool:
        value = call.params.get_str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field} is too long")
        lang = call.params.get_str("language_code") or ""
        call.bot.texts[f"{key}|{lang}"] = value
        return True

    async def getter(call: Call) -> dict[str, str]:
        lang = call.params.get_str("language_code") or ""
        texts = call.bot.texts
        fallback = call.bot.first_name if key == "name" else ""
        return {field: texts.get(f"{key}|{lang}", texts.get(f"{key}|", fallback))}

    cap = key.title().replace("_", "")
    method(f"setMy{cap}")(setter)
    method(f"getMy{cap}")(getter)


_text_setting("description", "description", 512)
_text_setting("short_description", "short_description", 120)
_text_setting("name", "name", 64)


@method("getChat")
async def get_chat(call: Call) -> dict[str, Any]:
    chat = find_chat(call.bot, call.params.get_str("chat_id"))
    return {
        **chat.info,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
        },
    }


# Everything an administrator may do, as Telegram lists it for a fully trusted admin.
_ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories", "can_pin_messages",
)  # fmt: skip


def member_dict(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember object of the given status, with the fields that status requires."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "kicked":
        member["until_date"] = 0  # banned for ever
    return member


@method("getChatMember")
async def get_chat_member(call: Call) -> dict[str, Any]:
    chat = find_chat(call.bot, call.params.get_str("chat_id"))
    user_id = call.params.get_int("user_id", required=True)
    if user_id == call.bot.bot_id:
        return member_dict(
            call.bot.user_dict(), "administrator" if chat.info["id"] < 0 else "member"
        )
    user = call.world.users.get(user_id or 0)
    if user is None:
        raise bad_request("user not found")
    if chat.info["type"] == "private":
        if user_id != chat.info["id"]:
            raise bad_request("user not found")
        return member_dict(user, "member")
    # Someone never seen in the group has status "left", as Telegram reports it.
    return member_dict(user, chat.members.get(user["id"], "left"))
