"""`python -m chaos [--reports N] [--scenarios a,b]`: runs the scenarios and prints the table;
exit code 1 when any scenario lost, duplicated or dead-lettered a report or told a deputy
something twice (or not at all)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from chaos.report import table
from chaos.scenarios import SCENARIOS, Outcome, Plan, run_scenario


async def run(plan: Plan, keys: list[str], logs: Path) -> list[Outcome]:
    outcomes = []
    for key in keys:
        print(f"… {key}", flush=True)
        outcome = await run_scenario(key, plan, logs)
        if outcome is None:
            print("PostgreSQL is not reachable: the chaos suite needs it.", file=sys.stderr)
            return []
        outcomes.append(outcome)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--deputies", type=int, default=50)
    parser.add_argument("--outage", type=float, default=20.0, help="seconds the intake is down")
    parser.add_argument("--long-outage", type=float, default=45.0)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--logs", type=Path, default=None, help="keep the processes' logs here")
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.scenarios.split(",") if k.strip()]
    unknown = [k for k in keys if k not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios {unknown}; known: {', '.join(SCENARIOS)}")
    plan = Plan(
        reports=args.reports,
        deputies=args.deputies,
        outage_s=args.outage,
        long_outage_s=args.long_outage,
    )
    with tempfile.TemporaryDirectory(prefix="chaos-") as folder:
        outcomes = asyncio.run(run(plan, keys, args.logs or Path(folder)))
    if not outcomes:
        return 2
    print(table(outcomes, plan))
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
