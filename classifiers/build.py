"""``train`` end to end: the examples (shared data, this city's training reports, corrections,
directory and catalogue pseudo-reports), the two learned models, and the routing calibration
fitted on cross-validated routings of the training reports (so ``auto_route`` means what it
says on reports the model never saw)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import modelfile
from .calibration import calibrate
from .catalogue import CATALOGUE_DIR, Catalogue
from .datasets import TRAINING_REPORTS, TRAINING_WEIGHT, LabelledText, read_corrections, read_tsv
from .directory import DEPARTMENTS_FILE, DISTRICTS_FILE, Directory
from .folds import stratified_folds
from .lexicon import AliasMatcher
from .metrics import Progress
from .routing import RouteScorer, RouteScores
from .scoring import Scorer
from .text import TextAnalyzer
from .training import (
    Example,
    ModelPair,
    _fit_pair,
    catalogue_examples,
    directory_examples,
    fit_models,
    tokenize_rows,
)

CV_FOLDS = 5


@dataclass(frozen=True)
class Inputs:
    fixed: list[Example]  # trained on in every fold: shared data, corrections, pseudo-reports
    reports: list[LabelledText]  # this city's training reports, cross-validated
    report_examples: list[Example]
    digest: dict[str, object]


@dataclass(frozen=True)
class Routed:
    label: str
    codes: list[str]  # best first
    features: list[float]


def gather(
    analyzer: TextAnalyzer,
    directory: Directory,
    catalogue: Catalogue,
    shared: Sequence[Path],
    corrections: Path | None = None,
    training_reports: Path | None = TRAINING_REPORTS,
) -> Inputs:
    fixed: list[Example] = []
    digest: dict[str, object] = {
        "directory": modelfile.file_digest(DEPARTMENTS_FILE)
        + modelfile.file_digest(DISTRICTS_FILE)[:4],
        "catalogue": catalogue.version,
        "files": {},
    }
    files: dict[str, str] = {}
    for path in shared:
        rows = read_tsv(path)
        ex, unknown = tokenize_rows(analyzer, directory, rows)
        if unknown:
            print(
                f"{path.name}: {len(unknown)} rows with labels not in the directory skipped "
                f"({', '.join(sorted(set(unknown))[:8])})",
                file=sys.stderr,
            )
        fixed += ex
        files[path.name] = modelfile.file_digest(path)
    if corrections is not None:
        ex, unknown = tokenize_rows(
            analyzer, directory, read_corrections(corrections), "correction"
        )
        if unknown:
            print(f"corrections: {len(unknown)} unknown department codes skipped", file=sys.stderr)
        fixed += ex
        digest["corrections"] = modelfile.file_digest(corrections)
    fixed += directory_examples(analyzer, directory)
    fixed += catalogue_examples(analyzer, directory, catalogue)
    reports: list[LabelledText] = []
    report_examples: list[Example] = []
    if training_reports is not None and training_reports.is_file():
        raw = [
            LabelledText(r.id, r.label, r.title, r.text, TRAINING_WEIGHT)
            for r in read_tsv(training_reports)
        ]
        for r in raw:
            ex, _ = tokenize_rows(analyzer, directory, [r])
            if ex and ex[0].department:
                reports.append(r)
                report_examples.append(ex[0])
        files[training_reports.name] = modelfile.file_digest(training_reports)
    digest["files"] = files
    return Inputs(fixed, reports, report_examples, digest)


def route_scores(rs: RouteScorer, analyzer: TextAnalyzer, title: str, text: str) -> RouteScores:
    t_words, b_words = analyzer.words(title), analyzer.words(text)
    return rs.score(
        t_words, b_words, analyzer.content(t_words), analyzer.content(b_words), f"{title} {text}"
    )


def cross_validated_routings(
    inputs: Inputs,
    analyzer: TextAnalyzer,
    directory: Directory,
    catalogue: Catalogue,
    k: int = CV_FOLDS,
    progress: Callable[[str], None] | None = None,
) -> list[Routed]:
    """Each training report routed by a model trained without its fold."""
    rows = inputs.reports
    if len(rows) < k * 2:
        return []
    folds = stratified_folds([r.label for r in rows], k)
    matcher = AliasMatcher(directory)
    out: list[Routed | None] = [None] * len(rows)
    for f in range(k):
        if progress:
            progress(f"routing CV fold {f + 1}/{k}")
        train = inputs.fixed + [
            e for e, fo in zip(inputs.report_examples, folds, strict=True) if fo != f
        ]
        pair = _fit_pair(train, directory)
        scorer = Scorer(directory, pair.category, pair.department, matcher)
        rs = RouteScorer(directory, catalogue, analyzer, scorer)
        for i, fo in enumerate(folds):
            if fo == f:
                r = rows[i]
                s = route_scores(rs, analyzer, r.title, r.text)
                label = directory.resolve_label(r.label) or r.label
                out[i] = Routed(label, s.codes[:3], s.features())
    return [r for r in out if r is not None]


def train(
    analyzer: TextAnalyzer,
    directory: Directory,
    catalogue: Catalogue,
    shared: Sequence[Path],
    corrections: Path | None = None,
    out: Path = modelfile.SHIPPED_MODEL,
    training_reports: Path | None = TRAINING_REPORTS,
) -> tuple[str, int, str]:
    """Fit and save; returns (version, examples, how the threshold was chosen)."""
    inputs = gather(analyzer, directory, catalogue, shared, corrections, training_reports)
    bar = Progress(1, "train")
    routed = cross_validated_routings(inputs, analyzer, directory, catalogue, progress=bar.note)
    examples = inputs.fixed + inputs.report_examples
    pair: ModelPair = fit_models(examples, directory, progress=bar.note)
    pair.routing = calibrate([r.features for r in routed], [r.codes[0] == r.label for r in routed])
    bar.step()
    inputs.digest["examples"] = len(examples)
    inputs.digest["catalogue_dir"] = CATALOGUE_DIR.name
    version = modelfile.save(pair, inputs.digest, out)
    return version, len(examples), pair.routing.how
