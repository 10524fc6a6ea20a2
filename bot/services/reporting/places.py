"""Where a report happened, in words: 区县 and 乡镇/街道, offline.

The router gives the district (named in the text or address, else the nearest district seat of
a shared location). A shared location is also matched against the shipped seats of towns and
streets (data/town_seats.json): within its radius, the nearest seat names the town, and its
district wins over the nearest district seat (town seats lie much closer together)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from classifiers import Classification, load_directory

SEATS_FILE = Path(__file__).parent / "data" / "town_seats.json"
MAX_DISTRICT_KM = 60.0  # the router's limit: farther than this from every seat is not this city


@dataclass(frozen=True)
class Place:
    district: str | None
    town: str | None


@dataclass(frozen=True)
class TownSeat:
    district: str
    town: str
    latitude: float
    longitude: float


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


@cache
def town_seats() -> tuple[tuple[TownSeat, ...], float]:
    data = json.loads(SEATS_FILE.read_text(encoding="utf-8"))
    seats = tuple(TownSeat(s["district"], s["town"], *s["at"]) for s in data["seats"])
    return seats, float(data["radius_km"])


@cache
def _district_seats() -> tuple[tuple[str, tuple[float, float]], ...]:
    return tuple((d.name, d.center) for d in load_directory().districts if d.center)


def nearest_district(location: tuple[float, float]) -> str | None:
    """The district whose seat is nearest, as the router finds it for a location alone."""
    best = min(_district_seats(), key=lambda seat: km(location, seat[1]), default=None)
    return best[0] if best and km(location, best[1]) <= MAX_DISTRICT_KM else None


def nearest_town(location: tuple[float, float]) -> TownSeat | None:
    seats, radius = town_seats()
    best = min(seats, key=lambda s: km(location, (s.latitude, s.longitude)), default=None)
    if best is None or km(location, (best.latitude, best.longitude)) > radius:
        return None
    return best


def valid(location: tuple[float, float]) -> bool:
    lat, lon = location
    return math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180


def place_of(analysis: Classification, location: tuple[float, float] | None) -> Place:
    """A town the text names comes first; then a shared location within reach of a town seat
    names both, unless the text names another district than the seat's (the problem is
    elsewhere than where the deputy stands); else the router's district."""
    if analysis.town or location is None or not valid(location):
        return Place(analysis.district, analysis.town)
    seat = nearest_town(location)
    if seat is None:
        return Place(analysis.district, None)
    named = analysis.district
    if named is None or named == seat.district or named == nearest_district(location):
        return Place(seat.district, seat.town)
    return Place(named, None)  # the text named another district
