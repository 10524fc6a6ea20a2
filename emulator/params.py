"""Reading Bot API parameters the way Telegram does: query string, urlencoded or multipart form,
or a JSON body, with complex values (reply_markup, entities, media...) as JSON strings.

Also holds ``ApiError`` and the text/caption formatting step shared by all send/edit methods.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from emulator.html_entities import (
    EntityParseError,
    check_entities,
    detect_entities,
    parse_html,
    sort_entities,
    strip_text,
    u16len,
)


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class Upload:
    field: str
    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Parameters of one call plus the uploaded files (multipart parts with a filename)."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload]) -> None:
        self.values = values
        self.files = files

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.files

    def get_str(self, name: str, required: bool = False, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return default
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        return str(value) if not isinstance(value, bool) else ("true" if value else "false")

    def get_int(self, name: str, required: bool = False, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return default
        try:
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str, required: bool = False) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1", "yes")

    def get_json(self, name: str, error: str) -> Any:
        """A JSON-serialized parameter; JSON bodies may carry it already decoded."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, (dict, list)):
            return value
        try:
            return json.loads(str(value))
        except ValueError:
            raise bad_request(error) from None

    def logged(self) -> dict[str, Any]:
        """Params for the request log: file bytes are replaced by a short description."""
        out = dict(self.values)
        for name, up in self.files.items():
            out[name] = f"<file {up.filename or ''} {len(up.data)} bytes>"
        return out


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    ctype = request.content_type
    if request.method == "POST" and request.can_read_body:
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            values.update(body)
        elif ctype == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or not part.name:
                    continue
                data = await part.read(decode=True)
                if part.filename is not None:
                    files[part.name] = Upload(
                        part.name, part.filename, part.headers.get("Content-Type"), bytes(data)
                    )
                else:
                    values[part.name] = bytes(data).decode("utf-8", errors="replace")
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    values[key] = value
                elif isinstance(value, web.FileField):
                    files[key] = Upload(key, value.filename, value.content_type, value.file.read())
    return Params(values, files)


def format_text(
    text: str,
    parse_mode: str | None,
    raw_entities: Any,
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode / explicit entities, trim like Telegram, add automatic entities."""
    try:
        if raw_entities is not None:
            entities = check_entities(raw_entities, text)
        elif parse_mode and parse_mode.lower() == "html":
            text, entities = parse_html(text)
        elif parse_mode:
            if parse_mode.lower() in ("markdown", "markdownv2"):
                raise bad_request(
                    f"unsupported parse_mode {parse_mode!r}: the emulator implements HTML only"
                )
            raise bad_request("unsupported parse_mode")
        else:
            entities = []
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    text, entities = strip_text(text, sort_entities(entities))
    return text, detect_entities(text, entities)


def message_text(params: Params, field: str = "text", limit: int = 4096) -> tuple[str, list[Any]]:
    raw = params.get_str(field)
    if raw is None or raw == "":
        raise bad_request("message text is empty")
    text, entities = format_text(
        raw,
        params.get_str("parse_mode"),
        params.get_json("entities", "can't parse entities JSON object"),
    )
    if not text:
        raise bad_request("message text is empty")
    if u16len(text) > limit:
        raise bad_request("message is too long")
    return text, entities


def caption(params: Params, caption_field: str = "caption") -> tuple[str, list[Any]] | None:
    raw = params.get_str(caption_field)
    if not raw:
        return None
    text, entities = format_text(
        raw,
        params.get_str("parse_mode"),
        params.get_json("caption_entities", "can't parse caption entities JSON object"),
    )
    if u16len(text) > 1024:
        raise bad_request("message caption is too long")
    return (text, entities) if text else None
