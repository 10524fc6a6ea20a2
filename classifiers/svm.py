"""Training maths (numpy): one-vs-rest linear SVM by dual coordinate descent, Platt scaling.

Same algorithm as liblinear's L2-regularised squared-hinge dual solver, written out so the
learned weights are ours, deterministic (fixed seed, fixed epochs) and easy to export.
"""

from __future__ import annotations

import numpy as np

SparseRow = tuple[np.ndarray, np.ndarray]  # (feature indices, values)


def train_ovr_svm(
    rows: list[SparseRow],
    labels: list[int],
    n_features: int,
    n_classes: int,
    c: float = 0.5,
    sample_weight: list[float] | None = None,
    epochs: int = 20,
    seed: int = 0,
    scale: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (W [n_features x n_classes], bias [n_classes]); bias is a constant feature.

    ``scale`` [n_features x n_classes] multiplies each feature per class before training
    (NB-SVM); the returned W already includes it, so scoring stays a plain dot product.
    """
    n = len(rows)
    w = np.zeros((n_features + 1, n_classes))
    if n == 0:
        return w[:-1], w[-1]
    y = -np.ones((n, n_classes))
    y[np.arange(n), labels] = 1.0
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    diag = 1.0 / (2.0 * c * sw)  # per-sample C via the squared-hinge diagonal term
    idx = [np.append(r[0], n_features) for r in rows]
    r_full = np.ones((n_features + 1, n_classes))
    if scale is not None:
        r_full[:-1] = scale
    # per-sample, per-class scaled values (nnz x n_classes)
    val = [np.append(r[1], 1.0)[:, None] * r_full[ix] for r, ix in zip(rows, idx, strict=True)]
    q = np.array([(v * v).sum(0) for v in val]) + diag[:, None]
    alpha = np.zeros((n, n_classes))
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        for i in rng.permutation(n):
            ix, vx = idx[i], val[i]
            g = y[i] * (vx * w[ix]).sum(0) - 1.0 + diag[i] * alpha[i]
            new = np.maximum(alpha[i] - g / q[i], 0.0)
            delta = (new - alpha[i]) * y[i]
            if np.any(delta):
                w[ix] += vx * delta
                alpha[i] = new
    w *= r_full
    return w[:-1], w[-1]


def nb_ratios(
    rows: list[SparseRow], labels: list[int], n_features: int, n_classes: int
) -> np.ndarray:
    """Log-count ratios r[t, c] = log(P(t | c) / P(t | not c)) on binarised features,
    add-one smoothed (Wang & Manning's NB-SVM), used as per-class feature scales."""
    present = np.zeros((n_classes, n_features))
    for (ix, _), lab in zip(rows, labels, strict=True):
        present[lab, ix] += 1.0
    total = present.sum(0)
    p = present + 1.0
    q = (total[None, :] - present) + 1.0
    r = np.log(p / p.sum(1, keepdims=True)) - np.log(q / q.sum(1, keepdims=True))
    return np.ascontiguousarray(r.T)


def fit_platt(margins: list[float], correct: list[bool]) -> tuple[float, float]:
    """Fit P(correct) = sigmoid(a * margin + b) by Newton's method (Platt's targets)."""
    m = np.asarray(margins, dtype=float)
    z = np.asarray(correct, dtype=float)
    if len(m) < 10 or z.min() == z.max():
        return (4.0, 0.0)
    n_pos, n_neg = z.sum(), len(z) - z.sum()
    t = np.where(z > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))  # smoothed targets
    a, b = 1.0, 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(a * m + b, -50, 50)))
        grad = np.array([((p - t) * m).sum(), (p - t).sum()])
        s = p * (1 - p) + 1e-9
        hess = np.array([[(s * m * m).sum(), (s * m).sum()], [(s * m).sum(), s.sum()]])
        hess += np.eye(2) * 1e-6
        step = np.linalg.solve(hess, grad)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return (float(a), float(b))
