"""Session tokens: the cookie carries a random token, the database only its SHA-256 hash, so a
leaked table signs nobody in."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
