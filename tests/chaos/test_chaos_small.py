"""The chaos suite, small: 100 reports through the real processes (two workers on PostgreSQL,
the intake, the bot's web app), once with the intake down for longer than it takes to tell the
deputies and once with both workers killed -9 mid-delivery. Nothing may be lost, duplicated or
dead-lettered, and each delayed report is told once as delayed and once as arrived."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaos.report import table
from chaos.scenarios import Outcome, Plan, run_scenario

PLAN = Plan(reports=100, deputies=10, outage_s=8.0, drain_within_s=120.0)


async def _run(key: str, tmp_path: Path) -> Outcome:
    outcome = await run_scenario(key, PLAN, tmp_path)
    if outcome is None:
        pytest.skip("PostgreSQL is not reachable: the chaos suite needs it")
    print(table([outcome], PLAN))
    return outcome


async def test_an_intake_outage_loses_nothing_and_tells_each_deputy_twice(
    tmp_path: Path,
) -> None:
    outcome = await _run("intake-down", tmp_path)
    counts = outcome.counts
    assert (counts.queued, counts.delivered) == (100, 100)
    assert (counts.lost, counts.duplicated, counts.dead) == (0, 0, 0)
    assert counts.max_attempts > 1  # the outage was felt: deliveries failed and were retried
    assert sorted(outcome.notices.delayed.values()) == [1] * 100
    assert sorted(outcome.notices.arrived.values()) == [1] * 100
    assert outcome.ok, outcome.notice_problems


async def test_workers_killed_mid_delivery_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    outcome = await _run("worker-kill", tmp_path)
    counts = outcome.counts
    assert (counts.queued, counts.delivered) == (100, 100)
    assert (counts.lost, counts.duplicated, counts.dead) == (0, 0, 0)
    assert outcome.ok, outcome.notice_problems
