"""Learn the two linear models (category, department) and their confidence calibration."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .catalogue import Catalogue
from .datasets import LabelledText
from .directory import Directory
from .lexicon import AliasMatcher
from .linear import LinearModel
from .scoring import Scorer, margin
from .svm import fit_platt, nb_ratios, train_ovr_svm
from .text import TextAnalyzer, features

HYPER = {
    "nb": 1,
    "c": 0.5,
    "epochs": 20,
    "min_df": 3,
    "prune": 0.05,
    "calibration_folds": 3,
    "seed": 7,
    "directory_weight": 5.0,
}


@dataclass(frozen=True, slots=True)
class Example:
    title: list[str]
    body: list[str]
    category: str | None
    department: str | None
    weight: float = 1.0
    kind: str = "data"  # "data" | "correction" | "directory" (pseudo-report from the directory)

    @property
    def trusted(self) -> bool:
        """Directory entries and corrections: even their rare words enter the vocabulary."""
        return self.kind != "data"


@dataclass
class ModelPair:
    category: LinearModel
    department: LinearModel
    routing: Any = None  # calibration.RoutingCalibration, fitted by `train`


def tokenize_rows(
    analyzer: TextAnalyzer, directory: Directory, rows: Sequence[LabelledText], kind: str = "data"
) -> tuple[list[Example], list[str]]:
    """Examples for rows whose label resolves onto the directory, and the unknown labels."""
    out, unknown = [], []
    for row in rows:
        target = directory.resolve_label(row.label)
        if target is None:
            unknown.append(row.label)
            continue
        if directory.has_department(target):
            dept, cat = target, directory.department(target).category
        else:
            dept, cat = None, target
        title, body = analyzer.tokens(row.title), analyzer.tokens(row.text)
        out.append(Example(title, body, cat, dept, row.weight, kind))
    return out, unknown


def directory_examples(analyzer: TextAnalyzer, directory: Directory) -> list[Example]:
    """One pseudo-report per department from its names, duty and keywords, so every unit has
    learned weights even on a fresh machine with no labelled data."""
    out = []
    for dept in directory.departments:
        title = analyzer.tokens(" ".join(directory.names(dept)))
        body = analyzer.tokens(" ".join([dept.duty, *dept.keywords]))
        w = float(HYPER["directory_weight"])  # one pseudo-report stands for a whole unit
        out.append(Example(title, body, dept.category, dept.code, w, "directory"))
    return out


def catalogue_examples(
    analyzer: TextAnalyzer, directory: Directory, catalogue: Catalogue
) -> list[Example]:
    """One pseudo-report per matter of the 派单目录 (its name, terms and phrasings), so the
    learned prior knows every matter's words too."""
    out = []
    for m in catalogue.matters:
        if not directory.has_department(m.unit):
            continue
        dept = directory.department(m.unit)
        title = analyzer.tokens(m.name)
        body = analyzer.tokens(" ".join([*m.terms, *m.phrasings]))
        out.append(Example(title, body, dept.category, m.unit, 1.0, "directory"))
    return out


def fit_linear(examples: list[Example], labels: list[str], classes: list[str]) -> LinearModel:
    """tf-idf vocabulary + one-vs-rest SVM; calibration is filled in by ``fit_models``."""
    feats = [features(e.title, e.body) for e in examples]
    df: Counter[str] = Counter()
    always: set[str] = set()
    for e, f in zip(examples, feats, strict=True):
        df.update(f.keys())
        if e.trusted:
            always.update(f.keys())
    vocab = sorted(t for t, n in df.items() if n >= HYPER["min_df"] or t in always)
    index = {t: i for i, t in enumerate(vocab)}
    n_docs = len(examples)
    idf = np.array([math.log((1 + n_docs) / (1 + df[t])) + 1.0 for t in vocab])
    rows = []
    for f in feats:
        ix = np.array(sorted(index[t] for t in f if t in index), dtype=np.int64)
        vals = np.array([(1.0 + math.log(f[vocab[i]])) for i in ix]) * idf[ix] if len(ix) else ix
        norm = float(np.sqrt((vals * vals).sum())) if len(ix) else 0.0
        rows.append((ix, vals / norm if norm else vals.astype(float)))
    class_index = {c: i for i, c in enumerate(classes)}
    y = [class_index[lab] for lab in labels]
    scale = nb_ratios(rows, y, len(vocab), len(classes)) if HYPER["nb"] else None
    w, b = train_ovr_svm(
        rows,
        y,
        len(vocab),
        len(classes),
        c=HYPER["c"],
        sample_weight=[e.weight for e in examples],
        epochs=int(HYPER["epochs"]),
        seed=int(HYPER["seed"]),
        scale=scale,
    )
    weights: dict[str, list[tuple[int, float]]] = {}
    keep = np.abs(w) >= HYPER["prune"]
    for i, term in enumerate(vocab):
        nz = np.nonzero(keep[i])[0]
        if len(nz):
            weights[term] = [(int(ci), float(w[i, ci])) for ci in nz]
    return LinearModel(
        classes=list(classes),
        idf={t: float(idf[i]) for i, t in enumerate(vocab)},
        weights=weights,
        bias=[float(x) for x in b],
        calibration=(4.0, 0.0),
    )


def _fit_pair(examples: list[Example], directory: Directory) -> ModelPair:
    # Directory pseudo-reports only feed categories the real data uses, so that a 7-category
    # data set is not diluted by categories it never labels; with no data, they feed all.
    real_cats = {e.category for e in examples if e.kind != "directory" and e.category}
    cat_examples = [
        e
        for e in examples
        if e.category and (e.kind != "directory" or not real_cats or e.category in real_cats)
    ]
    cat_classes = [c for c in directory.categories if any(e.category == c for e in cat_examples)]
    dep_examples = [e for e in examples if e.department]
    dep_classes = [
        d.code for d in directory.departments if any(e.department == d.code for e in dep_examples)
    ]
    category = fit_linear(cat_examples, [e.category or "" for e in cat_examples], cat_classes)
    department = fit_linear(dep_examples, [e.department or "" for e in dep_examples], dep_classes)
    return ModelPair(category, department)


def fit_models(
    examples: list[Example],
    directory: Directory,
    progress: Callable[[str], None] | None = None,
) -> ModelPair:
    """Fit on all examples; fit the confidence calibration on internal out-of-fold margins."""
    k = int(HYPER["calibration_folds"])
    order = list(range(len(examples)))
    random.Random(int(HYPER["seed"])).shuffle(order)
    fold = {idx: n % k for n, idx in enumerate(order)}
    cat_m: list[float] = []
    cat_ok: list[bool] = []
    dep_m: list[float] = []
    dep_ok: list[bool] = []
    matcher = AliasMatcher(directory)
    for f in range(k if k > 1 else 0):  # calibration_folds < 2: keep default calibration
        if progress:
            progress(f"calibration fold {f + 1}/{k}")
        train = [e for i, e in enumerate(examples) if fold[i] != f or e.kind == "directory"]
        test = [e for i, e in enumerate(examples) if fold[i] == f and e.kind != "directory"]
        if not test:
            continue
        pair = _fit_pair(train, directory)
        scorer = Scorer(directory, pair.category, pair.department, matcher)
        for e in test:
            s = scorer.score(e.title, e.body)
            if e.category in pair.category.classes:
                best, m = margin(s.category_scores)
                cat_m.append(m)
                cat_ok.append(pair.category.classes[best] == e.category)
            if e.department in pair.department.classes:
                best, m = margin(s.department_scores)
                dep_m.append(m)
                dep_ok.append(scorer.codes[best] == e.department)
    if progress:
        progress("final fit")
    pair = _fit_pair(examples, directory)
    pair.category.calibration = fit_platt(cat_m, cat_ok)
    pair.department.calibration = fit_platt(dep_m, dep_ok)
    return pair
