"""Request signing v2, in both directions (bot → intake calls, intake → bot callbacks).

The signature covers what the request does, not only its body, so a captured request cannot
be sent to another ticket, with another Idempotency-Key, or later than the replay window::

    canonical = "\\n".join([
        "v2",
        METHOD,                      # upper case: POST
        path_and_query,              # as sent on the wire: /api/v1/tickets/T1/urge?x=1
        timestamp,                   # unix seconds, the X-Timestamp header
        idempotency_key,             # the Idempotency-Key header, "" when there is none
        hex(sha256(body)),
    ])
    X-Signature: v2=hex(HMAC-SHA256(secret, canonical))

The v1 form (HMAC over `timestamp.body` alone) is refused."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping

REPLAY_WINDOW_S = 300
TIMESTAMP_HEADER = "X-Timestamp"
SIGNATURE_HEADER = "X-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
VERSION = "v2"
_TIMESTAMP = re.compile(r"\d{1,12}")
_SIGNATURE = re.compile(r"v2=([0-9a-f]{64})")


class SignatureError(Exception):
    """Why a request's signature was refused (the message goes into the 401 body)."""


def canonical(method: str, path: str, timestamp: str, key: str | None, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    parts = [VERSION, method.upper(), path, timestamp, key or "", digest]
    return "\n".join(parts).encode()


def sign(
    secret: str, method: str, path: str, timestamp: int | str, key: str | None, body: bytes
) -> str:
    message = canonical(method, path, str(timestamp), key, body)
    return f"{VERSION}=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    method: str,
    path: str,
    body: bytes,
    *,
    key: str | None = None,
    now: float | None = None,
) -> dict[str, str]:
    """The headers a signed request carries (the Idempotency-Key too, when there is one)."""
    timestamp = str(int(time.time() if now is None else now))
    headers = {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, method, path, timestamp, key, body),
    }
    if key is not None:
        headers[IDEMPOTENCY_HEADER] = key
    return headers


def verify(
    secret: str,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    window_s: int = REPLAY_WINDOW_S,
) -> None:
    """Raise SignatureError unless the request is signed v2, fresh, and the signature covers
    exactly this method, path with query, key and body. `headers`: the request's headers."""
    timestamp, signature, key = (
        headers.get(TIMESTAMP_HEADER),
        headers.get(SIGNATURE_HEADER),
        headers.get(IDEMPOTENCY_HEADER),
    )
    if not timestamp or not signature:
        raise SignatureError("missing signature")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise SignatureError("bad timestamp")
    if abs((time.time() if now is None else now) - int(timestamp)) > window_s:
        raise SignatureError("stale timestamp")
    if not _SIGNATURE.fullmatch(signature.strip().lower()):
        raise SignatureError("signature must be v2 (see the canonical form in openapi.yaml)")
    expected = sign(secret, method, path, timestamp, key, body)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise SignatureError("bad signature")
