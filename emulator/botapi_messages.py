"""Bot API methods that create or change messages: send*, edit*, deleteMessage,
answerCallbackQuery, sendChatAction and getFile. Each refuses what Telegram refuses."""

from __future__ import annotations

import mimetypes
import time
from typing import Any

from emulator.html_entities import u16len
from emulator.markup import parse_reply_markup
from emulator.messages import add_message, document_dict, find_chat, now, store_photo
from emulator.params import Upload, bad_request, caption, format_text, message_text
from emulator.registry import Call, method
from emulator.state import ChatState, StoredFile, StoredMessage

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}  # fmt: skip
WRONG_FILE = "wrong file identifier/HTTP URL specified"


def _reply_target(call: Call, chat: ChatState) -> StoredMessage | None:
    p = call.params
    params = p.get_json("reply_parameters", "can't parse reply parameters JSON object")
    if params is not None:
        if not isinstance(params, dict) or not isinstance(params.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        mid, allow = params["message_id"], bool(params.get("allow_sending_without_reply"))
        if params.get("chat_id") not in (None, chat.info["id"], str(chat.info["id"])):
            chat = find_chat(call.bot, str(params["chat_id"]))
    else:
        mid = p.get_int("reply_to_message_id") or 0
        allow = p.get_bool("allow_sending_without_reply")
        if not mid:
            return None
    target = chat.messages.get(mid)
    if target is None or target.deleted:
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return target


def _send(call: Call, chat: ChatState, fields: dict[str, Any], with_markup: bool = True) -> Any:
    inline, other = parse_reply_markup(call.params) if with_markup else (None, None)
    reply_to = _reply_target(call, chat)
    fields = {**fields, "reply_markup": inline}
    msg = add_message(
        call.world,
        call.bot,
        chat,
        call.bot.user_dict(),
        fields,
        from_bot=True,
        reply_to=reply_to,
        sent_reply_markup=other,
    )
    return msg.data


def _caption_fields(cap: tuple[str, list[Any]] | None) -> dict[str, Any]:
    if cap is None:
        return {}
    return {"caption": cap[0], "caption_entities": cap[1]}


@method("sendMessage")
async def send_message(call: Call) -> Any:
    chat = find_chat(call.bot, call.params.get_str("chat_id"))
    text, entities = message_text(call.params)
    return _send(call, chat, {"text": text, "entities": entities})


def _input_file(call: Call, field: str, value: Any = None) -> Upload | StoredFile:
    """A file parameter: direct multipart upload, ``attach://name``, or an existing file_id."""
    p = call.params
    if value is None and field in p.files:
        return p.files[field]
    value = p.get_str(field) if value is None else value
    if not value or not isinstance(value, str):
        raise bad_request(f"there is no {field} in the request")
    if value.startswith("attach://"):
        upload = p.files.get(value[len("attach://") :])
        if upload is None:
            raise bad_request(WRONG_FILE)
        return upload
    stored = call.bot.files.get(value)
    if stored is None:  # also every http(s) URL: the emulator has no network
        raise bad_request(WRONG_FILE)
    return stored


def _photo_sizes(call: Call, source: Upload | StoredFile) -> list[dict[str, Any]]:
    if isinstance(source, Upload):
        return store_photo(call.bot, source.data)
    if source.kind != "photo" or not source.photo_sizes:
        raise bad_request(f"can't use file of type {source.kind.title()} as Photo")
    return source.photo_sizes


def _document(call: Call, source: Upload | StoredFile) -> dict[str, Any]:
    if isinstance(source, StoredFile):
        return document_dict(source)
    if len(source.data) > 50 * 1024 * 1024:
        raise bad_request("file is too big")
    if not source.data:
        raise bad_request("file must be non-empty")
    name = source.filename or "document"
    mime = mimetypes.guess_type(name)[0] or source.content_type or "application/octet-stream"
    ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
    stored = call.bot.add_file(source.data, "document", ext, mime_type=mime, file_name=name)
    return document_dict(stored)


@method("sendPhoto")
async def send_photo(call: Call) -> Any:
    chat = find_chat(call.bot, call.params.get_str("chat_id"))
    cap = caption(call.params)
    sizes = _photo_sizes(call, _input_file(call, "photo"))
    return _send(call, chat, {"photo": sizes, **_caption_fields(cap)})


@method("sendDocument")
async def send_document(call: Call) -> Any:
    chat = find_chat(call.bot, call.params.get_str("chat_id"))
    cap = caption(call.params)
    doc = _document(call, _input_file(call, "document"))
    return _send(call, chat, {"document": doc, **_caption_fields(cap)})


@method("sendLocation")
async def send_location(call: Call) -> Any:
    chat = find_chat(call.bot, call.params.get_str("chat_id"))
    lat = call.params.get_float("latitude", required=True)
    lon = call.params.get_float("longitude", required=True)
    assert lat is not None and lon is not None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise bad_request("wrong coordinates specified")
    return _send(call, chat, {"location": {"latitude": lat, "longitude": lon}})


def _item_caption(item: dict[str, Any]) -> dict[str, Any]:
    raw = item.get("caption")
    if not raw:
        return {}
    text, entities = format_text(str(raw), item.get("parse_mode"), item.get("caption_entities"))
    if u16len(text) > 1024:
        raise bad_request("message caption is too long")
    return {"caption": text, "caption_entities": entities} if text else {}


@method("sendMediaGroup")
async def send_media_group(call: Call) -> Any:
    chat = find_chat(call.bot, call.params.get_str("chat_id"))
    media = call.params.get_json("media", "can't parse media JSON object")
    if not isinstance(media, list) or not all(isinstance(m, dict) for m in media):
        raise bad_request("can't parse media JSON object")
    if not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media in the album: must be 2-10")
    kinds = {m.get("type") for m in media}
    if not kinds <= {"photo", "document"} or len(kinds) != 1:
        raise bad_request("MEDIA_INVALID: the emulator supports albums of photos or documents")
    prepared = []  # validate everything before storing any message
    for item in media:
        extra = _item_caption(item)
        source = _input_file(call, "media", item.get("media"))
        if item["type"] == "photo":
            prepared.append({"photo": _photo_sizes(call, source), **extra})
        else:
            prepared.append({"document": _document(call, source), **extra})
    reply_to = _reply_target(call, chat)
    group_id = str(next(call.bot.media_group_counter))
    out = []
    for fields in prepared:
        msg = add_message(
            call.world,
            call.bot,
            chat,
            call.bot.user_dict(),
            {**fields, "media_group_id": group_id},
            from_bot=True,
            reply_to=reply_to,
        )
        out.append(msg.data)
    return out


@method("sendChatAction")
async def send_chat_action(call: Call) -> bool:
    chat = find_chat(call.bot, call.params.get_str("chat_id"))
    action = call.params.get_str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    call.world.add_event(call.bot, chat.info["id"], "chat_action", action=action)
    return True


# -- edits -----------------------------------------------------------------------------------


def _editable(call: Call) -> StoredMessage:
    if call.params.get_str("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # no inline mode in the emulator
    chat = find_chat(call.bot, call.params.get_str("chat_id"))
    mid = call.params.get_int("message_id", required=True)
    msg = chat.messages.get(mid or 0)
    if msg is None or msg.deleted:
        raise bad_request("message to edit not found")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    return msg


def _apply_edit(call: Call, msg: StoredMessage, changes: dict[str, Any]) -> Any:
    current = {k: msg.data.get(k) for k in changes}
    normalized = {k: (v if v not in ([], None) else None) for k, v in changes.items()}
    if {k: (v if v not in ([], None) else None) for k, v in current.items()} == normalized:
        raise bad_request(NOT_MODIFIED)
    for key, value in normalized.items():
        if value is None:
            msg.data.pop(key, None)
        else:
            msg.data[key] = value
    msg.data["edit_date"] = now()
    msg.edit_count += 1
    call.world.add_event(call.bot, msg.chat_id, "edit", message=msg.control_dict())
    return msg.data


@method("editMessageText")
async def edit_message_text(call: Call) -> Any:
    msg = _editable(call)
    text, entities = message_text(call.params)
    inline, _ = parse_reply_markup(call.params, inline_only=True)
    if "text" not in msg.data:
        raise bad_request("there is no text in the message to edit")
    return _apply_edit(call, msg, {"text": text, "entities": entities, "reply_markup": inline})


@method("editMessageCaption")
async def edit_message_caption(call: Call) -> Any:
    msg = _editable(call)
    cap = caption(call.params)
    inline, _ = parse_reply_markup(call.params, inline_only=True)
    if "text" in msg.data or "location" in msg.data:
        raise bad_request("there is no caption in the message to edit")
    text, entities = cap if cap else (None, None)
    changes = {"caption": text, "caption_entities": entities, "reply_markup": inline}
    return _apply_edit(call, msg, changes)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> Any:
    msg = _editable(call)
    inline, _ = parse_reply_markup(call.params, inline_only=True)
    return _apply_edit(call, msg, {"reply_markup": inline})


@method("deleteMessage")
async def delete_message(call: Call) -> bool:
    chat = find_chat(call.bot, call.params.get_str("chat_id"))
    msg = chat.messages.get(call.params.get_int("message_id", required=True) or 0)
    if msg is None or msg.deleted:
        raise bad_request("message to delete not found")
    if not msg.from_bot and chat.info["type"] != "private":
        raise bad_request("message can't be deleted")
    msg.deleted = True
    call.world.add_event(call.bot, msg.chat_id, "delete", message=msg.control_dict())
    return True


@method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> bool:
    record = call.bot.callbacks.get(call.params.get_str("callback_query_id") or "")
    if record is None or record.answer is not None:
        raise bad_request(QUERY_TOO_OLD)
    text = call.params.get_str("text") or ""
    if len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    show_alert = call.params.get_bool("show_alert")
    record.answer = {
        "text": text or None,
        "show_alert": show_alert,
        "url": call.params.get_str("url"),
        "answered_at": time.time(),
    }
    call.world.add_event(
        call.bot,
        record.chat_id,
        "callback_answer",
        callback_query_id=record.id,
        text=text or None,
        show_alert=show_alert,
    )
    return True


@method("getFile")
async def get_file(call: Call) -> dict[str, Any]:
    stored = call.bot.files.get(call.params.get_str("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > 20 * 1024 * 1024:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }
