"""``eval FILE.tsv`` on a department-labelled file: the router as the bot runs it (catalogue,
named units, learned prior, calibrated confidence) — top-1, top-3, the auto-routed share with
its precision at the router's threshold, how that threshold was chosen, and the confusions."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from .datasets import LabelledText, read_tsv
from .directory import Directory
from .metrics import Progress
from .router import Router

_CONFUSIONS_SHOWN = 25


def is_department_file(directory: Directory, rows: list[LabelledText]) -> bool:
    """Most labels resolve to a department (code or name), not to a category."""
    hits = 0
    for r in rows:
        target = directory.resolve_label(r.label)
        hits += target is not None and directory.has_department(target)
    return bool(rows) and hits > len(rows) / 2


def route_report(router: Router, path: Path) -> str:
    directory = router.directory
    raw = read_tsv(path)
    rows = []
    for r in raw:
        target = directory.resolve_label(r.label)
        if target is not None and directory.has_department(target):
            rows.append((target, r))
    lines = [f"model {router.version}, catalogue {router.catalogue.version}"]
    lines.append(
        f"{path.name}: {len(rows)} reports"
        + (
            f" ({len(raw) - len(rows)} with unknown labels skipped)"
            if len(raw) > len(rows)
            else ""
        )
    )
    bar = Progress(len(rows), "classify")
    top1 = top3 = auto = auto_ok = 0
    confusions: Counter[tuple[str, str]] = Counter()
    per_unit: Counter[str] = Counter()
    per_unit_ok: Counter[str] = Counter()
    lat = []
    for label, r in rows:
        t0 = time.perf_counter()
        c = router.classify(r.text, title=r.title or None)
        lat.append(time.perf_counter() - t0)
        codes = [x.department_code for x in c.candidates]
        ok = c.department_code == label
        top1 += ok
        top3 += label in codes[:3]
        per_unit[label] += 1
        per_unit_ok[label] += ok
        if c.auto_route:
            auto += 1
            auto_ok += ok
        if not ok:
            confusions[(label, c.department_code)] += 1
        bar.step()
    n = max(len(rows), 1)
    lat.sort()
    p99 = 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else 0.0
    lines += [
        f"top-1 {top1 / n:.4f}   top-3 {top3 / n:.4f}",
        f"threshold {router.threshold:.2f}: auto-routed {auto / n:.1%} ({auto}), "
        f"precision {auto_ok / max(auto, 1):.4f}",
        f"threshold chosen: {router.calibration.how}",
        f"{1000 * sum(lat) / n:.2f} ms/report, p99 {p99:.2f} ms",
        "",
        "per unit (recall):",
    ]
    unit_cells = [
        f"{u} {per_unit_ok[u]}/{per_unit[u]}" for u in sorted(per_unit, key=lambda u: -per_unit[u])
    ]
    lines += ["  " + "  ".join(unit_cells[i : i + 8]) for i in range(0, len(unit_cells), 8)]
    lines += ["", "confusions (true → predicted: count):"]
    for (t, p), k in confusions.most_common(_CONFUSIONS_SHOWN):
        lines.append(f"  {t} → {p}: {k}")
    if not confusions:
        lines.append("  none")
    if router.calibration.table:
        lines += ["", "calibration (cross-validated training reports):", "  t     auto%   prec"]
        for th, cov, prec in router.calibration.table[::5]:
            lines.append(f"  {th:.2f}  {cov:6.1%}  {prec:.3f}")
    return "\n".join(lines)
