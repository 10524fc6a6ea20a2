"""``eval``: K-fold cross-validation (train on K-1 folds, test on the held-out one) or scoring
the loaded model, optionally beside the jieba + TF-IDF + LinearSVC baseline."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .build import route_scores
from .calibration import DEFAULT_CALIBRATION
from .catalogue import load_catalogue
from .datasets import LabelledText, read_tsv
from .directory import Directory
from .folds import stratified_folds
from .lexicon import AliasMatcher
from .metrics import Prediction, Progress, format_report, format_side_by_side, summarize
from .routing import RouteScorer
from .scoring import Scorer, margin
from .text import TextAnalyzer
from .training import Example, catalogue_examples, directory_examples, fit_models, tokenize_rows


def resolve(directory: Directory, rows: list[LabelledText]) -> tuple[list[LabelledText], int]:
    """Rows with labels mapped onto the directory (code or category); count of dropped rows."""
    out = []
    for r in rows:
        target = directory.resolve_label(r.label)
        if target is not None:
            out.append(LabelledText(r.id, target, r.title, r.text, r.weight))
    return out, len(rows) - len(out)


def _is_category_file(directory: Directory, rows: list[LabelledText]) -> bool:
    return sum(r.label in directory.categories for r in rows) > len(rows) / 2


def _predict(
    scorer: Scorer, analyzer: TextAnalyzer, row: LabelledText, by_category: bool
) -> Prediction:
    s = scorer.score(analyzer.tokens(row.title), analyzer.tokens(row.text))
    if by_category:
        best, m = margin(s.category_scores)
        model, labels = scorer.cat, scorer.cat.classes
    else:
        best, m = margin(s.department_scores)
        model, labels = scorer.dep, scorer.codes
    pred = labels[best] if best >= 0 else ""
    return Prediction(row.label, pred, model.confidence(m))


def cross_validate(
    directory: Directory,
    analyzer: TextAnalyzer,
    rows: list[LabelledText],
    k: int,
    whole: list[Prediction] | None = None,
) -> tuple[list[Prediction], float]:
    """The learned model's held-out predictions; for a department file, ``whole`` receives
    the whole router's too (catalogue, names, the fold's model as prior)."""
    by_category = _is_category_file(directory, rows)
    folds = stratified_folds([r.label for r in rows], k)
    bar = Progress(len(rows) * 2, "tokenize+train+test")
    examples: list[Example] = []
    for r in rows:
        ex, _ = tokenize_rows(analyzer, directory, [r])
        examples.append(ex[0])
        bar.step()
    catalogue = load_catalogue(directory, complete=False)
    pseudo = directory_examples(analyzer, directory)
    if not by_category:  # the catalogue's matters are departments' pseudo-reports
        pseudo += catalogue_examples(analyzer, directory, catalogue)
    matcher = AliasMatcher(directory)
    preds: list[Prediction | None] = [None] * len(rows)
    elapsed = 0.0
    for f in range(k):
        train = [e for e, fo in zip(examples, folds, strict=True) if fo != f] + pseudo
        pair = fit_models(train, directory, progress=bar.note)
        scorer = Scorer(directory, pair.category, pair.department, matcher)
        routes = None if by_category else RouteScorer(directory, catalogue, analyzer, scorer)
        test = [i for i, fo in enumerate(folds) if fo == f]
        t0 = time.perf_counter()
        for i in test:
            preds[i] = _predict(scorer, analyzer, rows[i], by_category)
            if routes is not None and whole is not None:
                r = rows[i]
                s = route_scores(routes, analyzer, r.title, r.text)
                conf = DEFAULT_CALIBRATION.confidence(s.features())
                whole.append(Prediction(r.label, s.codes[0], conf))
        elapsed += time.perf_counter() - t0
        bar.step(len(test))
    done = [p for p in preds if p is not None]
    return done, 1000.0 * elapsed / max(len(done), 1)


def run_eval(
    path: Path,
    directory: Directory,
    analyzer: TextAnalyzer,
    scorer: Scorer | None,
    k: int,
    baseline: bool,
    threshold: float,
) -> str:
    rows, dropped = resolve(directory, read_tsv(path))
    out = [
        f"{path.name}: {len(rows)} rows"
        + (f" ({dropped} with unknown labels skipped)" if dropped else "")
    ]
    if k > 1:
        whole: list[Prediction] = []
        preds, ms = cross_validate(directory, analyzer, rows, k, whole)
        name = f"router {k}-fold CV"
    else:
        if scorer is None:
            raise ValueError("no model loaded")
        by_category = _is_category_file(directory, rows)
        bar = Progress(len(rows), "classify")
        t0 = time.perf_counter()
        preds = []
        for r in rows:
            preds.append(_predict(scorer, analyzer, r, by_category))
            bar.step()
        ms = 1000.0 * (time.perf_counter() - t0) / max(len(rows), 1)
        name = "router (loaded model)"
    out.append(format_report(name, preds, threshold, ms))
    summaries = [summarize(name, preds, threshold, ms)]
    if k > 1 and whole:
        # another city's departments: its own practice and label noise, not our 派单目录
        summaries.append(summarize(f"whole router (catalogue) {k}-fold", whole, threshold, 0.0))
    if baseline:
        try:
            from .baseline import baseline_predictions
        except ImportError as exc:  # scikit-learn is an optional extra
            print(f"baseline needs scikit-learn: {exc}", file=sys.stderr)
        else:
            bpreds, bms = baseline_predictions(analyzer, rows, max(k, 2))
            bname = f"tfidf+LinearSVC {max(k, 2)}-fold"
            out.append(format_report(bname, bpreds, threshold, bms))
            summaries.append(summarize(bname, bpreds, threshold, bms))
    out.append(format_side_by_side(summaries))
    return "\n\n".join(out)
