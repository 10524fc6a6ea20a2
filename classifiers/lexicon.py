"""Department names and aliases found in a report, verbatim or with typos (rapidfuzz)."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz, process

from .directory import Directory
from .types import Evidence

# Only token windows that end like an institution are fuzzy-matched: cheap and precise.
_INSTITUTION_LAST_CHARS = frozenset("局委办司心所队院厅会站处")  # 公司, 中心 end in 司, 心
FUZZY_CUTOFF = 85.0
_MAX_WINDOW = 6


class AliasMatcher:
    def __init__(self, directory: Directory) -> None:
        table: dict[str, set[str]] = {}
        for dept in directory.departments:
            for name in directory.names(dept):
                if len(name) >= 2:
                    table.setdefault(name.lower(), set()).add(dept.code)
        self._table = {k: tuple(sorted(v)) for k, v in table.items()}
        self._names = sorted(k for k in self._table if len(k) >= 3)
        self._max_len = max(len(k) for k in self._table) + 2  # fuzzy allows a little slack
        self._prefixes = frozenset(k[:i] for k in self._table for i in range(1, len(k) + 1))
        self._fuzzy = lru_cache(maxsize=20000)(self._fuzzy_uncached)

    def _fuzzy_uncached(self, phrase: str) -> tuple[str, float] | None:
        hit = process.extractOne(phrase, self._names, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        return (hit[0], hit[1] / 100.0) if hit else None

    def match(self, tokens: list[str]) -> dict[str, list[Evidence]]:
        """Department code -> evidence; weight 1.0 for a verbatim alias, the similarity for a
        fuzzy one. Windows of up to six tokens catch names jieba splits (住房/城乡/建设/局)."""
        found: dict[str, dict[str, Evidence]] = {}
        n = len(tokens)
        table, prefixes = self._table, self._prefixes
        for start in range(n):  # verbatim: extend a window only while it is a name prefix
            phrase = ""
            for end in range(start, min(n, start + _MAX_WINDOW)):
                phrase += tokens[end]
                if phrase not in prefixes:
                    break
                codes = table.get(phrase)
                if codes is not None:
                    self._add(found, codes, Evidence(phrase, phrase, 1.0, "alias"))
        for end in range(n):  # fuzzy: only windows that end like an institution (…局, …公司)
            if tokens[end][-1] not in _INSTITUTION_LAST_CHARS:
                continue
            phrase = ""
            for start in range(end, max(-1, end - _MAX_WINDOW), -1):
                phrase = tokens[start] + phrase
                if len(phrase) > self._max_len:
                    break
                if len(phrase) < 3 or phrase in table:
                    continue
                hit = self._fuzzy(phrase)
                if hit is not None:
                    name, sim = hit
                    self._add(found, table[name], Evidence(phrase, name, round(sim, 3), "fuzzy"))
        return {code: sorted(evs.values(), key=lambda e: -e.weight) for code, evs in found.items()}

    @staticmethod
    def _add(found: dict[str, dict[str, Evidence]], codes: tuple[str, ...], ev: Evidence) -> None:
        for code in codes:
            bucket = found.setdefault(code, {})
            old = bucket.get(ev.matched)
            if old is None or ev.weight > old.weight:
                bucket[ev.matched] = ev
