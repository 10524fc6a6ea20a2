"""`make bench`: runs every benchmark and prints its figures."""

from __future__ import annotations

import asyncio
import runpy
from pathlib import Path

from benchmarks import bot_bench, console_bench, outbox_bench


def main() -> None:
    asyncio.run(bot_bench.main())
    classifier = Path(__file__).with_name("classifier_bench.py")
    if classifier.exists():
        runpy.run_path(str(classifier), run_name="__main__")
    asyncio.run(outbox_bench.main())
    asyncio.run(console_bench.main())


if __name__ == "__main__":
    main()
