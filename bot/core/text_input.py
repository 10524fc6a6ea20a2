"""One set of rules for what people type: the report text, a 不满意 reason, an address, a
withdrawal's reason. Every minimum counts *meaningful* characters (letters and digits, Chinese
characters included), so whitespace, punctuation and emoji never make a message long enough;
a message with none of them is empty. The gist of a text is what a one-line summary shows."""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
# Characters that end a clause: no separator is added after them when lines are joined.
_CLAUSE_ENDS = "。！？；，、.!?;,:：…"


def clean(text: str | None) -> str:
    """The text without surrounding whitespace (zero-width characters included)."""
    return (text or "").strip().strip("\u200b\u200c\u200d\u2060\ufeff").strip()


def is_meaningful(char: str) -> bool:
    # L*: letters (汉字 are Lo), N*: digits and numerals; emoji are So, punctuation P*.
    return unicodedata.category(char)[0] in "LN"


def meaningful_length(text: str | None) -> int:
    return sum(1 for char in text or "" if is_meaningful(char))


def is_blank(text: str | None) -> bool:
    """Nothing a person could read as words: empty, whitespace, punctuation or emoji only."""
    return meaningful_length(text) == 0


def gist(text: str, limit: int) -> str:
    """The whole text on one line (lines with no words skipped, lines joined as clauses), cut
    to `limit` characters: a summary says what the report is about, not only its first line."""
    clauses = [line.strip() for line in text.splitlines() if not is_blank(line)]
    joined = ""
    for clause in clauses:
        if joined and joined[-1] not in _CLAUSE_ENDS:
            joined += "；"
        joined += " ".join(clause.split())
    if len(joined) <= limit:
        return joined
    return joined[: limit - 1] + ELLIPSIS
