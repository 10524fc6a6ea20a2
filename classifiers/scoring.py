"""Combine the category model, the department model and alias hits into one ranking."""

from __future__ import annotations

from dataclasses import dataclass

from .directory import Directory
from .lexicon import AliasMatcher
from .linear import LinearModel, Vector
from .text import features
from .types import Evidence

CATEGORY_WEIGHT = 1.0  # the category model is trained on far more rows; it steers the group
ALIAS_WEIGHT = 0.5  # a named department is strong but not decisive ("找了住建局没人管")


@dataclass(frozen=True)
class Scored:
    category_scores: list[float]
    department_scores: list[float]  # combined, aligned with department_model.classes
    category_vec: Vector
    department_vec: Vector
    aliases: dict[str, list[Evidence]]


class Scorer:
    def __init__(
        self,
        directory: Directory,
        category_model: LinearModel,
        department_model: LinearModel,
        matcher: AliasMatcher,
    ) -> None:
        self.directory = directory
        self.cat = category_model
        self.dep = department_model
        self.matcher = matcher
        cat_index = {c: i for i, c in enumerate(category_model.classes)}
        # department i -> index of its category in the category model (None: unseen category)
        self.dep_cat = [
            cat_index.get(directory.department(code).category)
            if directory.has_department(code)
            else None
            for code in department_model.classes
        ]

    def score(self, title: list[str], body: list[str]) -> Scored:
        counts = features(title, body)
        cvec = self.cat.vectorize(counts)
        dvec = self.dep.vectorize(counts)
        cscores = self.cat.scores(cvec)
        floor = min(cscores) if cscores else 0.0
        aliases = self.matcher.match([*title, *body])
        dscores = self.dep.scores(dvec)
        for i, code in enumerate(self.dep.classes):
            ci = self.dep_cat[i]
            dscores[i] += CATEGORY_WEIGHT * (cscores[ci] if ci is not None else floor)
            evs = aliases.get(code)
            if evs:
                dscores[i] += ALIAS_WEIGHT * evs[0].weight
        return Scored(cscores, dscores, cvec, dvec, aliases)


def margin(scores: list[float]) -> tuple[int, float]:
    """Index of the best score and its lead over the runner-up."""
    if not scores:
        return (-1, 0.0)
    best = max(range(len(scores)), key=lambda i: scores[i])
    rest = [s for i, s in enumerate(scores) if i != best]
    return best, scores[best] - (max(rest) if rest else scores[best] - 1.0)
