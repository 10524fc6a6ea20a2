"""What a simulated user can send through the control API (text, contact, photo, location,
sticker, voice, document): each payload checked, and turned into the message fields Telegram
would deliver."""

from __future__ import annotations

import base64
import binascii
import io
from typing import Any

from PIL import Image

from emulator.html_entities import detect_entities
from emulator.messages import document_dict, store_photo
from emulator.state import BotState


class ControlError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def need(cond: bool, description: str) -> None:
    if not cond:
        raise ControlError(400, description)


def b64(data: Any, what: str) -> bytes:
    need(isinstance(data, str), f"{what}.data_b64 must be a base64 string")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ControlError(400, f"{what}.data_b64 is not valid base64") from None


def _sticker_file(bot: BotState) -> dict[str, Any]:
    buf = io.BytesIO()
    Image.new("RGBA", (64, 64), (255, 200, 0, 255)).save(buf, "PNG")
    stored = bot.add_file(buf.getvalue(), "sticker", "webp", mime_type="image/webp")
    return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}


def payload_fields(bot: BotState, kind: str, value: Any) -> dict[str, Any]:
    """Message fields for one user payload (album is handled by the caller)."""
    if kind == "text":
        need(isinstance(value, str), "text must be a string")
        return {"text": value, "entities": detect_entities(value, [])}
    need(isinstance(value, dict), f"{kind} must be an object")
    if kind == "contact":
        need(
            isinstance(value.get("phone_number"), str)
            and isinstance(value.get("first_name"), str),
            "contact needs phone_number and first_name strings",
        )
        keys = ("phone_number", "first_name", "last_name", "user_id", "vcard")
        return {"contact": {k: value[k] for k in keys if value.get(k) is not None}}
    if kind == "photo":
        fields: dict[str, Any] = {"photo": store_photo(bot, b64(value.get("data_b64"), "photo"))}
        if value.get("caption"):
            cap = str(value["caption"])
            fields.update(caption=cap, caption_entities=detect_entities(cap, []))
        return fields
    if kind == "location":
        lat, lon = value.get("latitude"), value.get("longitude")
        need(
            isinstance(lat, (int, float)) and isinstance(lon, (int, float)),
            "location needs numeric latitude and longitude",
        )
        return {"location": {"latitude": float(lat), "longitude": float(lon)}}
    if kind == "sticker":
        sticker = {
            **_sticker_file(bot),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": value.get("emoji") or "👍",
        }
        return {"sticker": sticker}
    if kind == "voice":
        duration = value.get("duration", 3)
        need(isinstance(duration, int) and duration >= 0, "voice.duration must be an int")
        stored = bot.add_file(b"OggS" + bytes(64), "voice", "oga", mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(stored.data),
        }
        return {"voice": voice}
    # document
    data = b64(value.get("data_b64"), "document")
    name = str(value.get("file_name") or "file.bin")
    mime = str(value.get("mime_type") or "application/octet-stream")
    ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
    stored = bot.add_file(data, "document", ext, mime_type=mime, file_name=name)
    fields = {"document": document_dict(stored)}
    if value.get("caption"):
        fields["caption"] = str(value["caption"])
    return fields
