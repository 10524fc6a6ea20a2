"""`make bench`: runs every benchmark and prints its figures."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from benchmarks import bot_bench, console_bench, outbox_bench


def main() -> None:
    asyncio.run(bot_bench.main())
    # Its own process: it pins itself to one core, which must not cap the benchmarks after it.
    subprocess.run([sys.executable, "-m", "benchmarks.classifier_bench"], check=False)
    asyncio.run(outbox_bench.main())
    asyncio.run(console_bench.main())


if __name__ == "__main__":
    main()
