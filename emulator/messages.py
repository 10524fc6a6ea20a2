"""Building Message objects and stored media, shared by the Bot API and the control API."""

from __future__ import annotations

import io
import time
from typing import Any

from PIL import Image, UnidentifiedImageError

from emulator.params import bad_request
from emulator.state import BotState, ChatState, StoredFile, StoredMessage, World

PHOTO_MAX_BYTES = 10 * 1024 * 1024
THUMB_SIDES = (90, 320, 800, 1280)


def now() -> int:
    return int(time.time())


def reply_copy(msg: StoredMessage) -> dict[str, Any]:
    """A replied-to message as Telegram embeds it: one level deep, no nested reply."""
    data = dict(msg.data)
    data.pop("reply_to_message", None)
    return data


def add_message(
    world: World,
    bot: BotState,
    chat: ChatState,
    sender: dict[str, Any],
    fields: dict[str, Any],
    *,
    from_bot: bool,
    reply_to: StoredMessage | None = None,
    sent_reply_markup: dict[str, Any] | None = None,
) -> StoredMessage:
    """Store a new message in ``chat``; a bot message also becomes a "message" event."""
    mid = chat.take_message_id()
    data: dict[str, Any] = {"message_id": mid, "from": sender, "chat": dict(chat.info)}
    data["date"] = now()
    if reply_to is not None:
        data["reply_to_message"] = reply_copy(reply_to)
    data.update({k: v for k, v in fields.items() if v is not None and v != []})
    msg = StoredMessage(chat.info["id"], mid, data, from_bot, sent_reply_markup=sent_reply_markup)
    chat.messages[mid] = msg
    if from_bot:
        world.add_event(bot, msg.chat_id, "message", message=msg.control_dict())
    return msg


def find_chat(bot: BotState, raw: str | None) -> ChatState:
    """Resolve a chat_id parameter; Telegram answers "chat not found" for any unknown chat."""
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    if raw.startswith("@"):
        for chat in bot.chats.values():
            if chat.info.get("username", "").lower() == raw[1:].lower():
                return chat
        raise bad_request("chat not found")
    try:
        chat_id = int(raw)
    except ValueError:
        raise bad_request("chat not found") from None
    found = bot.chats.get(chat_id)
    if found is None:
        raise bad_request("chat not found")
    return found


def _encode(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=85)
    return buf.getvalue()


def store_photo(bot: BotState, data: bytes) -> list[dict[str, Any]]:
    """Store an uploaded photo; returns the PhotoSize list, smallest first, like Telegram.

    The largest size keeps the exact uploaded bytes (so tests can inspect e.g. EXIF that the
    bot failed to strip); smaller sizes are real re-encoded thumbnails.
    """
    if len(data) > PHOTO_MAX_BYTES:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise bad_request("IMAGE_PROCESS_FAILED") from None
    width, height = img.size
    if width + height > 10000 or max(width, height) > 20 * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}.get(img.format or "", "jpg")
    originals: list[tuple[bytes, int, int, str]] = []
    for side in THUMB_SIDES:
        if side < max(width, height):
            thumb = img.copy()
            thumb.thumbnail((side, side))
            originals.append((_encode(thumb), thumb.width, thumb.height, "jpg"))
    originals.append((data, width, height, ext))
    sizes: list[dict[str, Any]] = []
    stored: list[StoredFile] = []
    for blob, w, h, e in originals:
        f = bot.add_file(blob, "photo", e, mime_type=f"image/{'jpeg' if e == 'jpg' else e}")
        f.width, f.height = w, h
        stored.append(f)
        sizes.append(
            {
                "file_id": f.file_id,
                "file_unique_id": f.file_unique_id,
                "file_size": len(blob),
                "width": w,
                "height": h,
            }
        )
    for f in stored:
        f.photo_sizes = sizes
    return sizes


def document_dict(f: StoredFile) -> dict[str, Any]:
    out: dict[str, Any] = {"file_id": f.file_id, "file_unique_id": f.file_unique_id}
    if f.file_name:
        out["file_name"] = f.file_name
    if f.mime_type:
        out["mime_type"] = f.mime_type
    out["file_size"] = len(f.data)
    return out
