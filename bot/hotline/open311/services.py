"""The server's service list, as our departments see it, kept fresh.

Departments become `service_code`s by fuzzy-matching `services.json` against our department
names and aliases (rapidfuzz); a JSON file {our_code: service_code} overrides the guess. The
list is fetched again every `ttl` seconds and whenever the server says a service is unknown;
an empty list (a wrong jurisdiction, a server being set up) is never kept as the truth.
Definitions (`services/{code}.json`) are read for services with `metadata: true`, to learn
their attributes; a server without that endpoint declares none."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

from bot.hotline.gateway import HotlineError, PermanentHotlineError, TemporaryHotlineError

log = logging.getLogger(__name__)

SCORE_CUTOFF = 80.0
SERVICES_TTL_S = 3600.0
MIN_REFRESH_S = 60.0  # an unknown department refreshes the list at most this often

Fetch = Callable[[str], Awaitable[Any]]


def load_mapping(path: Path | None) -> dict[str, str]:
    """The override file: {"ZJ": "021", ...}; missing file = no overrides."""
    if path is None or not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object {{our_code: service_code}}")
    return {str(k): str(v) for k, v in data.items()}


def match_services(
    department_names: Mapping[str, Iterable[str]],
    services: Iterable[Mapping[str, Any]],
    *,
    cutoff: float = SCORE_CUTOFF,
) -> dict[str, str]:
    """Our code → service_code. Service names are tried first; keywords, group and
    description only when no name scores above `cutoff`."""
    names: list[tuple[str, str]] = []
    others: list[tuple[str, str]] = []
    for service in services:
        code = str(service.get("service_code") or "")
        if not code:
            continue
        if service.get("service_name"):
            names.append((str(service["service_name"]), code))
        for field in ("group", "description"):
            if service.get(field):
                others.append((str(service[field]), code))
        keywords = service.get("keywords") or ""
        for keyword in str(keywords).replace("，", ",").split(","):
            if keyword.strip():
                others.append((keyword.strip(), code))
    mapping: dict[str, str] = {}
    for our_code, wanted in department_names.items():
        queries = [q for q in wanted if q and q.strip()]
        for choices in (names, others):
            best: tuple[float, str] | None = None
            texts = [text for text, _ in choices]
            for query in queries:
                hit = process.extractOne(
                    query,
                    texts,
                    scorer=fuzz.WRatio,
                    processor=utils.default_process,
                    score_cutoff=cutoff,
                )
                if hit is not None and (best is None or hit[1] > best[0]):
                    best = (hit[1], choices[hit[2]][1])
            if best is not None:
                mapping[our_code] = best[1]
                break
    return mapping


class ServiceCatalogue:
    def __init__(
        self,
        fetch: Fetch,
        department_names: Mapping[str, list[str]],
        mapping_file: Path | None = None,
        *,
        cutoff: float = SCORE_CUTOFF,
        ttl_s: float = SERVICES_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._department_names = dict(department_names)
        self._mapping_file = mapping_file
        self._cutoff = cutoff
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = asyncio.Lock()
        self._codes: dict[str, str] | None = None
        self._metadata: set[str] = set()
        self._fetched_at = 0.0
        self._definitions: dict[str, list[Mapping[str, Any]]] = {}

    def invalidate(self) -> None:
        """The server said a service is unknown: the next call fetches the list again."""
        self._codes = None

    async def codes(self) -> dict[str, str]:
        """Our department code → service_code, fresh within the ttl."""
        async with self._lock:
            if self._codes is None or self._clock() - self._fetched_at >= self._ttl_s:
                await self._refresh()
            assert self._codes is not None
            return self._codes

    async def service_for(self, department_code: str) -> str:
        codes = await self.codes()
        if department_code not in codes and self._clock() - self._fetched_at >= MIN_REFRESH_S:
            async with self._lock:
                await self._refresh()  # a service added since: worth one look
            codes = self._codes or {}
        if department_code not in codes:
            raise PermanentHotlineError(
                f"no Open311 service_code for department {department_code}"
            )
        return codes[department_code]

    async def declared_attributes(self, service_code: str) -> list[Mapping[str, Any]]:
        """The attributes the service's definition declares ([] without metadata)."""
        if service_code not in self._metadata:
            return []
        if service_code not in self._definitions:
            try:
                definition = await self._fetch(f"services/{service_code}.json")
            except PermanentHotlineError as error:  # no definitions endpoint: none declared
                log.warning("Open311 services/%s.json not available: %s", service_code, error)
                definition = {}
            found = definition.get("attributes") if isinstance(definition, dict) else None
            self._definitions[service_code] = [a for a in found or [] if isinstance(a, dict)]
        return self._definitions[service_code]

    async def _refresh(self) -> None:
        try:
            services = await self._fetch("services.json")
        except PermanentHotlineError as error:
            # A wrong jurisdiction or key is fixed in the settings, not by giving up on reports.
            raise TemporaryHotlineError(f"services.json: {error}", status=error.status) from error
        if not isinstance(services, list):
            raise TemporaryHotlineError(f"services.json: not a list: {services!r}"[:300])
        services = [s for s in services if isinstance(s, dict)]
        if not services:
            raise TemporaryHotlineError("services.json is empty (wrong jurisdiction_id?)")
        mapping = match_services(self._department_names, services, cutoff=self._cutoff)
        known = {str(s.get("service_code")) for s in services}
        for ours, theirs in load_mapping(self._mapping_file).items():
            if theirs not in known:
                log.warning("mapping file: service_code %s (for %s) unknown", theirs, ours)
            mapping[ours] = theirs
        unmapped = sorted(set(self._department_names) - set(mapping))
        if unmapped:
            log.warning("no Open311 service for departments %s", ", ".join(unmapped))
        self._metadata = {str(s.get("service_code")) for s in services if s.get("metadata")}
        self._definitions.clear()
        self._codes = mapping
        self._fetched_at = self._clock()


def is_unknown_service(error: HotlineError) -> bool:
    """A 400/404 about the service code: the list we matched against is out of date."""
    text = str(error).lower()
    return error.status in (400, 404) and "service" in text and "code" in text
