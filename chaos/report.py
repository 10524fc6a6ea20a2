"""The chaos table: one line per scenario, and what went wrong below it if anything did."""

from __future__ import annotations

from chaos.scenarios import Outcome, Plan

COLUMNS = (
    "scenario", "queued", "delivered", "lost", "duplicated", "dead-lettered",
    "drain s", "after fault s", "max tries", "told delayed", "told arrived", "told 受理",
)  # fmt: skip


def row(outcome: Outcome) -> list[str]:
    c, n = outcome.counts, outcome.notices
    return [
        outcome.scenario,
        str(c.queued),
        str(c.delivered),
        str(c.lost),
        str(c.duplicated),
        str(c.dead),
        f"{outcome.drain_s:.1f}",
        "—" if outcome.recovery_s is None else f"{outcome.recovery_s:.1f}",
        str(c.max_attempts),
        f"{sum(n.delayed.values())}",
        f"{sum(n.arrived.values())}",
        f"{sum(n.accepted.values())}",
    ]


def table(outcomes: list[Outcome], plan: Plan) -> str:
    rows = [list(COLUMNS), *(row(o) for o in outcomes)]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(r))
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    t = plan.timing
    lines.append(
        f"(time scaled: retries ≤ {t.retry_max_s:g} s apart within a {t.retry_hours * 60:g}-minute"
        f" window; deputies told after {t.notice_after_s:g} s; the old worker gave up after 8"
        " tries)"
    )
    for outcome in outcomes:
        lines.extend(outcome.notes)
        for problem in outcome.notice_problems:
            lines.append(f"PROBLEM in {outcome.scenario}: {problem}")
        if not outcome.ok and not outcome.notice_problems:
            lines.append(f"PROBLEM in {outcome.scenario}: not every report arrived exactly once")
    lines.append("ALL OK" if all(o.ok for o in outcomes) else "FAILED")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns on a terminal: a Chinese character takes two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
