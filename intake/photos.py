"""Photos on disk next to the DB: <media_dir>/<ticket_no>/<n>.<ext>, listed in tickets.media."""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ALLOWED_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
}
MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class PhotoIn:
    filename: str
    content_type: str
    data: bytes


class PhotoError(ValueError):
    """A photo that cannot be accepted (message names the offending field)."""


def decode_photo(index: int, raw: Any) -> PhotoIn:
    where = f"photos[{index}]"
    if not isinstance(raw, dict):
        raise PhotoError(f"{where}: must be an object")
    content_type = str(raw.get("content_type") or "").lower()
    if content_type not in ALLOWED_TYPES:
        raise PhotoError(f"{where}.content_type: must be one of {sorted(ALLOWED_TYPES)}")
    try:
        data = base64.b64decode(str(raw.get("data_b64") or ""), validate=True)
    except (binascii.Error, ValueError) as error:
        raise PhotoError(f"{where}.data_b64: not valid base64") from error
    if not data:
        raise PhotoError(f"{where}.data_b64: empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(f"{where}: larger than {MAX_PHOTO_BYTES} bytes")
    filename = str(raw.get("filename") or f"photo{index + 1}")[:120]
    return PhotoIn(filename=filename, content_type=content_type, data=data)


def _safe_dir_name(ticket_no: str) -> str:
    # ticket numbers are digits already; this only guards against path tricks.
    return re.sub(r"[^A-Za-z0-9_-]", "_", ticket_no)


def _write(media_dir: Path, ticket_no: str, photos: list[PhotoIn]) -> list[dict[str, Any]]:
    folder = media_dir / _safe_dir_name(ticket_no)
    folder.mkdir(parents=True, exist_ok=True)
    stored = []
    for number, photo in enumerate(photos, start=1):
        name = f"{number}{ALLOWED_TYPES[photo.content_type]}"
        (folder / name).write_bytes(photo.data)
        stored.append(
            {
                "filename": photo.filename,
                "content_type": photo.content_type,
                "size": len(photo.data),
                "path": f"{folder.name}/{name}",
            }
        )
    return stored


async def save_photos(media_dir: Path, ticket_no: str, photos: list[PhotoIn]) -> list[dict]:
    if not photos:
        return []
    return await asyncio.to_thread(_write, media_dir, ticket_no, photos)


def resolve_path(media_dir: Path, relative: str) -> Path | None:
    """The file for a stored media entry, refusing anything outside media_dir."""
    path = (media_dir / relative).resolve()
    if media_dir.resolve() not in path.parents or not path.is_file():
        return None
    return path
