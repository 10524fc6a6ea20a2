"""The v2 request signature (protocol/signing.py): what it covers, and what it refuses."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from protocol.signing import SignatureError, sign, signed_headers, verify

BODY = '{"reason":"中文"}'.encode()
NOW = 1700000000
PATH = "/api/v1/tickets/T1/reopen"


def test_the_canonical_form_is_the_published_one() -> None:
    """As in intake/openapi.yaml: lines of version, method, path, timestamp, key, body hash."""
    lines = ["v2", "POST", PATH, "1700000000", "reopen-7-1", hashlib.sha256(BODY).hexdigest()]
    expected = "v2=" + hmac.new(b"s", "\n".join(lines).encode(), hashlib.sha256).hexdigest()
    assert sign("s", "post", PATH, NOW, "reopen-7-1", BODY) == expected
    headers = signed_headers("s", "POST", PATH, BODY, key="reopen-7-1", now=NOW)
    assert headers == {
        "X-Timestamp": "1700000000",
        "X-Signature": expected,
        "Idempotency-Key": "reopen-7-1",
    }
    verify("s", "POST", PATH, headers, BODY, now=NOW + 100)


SIGNED = signed_headers("s", "POST", PATH, BODY, key="k-1", now=NOW)
UNKEYED = {k: v for k, v in SIGNED.items() if k != "Idempotency-Key"}


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "message"),
    [
        # a captured 重办 sent to another ticket's /withdraw
        ("POST", "/api/v1/tickets/T2/withdraw", SIGNED, BODY, "bad signature"),
        # the same call with a new Idempotency-Key (to be recorded again), or with none
        ("POST", PATH, {**SIGNED, "Idempotency-Key": "k-2"}, BODY, "bad signature"),
        ("POST", PATH, UNKEYED, BODY, "bad signature"),
        ("PUT", PATH, SIGNED, BODY, "bad signature"),
        ("POST", PATH + "?x=1", SIGNED, BODY, "bad signature"),
        ("POST", PATH, SIGNED, BODY + b" ", "bad signature"),
        ("POST", PATH, {}, BODY, "missing signature"),
        ("POST", PATH, {**SIGNED, "X-Timestamp": "9" * 400}, BODY, "bad timestamp"),
        ("POST", PATH, {**SIGNED, "X-Timestamp": "abc"}, BODY, "bad timestamp"),
        ("POST", PATH, {**SIGNED, "X-Timestamp": "1699999000"}, BODY, "stale timestamp"),
    ],
)
def test_a_signature_covers_method_path_key_and_body(
    method: str, path: str, headers: dict[str, str], body: bytes, message: str
) -> None:
    with pytest.raises(SignatureError, match=message):
        verify("s", method, path, headers, body, now=NOW)


def test_the_old_form_over_timestamp_and_body_is_refused() -> None:
    old = hmac.new(b"s", f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    headers = {"X-Timestamp": str(NOW), "X-Signature": old}
    with pytest.raises(SignatureError, match="must be v2"):
        verify("s", "POST", "/api/v1/tickets", headers, BODY, now=NOW)
