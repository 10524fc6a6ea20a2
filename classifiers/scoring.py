"""Combine the category model, the department model and alias hits into one ranking."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

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
    department_scores: list[float]  # combined, aligned with Scorer.codes
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
        model_col = {code: i for i, code in enumerate(department_model.classes)}
        # The departments scored: those the model learned that the directory still lists (a unit
        # deactivated since `train` is never suggested), then those added since `train`.
        learned = [c for c in department_model.classes if directory.has_department(c)]
        added = [d.code for d in directory.departments if d.code not in model_col]
        self.codes = learned + added
        self.learned = len(learned)
        self.columns = [model_col[c] for c in learned]  # position -> department model column
        # None when every model class is scored in model order (the usual case: no fancy index)
        self._cols = (
            None
            if self.columns == list(range(len(department_model.classes)))
            else np.array(self.columns, dtype=np.int64)
        )
        cat_index = {c: i for i, c in enumerate(category_model.classes)}
        # department i -> index of its category in the category model (None: unseen category)
        self.dep_cat = [cat_index.get(directory.department(c).category) for c in self.codes]
        # ... as an array where an unseen category points one past the end, at the floor
        n_cat = len(category_model.classes)
        self._dep_cat = np.array(
            [n_cat if c is None else c for c in self.dep_cat[: self.learned]], dtype=np.int64
        )
        self._dep_pos = {code: i for i, code in enumerate(self.codes)}
        # One dict lookup per report term serves both models: term -> id in the union
        # vocabulary, and per model an id -> matrix row table (-1: unknown to that model).
        vocab = sorted({*category_model.idf, *department_model.idf})
        self._term_id = {t: i for i, t in enumerate(vocab)}
        self._cat_rows = np.array([category_model.row_of(t) for t in vocab], dtype=np.int64)
        self._dep_rows = np.array([department_model.row_of(t) for t in vocab], dtype=np.int64)

    def score(self, title: list[str], body: list[str], *, aliases: bool = True) -> Scored:
        """``aliases=False``: the models only (the router weighs named units itself)."""
        cvec, dvec = self._vectors(features(title, body))
        carr = self.cat.score_array(cvec)
        cscores: list[float] = carr.tolist()
        floor = min(cscores) if cscores else 0.0
        # department model + its category's score (the lowest for an unseen category)
        model = self.dep.score_array(dvec)
        if self._cols is not None:
            model = model[self._cols]
        dscores: list[float] = (
            model + CATEGORY_WEIGHT * np.append(carr, floor)[self._dep_cat]
        ).tolist()
        best = 0.0
        if len(self.codes) > self.learned:  # units added since `train`: no evidence, the bottom
            best, lowest = (max(dscores), min(dscores)) if dscores else (0.0, 0.0)
            dscores += [lowest] * (len(self.codes) - self.learned)
        found = self.matcher.match([*title, *body]) if aliases else {}
        pos = self._dep_pos
        for code, evs in found.items():
            i = pos.get(code)
            if i is None or not evs:
                continue
            bonus = ALIAS_WEIGHT * evs[0].weight
            # A unit added since `train` has only its names: named, it is scored as if the
            # model were as sure of it as of its best pick, so the name decides by the bonus.
            dscores[i] = (dscores[i] if i < self.learned else best) + bonus
        return Scored(cscores, dscores, cvec, dvec, found)

    def is_learned(self, code: str) -> bool:
        """Whether the department model has weights for this department."""
        i = self._dep_pos.get(code)
        return i is not None and i < self.learned

    def _vectors(self, counts: Counter[str]) -> tuple[Vector, Vector]:
        terms = list(counts)
        get = self._term_id.get
        ids = np.array([get(t, -1) for t in terms], dtype=np.int64)
        tf = np.array(list(counts.values()), dtype=float)
        known = np.flatnonzero(ids >= 0)
        ids = ids[known]
        out = []
        for model, table in ((self.cat, self._cat_rows), (self.dep, self._dep_rows)):
            rows = table[ids]
            mine = rows >= 0
            out.append(model.vector(terms, tf, known[mine], rows[mine]))
        return out[0], out[1]


def margin(scores: list[float]) -> tuple[int, float]:
    """Index of the best score and its lead over the runner-up."""
    if not scores:
        return (-1, 0.0)
    best = max(range(len(scores)), key=lambda i: scores[i])
    rest = [s for i, s in enumerate(scores) if i != best]
    return best, scores[best] - (max(rest) if rest else scores[best] - 1.0)
