"""The statistics pages' one-minute cache: reused while fresh, computed again once stale."""

from __future__ import annotations

from console.stats_cache import TtlCache


async def test_figures_are_reused_for_a_minute_then_computed_again() -> None:
    clock = [1000.0]
    cache = TtlCache(ttl=60, clock=lambda: clock[0])
    computed: list[int] = []

    async def compute() -> int:
        computed.append(1)
        return len(computed)

    first_at, first = await cache.get("rates", compute)
    clock[0] += 59
    again_at, again = await cache.get("rates", compute)
    assert (again, again_at) == (first, first_at) and len(computed) == 1
    _, other = await cache.get("deputies", compute)  # another page or filter: its own entry
    assert other == 2
    clock[0] += 2
    _, fresh = await cache.get("rates", compute)
    assert fresh == 3
