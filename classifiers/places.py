"""District and town/street detection from the text, and from a location when given."""

from __future__ import annotations

import math
import re

from .directory import Directory

# A short district alias (隆回, 城步) counts only when followed by an admin word or a place
# suffix, so 新宁 in 新宁静小区 or 洞口 in 下水道洞口 does not fire.
_SHORT_FOLLOW = re.compile(r"^(县|市|区|城区|境内|一带|的|人民|[^\u4e00-\u9fff])")
MAX_KM = 60.0  # farther than this from every district seat: not in this city


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


class PlaceFinder:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        # surface form -> (town or None, district, kind); kind: "full", "stem", "district",
        # "short" (a two-character district alias that needs a following admin word)
        self._names: dict[str, tuple[str | None, str, str]] = {}
        for d in directory.districts:
            for town in d.towns:
                stem = re.sub(
                    r"(街道|镇|乡|苗族侗族乡|侗族苗族乡|瑶族乡|苗族乡|侗族乡|回族乡)$", "", town
                )
                if len(stem) >= 2 and stem != town:
                    self._names.setdefault(stem, (town, d.name, "stem"))
            for town in d.towns:
                self._names[town] = (town, d.name, "full")
        for d in directory.districts:
            self._names[d.name] = (None, d.name, "district")
            for alias in d.aliases:
                self._names[alias] = (None, d.name, "short" if len(alias) <= 2 else "district")
        # first character -> name lengths starting with it, longest first; most characters
        # start no place name, and a regex over the first characters skips them in C
        starts: dict[str, set[int]] = {}
        for name in self._names:
            starts.setdefault(name[0], set()).add(len(name))
        self._starts = {c: sorted(ls, reverse=True) for c, ls in starts.items()}
        self._first = re.compile("[" + "".join(re.escape(c) for c in sorted(starts)) + "]")

    def find(
        self, text: str, location: tuple[float, float] | None = None
    ) -> tuple[str | None, str | None]:
        """(district, town) from the text; the location fills the district when the text has
        none. Full town names beat stems (龙须塘街道 over 龙须塘), towns beat districts,
        earlier mentions beat later ones."""
        best: tuple[int, int, str | None, str] | None = None  # (rank, position, town, district)
        n = len(text)
        starts = self._starts
        for m in self._first.finditer(text):
            i = m.start()
            for length in starts[m.group()]:
                hit = self._names.get(text[i : i + length]) if i + length <= n else None
                if hit is None:
                    continue
                town, district, kind = hit
                end = i + length
                if kind == "stem" and not self._stem_ok(text, end):
                    continue
                if kind == "short" and not _SHORT_FOLLOW.match(text[end:] or " "):
                    continue
                rank = {"full": 0, "stem": 1, "district": 2, "short": 2}[kind]
                if best is None or (rank, i) < best[:2]:
                    best = (rank, i, town, district)
                break
        if best is not None:
            return best[3], best[2]
        if location is not None:
            return self.nearest(location), None
        return None, None

    @staticmethod
    def _stem_ok(text: str, end: int) -> bool:
        # A stem such as 廉桥 must not be part of a longer word (廉桥路 is fine, it is a place).
        nxt = text[end : end + 1]
        return nxt == "" or nxt in "村社区路街组小市场附近一带的，。、 " or not nxt.isalpha()

    def nearest(self, location: tuple[float, float]) -> str | None:
        lat, lon = location
        if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
            return None
        best, best_km = None, MAX_KM
        for d in self.directory.districts:
            if d.center is not None:
                km = _km((lat, lon), d.center)
                if km < best_km:
                    best, best_km = d.name, km
        return best
