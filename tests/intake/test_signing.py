"""The HMAC signature recipe (shared by requests and callbacks)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from intake.signing import SignatureError, sign, signed_headers, verify


def test_recipe_is_hmac_over_timestamp_dot_body() -> None:
    body = '{"a":"中文"}'.encode()
    expected = hmac.new(b"s", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign("s", 1700000000, body) == expected
    headers = signed_headers("s", body, now=1700000000)
    assert headers == {"X-Timestamp": "1700000000", "X-Signature": expected}
    verify("s", "1700000000", expected, body, now=1700000100)


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "message"),
    [
        (None, "x", b"", "missing signature"),
        ("abc", "x", b"", "bad timestamp"),
        ("1699999000", None, b"", "missing signature"),
        ("1699999000", "00", b"", "stale timestamp"),
        ("1700000000", "00", b"", "bad signature"),
    ],
)
def test_refusals(timestamp: str | None, signature: str | None, body: bytes, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        verify("s", timestamp, signature, body, now=1700000000)
