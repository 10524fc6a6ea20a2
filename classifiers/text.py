"""Tokenizer: one jieba Tokenizer with the directory's words, plus feature extraction."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Only jieba's dictionary is used; the Segmenter cuts. jieba_fast would not help: its cut is
# slower than the Segmenter and breaks a few ties differently from jieba.
import jieba

from .catalogue import shipped_terms
from .directory import DATA_DIR, Directory
from .segment import Segmenter

jieba.setLogLevel(logging.WARNING)

TERMS_FILE = DATA_DIR / "terms.txt"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"
TITLE_WEIGHT = 2  # title tokens count twice: titles are short and on topic
_USER_FREQ = 2000  # high enough that jieba keeps custom words whole
_NORMAL_CACHE = 50000  # distinct words remembered; a real vocabulary stays well under
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _read_list(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.startswith("#")]


def directory_terms(directory: Directory) -> list[str]:
    """Every department name/alias/keyword and place name, for the custom dictionary."""
    words: list[str] = []
    for dept in directory.departments:
        words += directory.names(dept)
        words += dept.keywords
    for dist in directory.districts:
        words += [dist.name, *dist.aliases, *dist.towns]
    return words


def dictionary_words(directory: Directory, extra_terms: Iterable[str] = ()) -> list[str]:
    """The custom words: ``data/terms.txt``, the directory's terms and ``extra_terms``."""
    return [*_read_list(TERMS_FILE), *directory_terms(directory), *extra_terms]


def jieba_tokenizer(words: Iterable[str]) -> Any:
    """An initialised jieba Tokenizer with ``words`` added (tests check the Segmenter on it)."""
    tokenizer: Any = jieba.Tokenizer()
    tokenizer.initialize()
    for word in dict.fromkeys(words):
        if " " not in word and len(word) > 1:
            tokenizer.add_word(word, _USER_FREQ)
    return tokenizer


class TextAnalyzer:
    """Builds the jieba Tokenizer once; ``tokens`` and ``features`` are then cheap."""

    def __init__(
        self,
        directory: Directory,
        extra_terms: Iterable[str] = (),
        catalogue_terms: Iterable[str] | None = None,
    ) -> None:
        """``catalogue_terms``: the 派单目录's terms (default: the shipped files'), kept whole
        (窨井盖, 开发票, 红绿灯 are one word each)."""
        terms = shipped_terms() if catalogue_terms is None else list(catalogue_terms)
        words = dictionary_words(directory, [*terms, *extra_terms])
        self.catalogue_terms = frozenset(terms)
        # jieba's Tokenizer is dropped once its dictionary is copied: only the segmenter cuts
        self.segmenter = Segmenter(jieba_tokenizer(words))
        self.user_words = frozenset(words)
        self.stopwords = frozenset(_read_list(STOPWORDS_FILE))
        self._normal: dict[str, str] = {}  # jieba word -> content token ("" if dropped)

    @staticmethod
    def clean(text: str | None) -> str:
        if not text:
            return ""
        return _CONTROL.sub(" ", text)

    def tokens(self, text: str | None) -> list[str]:
        """Content tokens: jieba words with CJK or Latin letters, lower-cased, no stop words."""
        if not text:
            return []
        return self.content(self.segmenter.cut(self.clean(text)))

    def words(self, text: str | None) -> list[str]:
        """All of jieba's words of ``text`` (punctuation and function words included): the
        router reads a department's name in its context (请…, …宿舍) from these."""
        return self.segmenter.cut(self.clean(text)) if text else []

    def content(self, words: list[str]) -> list[str]:
        """The content tokens of already segmented ``words`` (see ``tokens``)."""
        normal = self._normal
        out = []
        for word in words:
            tok = normal.get(word)
            if tok is None:
                tok = self._normalize(word)
            if tok:
                out.append(tok)
        return out

    def _normalize(self, word: str) -> str:
        tok = word.lower() if _KEEP.search(word) else ""
        if tok in self.stopwords:
            tok = ""
        if len(self._normal) >= _NORMAL_CACHE:  # odd inputs (ids, numbers) must not grow it
            self._normal.clear()
        self._normal[word] = tok
        return tok


def features(title_tokens: list[str], body_tokens: list[str]) -> Counter[str]:
    """Term counts: title tokens weighted up, plus the character bigrams of long words
    (so 住房城乡建设 shares evidence with 住房和城乡建设 and unseen compounds still score)."""
    counts: Counter[str] = Counter(body_tokens)
    for tok in title_tokens:
        counts[tok] += TITLE_WEIGHT
    counts.update(
        [
            tok[i : i + 2]
            for tok in (*title_tokens, *body_tokens)
            if len(tok) > 2
            for i in range(len(tok) - 1)
        ]
    )
    return counts
