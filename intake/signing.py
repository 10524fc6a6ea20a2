"""HMAC-SHA256 request signing, used in both directions (bot → intake, intake → bot).

Recipe: ``X-Signature = hex(HMAC-SHA256(secret, f"{timestamp}.".encode() + raw_body))`` with
``X-Timestamp`` = unix seconds. A timestamp more than ``REPLAY_WINDOW_S`` away from now is
refused, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

REPLAY_WINDOW_S = 300
TIMESTAMP_HEADER = "X-Timestamp"
SIGNATURE_HEADER = "X-Signature"


class SignatureError(Exception):
    """Why a request's signature was refused (the message goes into the 401 body)."""


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: float | None = None,
    window_s: int = REPLAY_WINDOW_S,
) -> None:
    """Raise SignatureError unless the headers are present, fresh and match the body."""
    if not timestamp or not signature:
        raise SignatureError("missing signature")
    try:
        ts = int(timestamp)
    except ValueError as error:
        raise SignatureError("bad timestamp") from error
    current = time.time() if now is None else now
    if abs(current - ts) > window_s:
        raise SignatureError("stale timestamp")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise SignatureError("bad signature")
