"""A rate as the two counts it comes from, so groups can be summed and shown as "hits/total"."""

from __future__ import annotations

from dataclasses import dataclass

from bot.texts.statistics import NO_DATA


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def value(self) -> float | None:
        """hits / total; None when nothing was counted (a 0 % would be a false alarm)."""
        return self.hits / self.total if self.total else None

    @property
    def percent(self) -> str:
        value = self.value
        return NO_DATA if value is None else f"{value * 100:.1f}%"
