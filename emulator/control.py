"""Control API under ``/_emu``: how tests and the web chat act as Telegram users and look at
what the bot did. JSON in, ``{"ok": true, "result": ...}`` out; errors use the Bot API error
shape ``{"ok": false, "error_code": N, "description": ...}``.
"""

from __future__ import annotations

import asyncio
import secrets
import zlib
from typing import Any

from aiohttp import web

from emulator.botapi import WORLD_KEY, error_response
from emulator.html_entities import detect_entities
from emulator.markup import find_callback_button
from emulator.messages import add_message, store_photo
from emulator.params import ApiError
from emulator.state import BotState, CallbackRecord, ChatState, World
from emulator.user_payloads import ControlError, b64, need, payload_fields

PAYLOADS = ("text", "contact", "photo", "album", "location", "sticker", "voice", "document")
MEMBER_STATUSES = ("creator", "administrator", "member", "left", "kicked")
routes = web.RouteTableDef()


@web.middleware
async def control_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except ControlError as exc:
        return error_response(exc.code, exc.description)
    except ApiError as exc:  # e.g. an undecodable photo: same text Telegram would use
        return error_response(400, exc.description)


def ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def world_of(request: web.Request) -> World:
    return request.app[WORLD_KEY]


def bot_of(request: web.Request) -> BotState:
    try:
        bot_id = int(request.match_info["bot_id"])
    except ValueError:
        raise ControlError(404, "unknown bot id") from None
    bot = world_of(request).bot(bot_id, create=False)
    if bot is None:
        raise ControlError(404, f"unknown bot {bot_id}: it has not called the Bot API yet")
    return bot


async def json_body(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise ControlError(400, "body is not valid JSON") from None


def user_of(world: World, body: dict[str, Any]) -> dict[str, Any]:
    user = body.get("user")
    if not (
        isinstance(user, dict)
        and isinstance(user.get("id"), int)
        and user["id"] > 0
        and isinstance(user.get("first_name"), str)
    ):
        raise ControlError(400, 'body needs "user": {"id": positive int, "first_name": str}')
    return world.remember_user(user)


def chat_for_send(
    world: World, bot: BotState, body: dict[str, Any], user: dict[str, Any]
) -> ChatState:
    info = body.get("chat")
    if info is None:
        return world.ensure_chat(bot, world.private_chat_info(user))
    need(
        isinstance(info, dict)
        and isinstance(info.get("id"), int)
        and info.get("type") in ("group", "supergroup")
        and info["id"] < 0
        and isinstance(info.get("title"), str),
        'chat must be {"id": negative int, "type": "group"|"supergroup", "title": str}',
    )
    return world.ensure_chat(bot, {"id": info["id"], "type": info["type"], "title": info["title"]})


def sender_in_chat(chat: ChatState, user: dict[str, Any]) -> None:
    """Writing in a group makes a newcomer a member; one who left or was removed cannot write.
    (Pressing a button needs no membership: non-members may read a public supergroup.)"""
    if chat.info["type"] == "private":
        return
    if chat.members.setdefault(user["id"], "member") in ("left", "kicked"):
        raise ControlError(403, "Forbidden: the user is not a member of the group chat")


@routes.post("/_emu/bots/{bot_id}/send")
async def send(request: web.Request) -> web.Response:
    world, bot, body = world_of(request), bot_of(request), await json_body(request)
    need(isinstance(body, dict), "body must be a JSON object")
    user = user_of(world, body)
    chat = chat_for_send(world, bot, body, user)
    sender_in_chat(chat, user)
    kinds = [k for k in PAYLOADS if k in body]
    need(len(kinds) == 1, f"exactly one payload of {', '.join(PAYLOADS)} is required")
    reply_to = None
    if body.get("reply_to_message_id") is not None:
        reply_to = chat.messages.get(body["reply_to_message_id"])
        need(reply_to is not None, "reply_to_message_id: no such message in this chat")
    kind, value = kinds[0], body[kinds[0]]
    if kind != "album":
        msg = add_message(
            world, bot, chat, user, payload_fields(bot, kind, value),
            from_bot=False, reply_to=reply_to,
        )  # fmt: skip
        world.enqueue_update(bot, "message", msg.data)
        return ok(msg.data)
    need(isinstance(value, dict) and isinstance(value.get("items"), list), "album.items: list")
    need(1 <= len(value["items"]) <= 10, "album needs 1-10 items")
    sizes = [store_photo(bot, b64(item.get("data_b64"), "album item")) for item in value["items"]]
    group_id = str(next(bot.media_group_counter))
    out = []
    for i, photo in enumerate(sizes):
        fields: dict[str, Any] = {"photo": photo, "media_group_id": group_id}
        if i == 0 and value.get("caption"):
            cap = str(value["caption"])
            fields.update(caption=cap, caption_entities=detect_entities(cap, []))
        msg = add_message(world, bot, chat, user, fields, from_bot=False, reply_to=reply_to)
        world.enqueue_update(bot, "message", msg.data)
        out.append(msg.data)
    return ok(out)


@routes.post("/_emu/bots/{bot_id}/press")
async def press(request: web.Request) -> web.Response:
    world, bot, body = world_of(request), bot_of(request), await json_body(request)
    need(isinstance(body, dict), "body must be a JSON object")
    user = user_of(world, body)
    chat_id = body.get("chat_id", user["id"])
    chat: ChatState | None = bot.chats.get(chat_id) if isinstance(chat_id, int) else None
    need(chat is not None, f"chat {chat_id} not found")
    assert chat is not None
    data, force = body.get("data"), bool(body.get("force"))
    need(isinstance(data, str), "data must be a string")
    msg = chat.messages.get(body.get("message_id"))
    need(msg is not None, f"message {body.get('message_id')} not found in chat {chat_id}")
    assert msg is not None
    if not force:
        need(msg.from_bot, f"message {msg.message_id} was not sent by the bot")
        need(not msg.deleted, f"message {msg.message_id} was deleted")
        need(
            find_callback_button(msg.data.get("reply_markup"), data) is not None,
            f"message {msg.message_id} has no inline button with callback_data {data!r}",
        )
    cq_id = str(secrets.randbelow(9 * 10**18) + 10**18)
    bot.callbacks[cq_id] = CallbackRecord(cq_id, chat.info["id"], msg.message_id, data)
    instance = str(zlib.crc32(f"{bot.bot_id}:{chat.info['id']}".encode()) * 1000003)
    query = {
        "id": cq_id,
        "from": user,
        "message": dict(msg.data),
        "chat_instance": instance,
        "data": data,
    }
    if world.quirks.omit_optional_fields:
        del query["chat_instance"]
    update_id = world.enqueue_update(bot, "callback_query", query)
    return ok({"callback_query_id": cq_id, "update_id": update_id})


@routes.post("/_emu/bots/{bot_id}/members")
async def set_member(request: web.Request) -> web.Response:
    """Extra: a user joins, leaves or is removed from a group, which is created when new (as a
    bot added to it would see it). Body: {"user", "chat", "status"} (status default member)."""
    world, bot, body = world_of(request), bot_of(request), await json_body(request)
    need(isinstance(body, dict) and body.get("chat") is not None, 'body needs "chat": a group')
    user = user_of(world, body)
    chat = chat_for_send(world, bot, body, user)
    status = body.get("status", "member")
    need(status in MEMBER_STATUSES, f"status must be one of {', '.join(MEMBER_STATUSES)}")
    chat.members[user["id"]] = status
    return ok({"chat_id": chat.info["id"], "user_id": user["id"], "status": status})


def chat_id_of(request: web.Request) -> int:
    try:
        return int(request.match_info["chat_id"])
    except ValueError:
        raise ControlError(400, "chat_id must be an integer") from None


@routes.get("/_emu/bots/{bot_id}/chats/{chat_id}/messages")
async def messages(request: web.Request) -> web.Response:
    chat = bot_of(request).chats.get(chat_id_of(request))
    if chat is None:
        return ok([])
    return ok([m.control_dict() for m in chat.messages.values()])


@routes.get("/_emu/bots/{bot_id}/chats/{chat_id}/events")
async def events(request: web.Request) -> web.Response:
    world, bot_id, chat_id = world_of(request), bot_of(request).bot_id, chat_id_of(request)
    try:
        after = int(request.query.get("after_seq", "0"))
        timeout = min(max(float(request.query.get("timeout", "0")), 0.0), 60.0)
    except ValueError:
        raise ControlError(400, "after_seq and timeout must be numbers") from None
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        bot = world.bots.get(bot_id)
        chat = bot.chats.get(chat_id) if bot else None
        found = [e for e in chat.events if e["seq"] > after] if chat else []
        if found or not await world.wait_change(deadline):
            return ok(found)


@routes.get("/_emu/bots/{bot_id}/callback_answers/{cq_id}")
async def callback_answer(request: web.Request) -> web.Response:
    record = bot_of(request).callbacks.get(request.match_info["cq_id"])
    if record is None:
        raise ControlError(404, "unknown callback_query_id")
    return ok(record.answer)


@routes.get("/_emu/bots/{bot_id}/commands")
async def commands(request: web.Request) -> web.Response:
    from emulator.botapi import DEFAULT_COMMANDS_KEY

    return ok(bot_of(request).commands.get(DEFAULT_COMMANDS_KEY, []))


@routes.get("/_emu/bots/{bot_id}/requests")
async def requests_log(request: web.Request) -> web.Response:
    log = bot_of(request).request_log
    name = request.query.get("method")
    if name:
        log = [r for r in log if r["method"].lower() == name.lower()]
    if request.query.get("errors_only") in ("1", "true", "yes"):
        log = [r for r in log if not r["ok"]]
    return ok(log)


@routes.get("/_emu/bots/{bot_id}/stats")
async def stats(request: web.Request) -> web.Response:
    bot = bot_of(request)
    return ok({"calls": bot.call_counts, "errors": bot.error_count})


@routes.get("/_emu/bots/{bot_id}/files/{file_id}")
async def file_bytes(request: web.Request) -> web.Response:
    stored = bot_of(request).files.get(request.match_info["file_id"])
    if stored is None:
        raise ControlError(404, "unknown file_id")
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


@routes.put("/_emu/bots/{bot_id}")
async def register_bot(request: web.Request) -> web.Response:
    """Extra: create a bot before it polls, so tests may send first (updates wait in queue)."""
    try:
        bot_id = int(request.match_info["bot_id"])
    except ValueError:
        raise ControlError(400, "bot id must be an integer") from None
    bot = world_of(request).bot(bot_id)
    assert bot is not None
    return ok(bot_summary(bot))


def bot_summary(bot: BotState) -> dict[str, Any]:
    return {
        "id": bot.bot_id,
        "username": bot.username,
        "first_name": bot.first_name,
        "pending_update_count": len(bot.updates),
        "last_poll_time": bot.last_poll_time,
        "webhook_url": (bot.webhook or {}).get("url", ""),
    }


@routes.get("/_emu/bots/{bot_id}/webhook_deliveries")
async def webhook_deliveries(request: web.Request) -> web.Response:
    """Extra: every webhook POST so far (update id, attempt, start, seconds, ok, error)."""
    return ok(bot_of(request).webhook_deliveries)


@routes.put("/_emu/webhook_timeout")
async def set_webhook_timeout(request: web.Request) -> web.Response:
    """Extra: how long a webhook POST waits for its answer (Telegram: about a minute)."""
    body = await json_body(request)
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if not isinstance(seconds, int | float) or not 0 < seconds <= 120:
        raise ControlError(400, 'body must be {"seconds": a number, 0 < s <= 120}')
    world_of(request).webhook_timeout = float(seconds)
    return ok(world_of(request).webhook_timeout)


@routes.get("/_emu/bots")
async def bots(request: web.Request) -> web.Response:
    return ok([bot_summary(b) for b in world_of(request).bots.values()])


@routes.post("/_emu/personas")
async def set_personas(request: web.Request) -> web.Response:
    body = await json_body(request)
    need(isinstance(body, list), "body must be a JSON array of personas")
    clean = []
    for p in body:
        need(
            isinstance(p, dict)
            and isinstance(p.get("id"), int)
            and isinstance(p.get("name"), str)
            and isinstance(p.get("phone"), str),
            'each persona needs {"id": int, "name": str, "phone": str}',
        )
        clean.append({k: p[k] for k in ("id", "name", "phone", "note") if k in p})
    world_of(request).personas = clean
    return ok(clean)


@routes.post("/_emu/places")
async def set_places(request: web.Request) -> web.Response:
    """Extra: the points the web chat offers when the tester sends a location."""
    body = await json_body(request)
    need(isinstance(body, list) and len(body) <= 200, "body must be a JSON array of places")
    clean = []
    for p in body:
        need(
            isinstance(p, dict)
            and isinstance(p.get("name"), str)
            and isinstance(p.get("latitude"), int | float)
            and isinstance(p.get("longitude"), int | float)
            and -90 <= p["latitude"] <= 90
            and -180 <= p["longitude"] <= 180,
            'each place needs {"name": str, "latitude": number, "longitude": number}',
        )
        clean.append({k: p[k] for k in ("name", "district", "latitude", "longitude") if k in p})
    world_of(request).places = clean
    return ok(clean)


@routes.get("/_emu/places")
async def get_places(request: web.Request) -> web.Response:
    return ok(world_of(request).places)


@routes.get("/_emu/personas")
async def get_personas(request: web.Request) -> web.Response:
    return ok(world_of(request).personas)


@routes.post("/_emu/reset")
async def reset(request: web.Request) -> web.Response:
    world_of(request).reset()
    return ok(True)
