"""Cross-validation folds shared by our evaluation and the baseline's."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence


def stratified_folds(labels: Sequence[str], k: int, seed: int = 13) -> list[int]:
    """Deterministic fold number per row, each label spread evenly over the folds."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        by_label[lab].append(i)
    folds = [0] * len(labels)
    rng = random.Random(seed)
    offset = 0
    for lab in sorted(by_label):
        idx = by_label[lab]
        rng.shuffle(idx)
        for n, i in enumerate(idx):
            folds[i] = (n + offset) % k
        offset += len(idx)
    return folds
