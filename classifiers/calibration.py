"""Confidence that means what it says: a logistic model of P(correct unit) over the router's
score features, fitted on cross-validated (out-of-fold) routings of the training reports, and
the auto-route threshold chosen on the same routings: the lowest confidence at which what is
auto-routed is still right at least TARGET_PRECISION of the time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .routing import sigmoid

TARGET_PRECISION = 0.97
MIN_AUTO = 30  # a threshold is only chosen over at least this many auto-routed reports
_GRID = tuple(round(0.5 + 0.01 * i, 2) for i in range(50))  # 0.50 … 0.99
_L2 = 0.05


@dataclass
class RoutingCalibration:
    weights: list[float]  # one per feature (RouteScores.features), then the bias
    threshold: float
    how: str = ""  # how the threshold was chosen, printed by eval
    table: list[tuple[float, float, float]] = field(default_factory=list)  # t, auto%, prec

    def confidence(self, features: list[float]) -> float:
        z = sum(w * x for w, x in zip(self.weights, features, strict=False)) + self.weights[-1]
        return sigmoid(z)

    def to_json(self) -> dict[str, Any]:
        return {
            "weights": [round(w, 5) for w in self.weights],
            "threshold": self.threshold,
            "how": self.how,
            "table": [[t, round(a, 4), round(p, 4)] for t, a, p in self.table],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoutingCalibration:
        return cls(
            [float(w) for w in data["weights"]],
            float(data["threshold"]),
            str(data.get("how", "")),
            [(float(t), float(a), float(p)) for t, a, p in data.get("table", [])],
        )


DEFAULT_CALIBRATION = RoutingCalibration(
    [2.5, 1.0, 1.0, 1.0, -1.5], 0.8, "default (no calibration data)"
)


def fit_logistic(x: list[list[float]], y: list[bool]) -> list[float]:
    """L2-regularised logistic regression by Newton's method; returns weights + bias."""
    if len(x) < 10 or all(y) or not any(y):
        return list(DEFAULT_CALIBRATION.weights)
    a = np.hstack([np.asarray(x, dtype=float), np.ones((len(x), 1))])
    t = np.asarray(y, dtype=float)
    w = np.zeros(a.shape[1])
    reg = _L2 * np.eye(a.shape[1])
    reg[-1, -1] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(a @ w, -50, 50)))
        grad = a.T @ (p - t) + reg @ w
        hess = (a * (p * (1 - p))[:, None]).T @ a + reg + 1e-9 * np.eye(a.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return [float(v) for v in w]


def calibrate(
    features: list[list[float]], correct: list[bool], target: float = TARGET_PRECISION
) -> RoutingCalibration:
    weights = fit_logistic(features, correct)
    cal = RoutingCalibration(weights, 0.8)
    conf = [cal.confidence(f) for f in features]
    n = len(conf)
    table = []
    chosen = None
    for t in _GRID:
        kept = [ok for c, ok in zip(conf, correct, strict=True) if c >= t]
        if not kept:
            table.append((t, 0.0, 0.0))
            continue
        prec = sum(kept) / len(kept)
        table.append((t, len(kept) / n, prec))
        if chosen is None and len(kept) >= MIN_AUTO and prec >= target:
            chosen = (t, len(kept) / n, prec)
    if chosen is None:
        cal.threshold = 0.95
        cal.how = (
            f"no threshold reached precision {target:.2f} on {n} cross-validated training "
            "reports: 0.95"
        )
    else:
        t, cov, prec = chosen
        cal.threshold = t
        cal.how = (
            f"lowest confidence at which the auto-routed share of {n} cross-validated training "
            f"reports (5-fold, model retrained without the fold) was right >= {target:.2f}: "
            f"t={t:.2f}, auto-routed {cov:.1%} at precision {prec:.3f}"
        )
    cal.table = table
    return cal
