"""A rate as the two counts it comes from, so groups can be summed and shown as "hits/total";
and the names of groups that have no name of their own (the console words them)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def value(self) -> float | None:
        """hits / total; None when nothing was counted (a 0 % would be a false alarm)."""
        return self.hits / self.total if self.total else None


class Unnamed(StrEnum):
    """A row label that is not a name from the data: the total, or the group of rows that
    lack the grouping field."""

    TOTAL = "total"
    NO_DEPARTMENT = "no_department"
    NO_DISTRICT = "no_district"
    NO_LEVEL = "no_level"
    NO_CONSTITUENCY = "no_constituency"
    NO_STATION = "no_station"
    NO_SUGGESTION = "no_suggestion"  # the classifier gave no department
