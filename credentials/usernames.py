"""One spelling per person: usernames are NFKC-normalised (full-width Ａｄｍｉｎ is admin) and
trimmed, and compared without regard to case, so `Admin` and `admin` are one account."""

from __future__ import annotations

import unicodedata


def normalize_username(username: str) -> str:
    """As typed, made comparable (the stored spelling keeps its case)."""
    return unicodedata.normalize("NFKC", username).strip()


def username_key(username: str) -> str:
    """What two spellings of one name share: normalised and case-folded."""
    return normalize_username(username).casefold()
