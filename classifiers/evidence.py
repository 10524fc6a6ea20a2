"""Reasons a deputy can read: at most three per unit, each the report's own whole words tied
to what they matched — a matter of the 派单目录 (“路灯”“坏了” → 事项“路灯不亮或损坏”), a
unit the deputy named, or a learned word with a positive weight. Never word fragments (the
model's character bigrams), category names, place names, duplicates or zero/negative weights.
"""

from __future__ import annotations

import re

from .routing import NAMED_WEIGHT, RouteScores
from .scoring import Scorer
from .types import Evidence

MAX_REASONS = 3
_MAX_WORDS = 3
_MIN_LEARNED = 0.03  # smaller weights are noise (and would read as +0.00 or +0.01)
# an address (解放路, 幸福小区, 城西街道) says where, never who: not a reason
_ADDRESS = re.compile(
    r"^.{1,8}(路|街|巷|大道|小区|新村|花园|广场|村|组|镇|乡|街道|社区|区|县|市)$"
)


class EvidenceBuilder:
    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer

    def for_units(self, scores: RouteScores, codes: list[str]) -> dict[str, list[Evidence]]:
        """The reasons of each unit in ``codes`` (one pass over the learned model for all)."""
        scorer = self.scorer
        cols = {c: scorer.columns[scorer.codes.index(c)] for c in codes if scorer.is_learned(c)}
        learned = scorer.dep.contributions(
            scores.learned.department_vec, list(dict.fromkeys(cols.values())), 12
        )
        return {c: self.reasons(scores, c, learned.get(cols.get(c, -1), [])) for c in codes}

    def reasons(
        self, scores: RouteScores, code: str, learned: list[tuple[str, float]] | None = None
    ) -> list[Evidence]:
        out: list[Evidence] = []
        used: set[str] = set()
        for hit in scores.by_unit.get(code, []):
            words = [w for w in hit.words if len(w) >= 2 and w not in used]
            # a term inside another shown word (发票 in 开发票) would be a duplicate
            words = [w for w in words if not any(w != o and w in o for o in words)]
            words = words[:_MAX_WORDS]
            if not words:
                continue
            used.update(words)
            m = hit.matter
            out.append(Evidence(words[0], m.name, hit.score, "matter", tuple(words), m.id, m.area))
            if len(out) >= MAX_REASONS - 1:
                break
        named = scores.named.get(code)
        if named is not None and named.name not in used:
            used.add(named.name)
            out.append(Evidence(named.name, named.name, NAMED_WEIGHT * named.weight, "alias"))
        if len(out) < MAX_REASONS:
            if learned is None:
                learned = self._terms(scores, code)
            out += self._learned(scores, learned, used, MAX_REASONS - len(out))
        return out[:MAX_REASONS]

    def _terms(self, scores: RouteScores, code: str) -> list[tuple[str, float]]:
        scorer = self.scorer
        if not scorer.is_learned(code):
            return []
        col = scorer.columns[scorer.codes.index(code)]
        return scorer.dep.contributions(scores.learned.department_vec, [col], 12)[col]

    def _learned(
        self, scores: RouteScores, terms: list[tuple[str, float]], used: set[str], room: int
    ) -> list[Evidence]:
        out = []
        for term, weight in terms:
            if (
                weight < _MIN_LEARNED
                or term in used
                or term not in scores.tokens  # a character bigram of a longer word
                or len(term) < 2
                or term in scores.places
                or _ADDRESS.match(term)
            ):
                continue
            used.add(term)
            out.append(Evidence(term, term, round(weight, 4), "lexicon"))
            if len(out) >= room:
                break
        return out
