"""Accuracy, macro-F1, per-class tables, confusion matrix and coverage-vs-precision."""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass

THRESHOLDS = (0.0, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.82, 0.85, 0.88, 0.9, 0.95)


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str
    predicted: str
    confidence: float


@dataclass(frozen=True)
class Summary:
    name: str
    n: int
    accuracy: float
    macro_f1: float
    coverage: float  # share auto-routed at the threshold
    precision: float  # accuracy on the auto-routed share
    ms_per_report: float


def per_class(preds: list[Prediction]) -> dict[str, tuple[float, float, float, int]]:
    """label -> (precision, recall, F1, support) over every label seen or predicted."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for p in preds:
        if p.label == p.predicted:
            tp[p.label] += 1
        else:
            fp[p.predicted] += 1
            fn[p.label] += 1
    out = {}
    for lab in sorted({p.label for p in preds} | {p.predicted for p in preds}):
        prec = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        rec = tp[lab] / (tp[lab] + fn[lab]) if tp[lab] + fn[lab] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[lab] = (prec, rec, f1, tp[lab] + fn[lab])
    return out


def coverage_at(preds: list[Prediction], threshold: float) -> tuple[float, float]:
    kept = [p for p in preds if p.confidence >= threshold]
    if not preds or not kept:
        return (0.0, 0.0)
    return (len(kept) / len(preds), sum(p.label == p.predicted for p in kept) / len(kept))


def summarize(name: str, preds: list[Prediction], threshold: float, ms: float) -> Summary:
    n = len(preds)
    acc = sum(p.label == p.predicted for p in preds) / n if n else 0.0
    table = per_class(preds)
    supported = [v[2] for v in table.values() if v[3] > 0]
    macro = sum(supported) / len(supported) if supported else 0.0
    cov, prec = coverage_at(preds, threshold)
    return Summary(name, n, acc, macro, cov, prec, ms)


def format_report(name: str, preds: list[Prediction], threshold: float, ms: float) -> str:
    s = summarize(name, preds, threshold, ms)
    lines = [
        f"== {name}: {s.n} reports",
        f"accuracy {s.accuracy:.4f}   macro-F1 {s.macro_f1:.4f}   {s.ms_per_report:.2f} ms/report",
        f"threshold {threshold:.2f}: auto-routed {s.coverage:.1%}, precision {s.precision:.4f}",
        "",
        f"{'class':<16}{'prec':>7}{'recall':>8}{'F1':>7}{'n':>6}",
    ]
    for lab, (p, r, f, n) in per_class(preds).items():
        lines.append(f"{lab:<16}{p:>7.3f}{r:>8.3f}{f:>7.3f}{n:>6}")
    labels = sorted({p.label for p in preds} | {p.predicted for p in preds})
    if len(labels) <= 40:
        conf = Counter((p.label, p.predicted) for p in preds)
        lines += ["", "confusion (rows: true, columns: predicted, in label order above)"]
        for lab in labels:
            cells = " ".join(f"{conf[(lab, q)]:>4}" for q in labels)
            lines.append(f"{lab[:12]:<14}{cells}")
    lines += ["", f"{'threshold':>9}{'coverage':>10}{'precision':>11}"]
    for t in THRESHOLDS:
        cov, prec = coverage_at(preds, t)
        lines.append(f"{t:>9.2f}{cov:>10.1%}{prec:>11.4f}")
    return "\n".join(lines)


def format_side_by_side(summaries: list[Summary]) -> str:
    head = f"{'model':<28}{'acc':>8}{'macroF1':>9}{'auto%':>8}{'prec@t':>8}{'ms/rep':>8}"
    lines = [head]
    for s in summaries:
        lines.append(
            f"{s.name:<28}{s.accuracy:>8.4f}{s.macro_f1:>9.4f}{s.coverage:>8.1%}"
            f"{s.precision:>8.4f}{s.ms_per_report:>8.2f}"
        )
    return "\n".join(lines)


class Progress:
    """A one-line progress bar on stderr (no dependency)."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = max(total, 1), label, 0
        self.start = time.perf_counter()
        self._last = -1

    def step(self, n: int = 1) -> None:
        self.done += n
        pct = min(100, int(100 * self.done / self.total))
        every = 1 if sys.stderr.isatty() else 10  # logs get a line per 10%, not a spray
        if pct // every != self._last // every or self.done >= self.total:
            if pct == self._last and self.done < self.total:
                return
            self._last = pct
            bar = "#" * (pct // 4)
            end = "\r" if sys.stderr.isatty() else "\n"
            sys.stderr.write(f"{self.label:<22}[{bar:<25}] {pct:3d}%{end}")
            if self.done >= self.total:
                sys.stderr.write(
                    f"{self.label:<22}done in {time.perf_counter() - self.start:.1f}s\n"
                )
            sys.stderr.flush()

    def note(self, text: str) -> None:
        end = "\r" if sys.stderr.isatty() else "\n"
        sys.stderr.write(f"{self.label:<22}{text:<40}{end}")
        sys.stderr.flush()
