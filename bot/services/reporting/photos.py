"""Report photos, re-encoded without metadata (EXIF: camera, time, GPS) before they leave us."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from storage.uow import UnitOfWork

MAX_SIDE = 2560  # big enough for a hotline operator, small enough to forward


class NotAnImageError(ValueError):
    pass


class PhotoUnavailable(Exception):
    """The chat could not hand over a photo's bytes (its server refused getFile, timed out):
    the report goes on without it, and the deputy is told."""


def strip_metadata(data: bytes) -> bytes:
    """A clean JPEG: orientation applied to the pixels, every metadata block dropped."""
    try:
        with Image.open(io.BytesIO(data)) as source:
            image = ImageOps.exif_transpose(source) or source
            image = image.convert("RGB")
    except (UnidentifiedImageError, OSError) as error:
        raise NotAnImageError(str(error)) from error
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=88)  # no exif= argument: nothing is carried over
    return output.getvalue()


class PhotoStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    async def save(self, report_number: str, position: int, data: bytes) -> Path:
        clean = await asyncio.to_thread(strip_metadata, data)
        path = self._root / report_number / f"{position + 1}.jpg"
        await asyncio.to_thread(_write, path, clean)
        return path


async def stored_photo(uow: UnitOfWork, report_id: int, position: int) -> Path | None:
    """The stored (metadata-free) file of photo `position` of a report, if it was kept."""
    for photo in await uow.reports.photos(report_id):
        if photo.position == position and photo.local_path:
            path = Path(photo.local_path)
            found = path.suffix == ".jpg" and await asyncio.to_thread(path.is_file)
            return path if found else None
    return None


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
