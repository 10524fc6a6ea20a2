"""One report's unit scores: the 派单目录 first, a named unit strongly, the learned model as a
prior that decides only when the catalogue does not; 职能部门优先 for the 乡镇/街道.

    total(unit) = catalogue(unit) + NAMED_WEIGHT x named(unit) + PRIOR_WEIGHT x prior(unit)

``catalogue`` is the unit's best matter (plus a little of its second), ``prior`` the learned
department model's softmax (a sum to 1 over all units, so it moves a decision only when the
catalogue leaves two units within PRIOR_WEIGHT of each other, or finds nothing). Place names
(districts, towns, streets) are taken out of what the learned model reads: where a thing
happened says nothing about who handles it, and 城西街道 must not pull to the 街道.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .catalogue import Catalogue
from .directory import Directory
from .matching import CatalogueMatcher, MatterHit
from .naming import Named, NamedUnits
from .scoring import Scored, Scorer
from .text import TextAnalyzer

PRIOR_WEIGHT = 1.0
PRIOR_SHARPNESS = 2.5  # softmax temperature over the learned department scores
NAMED_WEIGHT = 0.9
SECOND_MATTER = 0.15  # a unit's second-best matter adds a little
TOWN_UNIT_SCOPE = "town"


@dataclass(frozen=True)
class RouteScores:
    codes: list[str]  # every scored unit, best first
    total: dict[str, float]
    hits: list[MatterHit]  # candidate matters, best first
    by_unit: dict[str, list[MatterHit]]
    named: dict[str, Named]
    prior: dict[str, float]
    learned: Scored
    tokens: frozenset[str]  # the report's content words
    places: frozenset[str]  # place names known to the directory

    def margin(self) -> float:
        t = self.total
        if len(self.codes) < 2:
            return t[self.codes[0]] if self.codes else 0.0
        return t[self.codes[0]] - t[self.codes[1]]

    def supported(self) -> bool:
        """Whether the best unit has a matter of the catalogue or was named: otherwise only
        the learned prior speaks for it."""
        best = self.codes[0] if self.codes else ""
        return best in self.by_unit or best in self.named

    def features(self) -> list[float]:
        """What confidence is calibrated on (see ``calibration.py``)."""
        best = self.codes[0] if self.codes else ""
        cat = self.by_unit.get(best, [])
        return [
            self.margin(),
            cat[0].score if cat else 0.0,
            self.named[best].weight if best in self.named else 0.0,
            self.prior.get(best, 0.0),
        ]


class RouteScorer:
    def __init__(
        self, directory: Directory, catalogue: Catalogue, analyzer: TextAnalyzer, scorer: Scorer
    ) -> None:
        self.directory = directory
        self.catalogue = catalogue
        self.matcher = CatalogueMatcher(catalogue, analyzer.tokens)
        self.named = NamedUnits(directory)
        self.scorer = scorer
        self.analyzer = analyzer
        places: set[str] = set()
        for d in directory.districts:
            places.update(w.lower() for w in (d.name, *d.aliases, *d.towns))
        self.places = frozenset(places)
        self.town_units = frozenset(
            d.code for d in directory.departments if d.district_scope == TOWN_UNIT_SCOPE
        )
        self.codes = [d.code for d in directory.departments]

    def score(
        self,
        t_words: Sequence[str],
        b_words: Sequence[str],
        t_tokens: list[str],
        b_tokens: list[str],
        text: str,
    ) -> RouteScores:
        places = self.places
        learned = self.scorer.score(
            [t for t in t_tokens if t not in places],
            [t for t in b_tokens if t not in places],
            aliases=False,
        )
        n_learned = self.scorer.learned  # units added since `train` have no prior of their own
        prior = _softmax(self.scorer.codes[:n_learned], learned.department_scores[:n_learned])
        # a unit's own name is read as a naming, never as a matter's term (房屋征收办 is not
        # the 房屋征收 matter of another unit)
        names = self.named.names
        hits = self.matcher.match([t for t in (*t_tokens, *b_tokens) if t not in names], text)
        by_unit: dict[str, list[MatterHit]] = {}
        for h in hits:
            if self.directory.has_department(h.matter.unit):
                by_unit.setdefault(h.matter.unit, []).append(h)
        named = self.named.find([*t_words, "。", *b_words])
        # a unit added since `train` has no prior of its own: named, it is weighed as if the
        # model were as sure of it as of its best pick, so the naming decides
        top_prior = max(prior.values()) if prior else 0.0
        for code in named:
            if code not in prior:
                prior[code] = top_prior
        total: dict[str, float] = {}
        for code in self.codes:
            mine = by_unit.get(code)
            cat = 0.0
            if mine:
                cat = mine[0].score + (SECOND_MATTER * mine[1].score if len(mine) > 1 else 0.0)
            n = named.get(code)
            total[code] = (
                cat + (NAMED_WEIGHT * n.weight if n else 0.0) + PRIOR_WEIGHT * prior.get(code, 0.0)
            )
        # 职能部门优先: the 乡镇/街道 wins only on a town matter of its own, or when no
        # functional unit has a matter or a naming in the report.
        functional = any(c not in self.town_units for c in (*by_unit, *named))
        for code in self.town_units:
            if code in total and code not in by_unit and functional:
                others = [v for c, v in total.items() if c not in self.town_units]
                if others and total[code] >= max(others):
                    total[code] = max(others) - 0.01
        order = sorted(total, key=lambda c: -total[c])
        tokens = frozenset((*t_tokens, *b_tokens))
        return RouteScores(order, total, hits, by_unit, named, prior, learned, tokens, places)


def _softmax(codes: list[str], scores: list[float]) -> dict[str, float]:
    """Plain Python: for 40 numbers it is several times quicker than numpy's call overhead."""
    if not scores:
        return {}
    top = max(scores)
    exps = [math.exp(PRIOR_SHARPNESS * (x - top)) for x in scores]
    total = sum(exps)
    return {c: e / total for c, e in zip(codes, exps, strict=False)}


def sigmoid(z: float) -> float:
    z = max(-50.0, min(50.0, z))
    return 1.0 / (1.0 + math.exp(-z))
