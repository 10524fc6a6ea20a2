"""Duplicate check: is a new report like one already being handled (offer 附议 instead)?"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz

from .types import CandidateReport, SimilarReport

_NOISE = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")


def _bigrams(text: str) -> Counter[str]:
    s = _NOISE.sub("", text.lower())
    if len(s) < 2:
        return Counter([s]) if s else Counter()
    return Counter(s[i : i + 2] for i in range(len(s) - 1))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _naive_utc(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t


@dataclass(frozen=True)
class DuplicateFinder:
    """Character-bigram cosine blended with rapidfuzz's partial token ratio (robust to one
    report being a longer retelling of the other). Pure: the bot supplies the candidates."""

    window: timedelta = timedelta(days=30)
    threshold: float = 0.45
    limit: int = 5

    def similarity(self, a: str, b: str) -> float:
        cos = _cosine(_bigrams(a), _bigrams(b))
        fz = fuzz.token_set_ratio(_NOISE.sub(" ", a), _NOISE.sub(" ", b)) / 100.0
        return round(0.7 * cos + 0.3 * fz, 4)

    def find(
        self,
        text: str,
        district: str | None,
        department_code: str | None,
        candidates: Iterable[CandidateReport],
        now: datetime | None = None,
    ) -> list[SimilarReport]:
        """Similar reports in the same district for the same department within the window,
        best first. A missing district/department on the new report matches nothing."""
        if not text or not text.strip() or district is None or department_code is None:
            return []
        now = _naive_utc(now or datetime.now(UTC))
        since = now - self.window
        hits = []
        for c in candidates:
            if c.district != district or c.department_code != department_code:
                continue
            created = _naive_utc(c.created_at)
            if not since <= created <= now + timedelta(minutes=5):
                continue
            score = self.similarity(text, c.text)
            if score >= self.threshold:
                hits.append(SimilarReport(c.report_id, score))
        hits.sort(key=lambda h: (-h.score, h.report_id))
        return hits[: self.limit]
