"""The opaque reference: jieba + TF-IDF + LinearSVC (scikit-learn, an optional extra)."""

from __future__ import annotations

import time

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from .datasets import LabelledText
from .folds import stratified_folds
from .metrics import Prediction, Progress
from .text import TextAnalyzer


def baseline_predictions(
    analyzer: TextAnalyzer, rows: list[LabelledText], k: int
) -> tuple[list[Prediction], float]:
    """Same folds as the router's CV; confidence = calibrated probability of the top class."""

    bar = Progress(len(rows) + k, "baseline")
    docs = []
    t0 = time.perf_counter()
    for r in rows:
        docs.append(" ".join(analyzer.tokens(r.title) * 2 + analyzer.tokens(r.text)))
        bar.step()
    tokenize = time.perf_counter() - t0  # counted in ms/report, as it is for the router
    labels = [r.label for r in rows]
    folds = stratified_folds(labels, k)
    preds: list[Prediction | None] = [None] * len(rows)
    elapsed = tokenize
    for f in range(k):
        tr = [i for i, fo in enumerate(folds) if fo != f]
        te = [i for i, fo in enumerate(folds) if fo == f]
        svc = CalibratedClassifierCV(LinearSVC(), cv=3)
        pipe = make_pipeline(
            TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True, min_df=2), svc
        )
        pipe.fit([docs[i] for i in tr], [labels[i] for i in tr])
        t0 = time.perf_counter()
        proba = pipe.predict_proba([docs[i] for i in te])
        elapsed += time.perf_counter() - t0
        classes = list(pipe.classes_)
        for i, p in zip(te, proba, strict=True):
            best = int(p.argmax())
            preds[i] = Prediction(labels[i], classes[best], float(p[best]))
        bar.step()
    done = [p for p in preds if p is not None]
    return done, 1000.0 * elapsed / max(len(done), 1)
