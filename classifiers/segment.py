"""Exact, faster replacement for jieba's ``Tokenizer.cut(text, HMM=False)``.

jieba builds a DAG dict, then a route dict with ``max()`` over generated tuples, then walks
it: in pure Python about 2 µs a character, half of a report's classification time. We find
the same maximum-probability path in one right-to-left pass over one dict (word -> log
probability, bare prefix -> NaN), with the same arithmetic and tie-breaking, so the words are
identical (tests compare against jieba itself) at about a third of the cost.
"""

from __future__ import annotations

import math
import re
from typing import Any

# jieba's own patterns (jieba/__init__.py: re_han_default, re_skip_default, re_eng)
_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)")
_SKIP = re.compile(r"(\r\n|\s)")
_ENG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_NAN = float("nan")
_NEG_INF = float("-inf")


class Segmenter:
    """Built from an initialised jieba Tokenizer (after ``add_word`` calls); keeps no
    reference to it, so the Tokenizer's own dict can be freed."""

    def __init__(self, tokenizer: Any) -> None:
        tokenizer.check_initialized()
        logtotal = math.log(tokenizer.total)
        # jieba scores a word as log(freq) - logtotal; an unknown single character as
        # log(1) - logtotal. Precomputing the same expression keeps every float identical.
        self._unknown = math.log(1) - logtotal
        # One float per distinct frequency (a few thousand, not 500k): quicker to build,
        # smaller, and the lookups touch fewer cache lines.
        by_freq = {f: math.log(f) - logtotal for f in set(tokenizer.FREQ.values()) if f}
        self._words: dict[str, float] = {
            w: by_freq[f] if f else _NAN for w, f in tokenizer.FREQ.items()
        }

    def __len__(self) -> int:
        return len(self._words)

    def cut(self, text: str) -> list[str]:
        """The words of ``text``, exactly as ``list(jieba_tokenizer.cut(text, HMM=False))``."""
        out: list[str] = []
        for i, block in enumerate(_HAN.split(text)):
            if i % 2:  # split() with a group puts the matched (CJK/alnum) runs at odd indices
                out += self._cut_block(block)
            elif block:
                for piece in _SKIP.split(block):
                    if _SKIP.match(piece):
                        out.append(piece)
                    else:
                        out.extend(piece)  # jieba yields other characters one by one
        return out

    def _cut_block(self, s: str) -> list[str]:
        n = len(s)
        get = self._words.get
        score = [0.0] * (n + 1)
        nxt = [0] * (n + 1)  # end (exclusive) of the best word starting at each index
        for idx in range(n - 1, -1, -1):
            best, best_end = _NEG_INF, 0
            for end in range(idx + 1, n + 1):
                lp = get(s[idx:end])
                if lp is None:  # not even a prefix of a dictionary word: stop extending
                    break
                sc = lp + score[end]  # a bare prefix has NaN, which never wins
                if sc >= best:  # ties go to the longer word, as with jieba's max()
                    best, best_end = sc, end
            if not best_end:
                best, best_end = self._unknown + score[idx + 1], idx + 1
            score[idx] = best
            nxt[idx] = best_end
        return _walk(s, nxt)


def _walk(s: str, nxt: list[int]) -> list[str]:
    """Follow the best path; runs of single ASCII letters/digits are joined, as jieba does."""
    out: list[str] = []
    buf = ""
    x, n = 0, len(s)
    while x < n:
        y = nxt[x]
        word = s[x:y]
        if y - x == 1 and word in _ENG_CHARS:
            buf += word
        else:
            if buf:
                out.append(buf)
                buf = ""
            out.append(word)
        x = y
    if buf:
        out.append(buf)
    return out
