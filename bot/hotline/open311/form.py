"""The form-encoded body of `POST requests.json`: what GeoReport v2 lets us say about a report.

- `address_string` names district, town and address once each (a typed address often starts
  with them already: "北塔区状元洲街道资江路88号").
- `description` is the report's text, after its summary only when the text does not already
  say it (a summary cut with "…" is the text's own beginning), then our reference line: a
  server that keeps no attributes still shows the operator which report this is, and a lost
  answer can be found again by it (`REFERENCE_PREFIX`).
- `attribute[...]` only for attributes the service's definition declares (a strict server
  refuses others), filled from what we know by their code; a required one we cannot fill
  stops the request with a PermanentHotlineError naming it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.hotline.gateway import PermanentHotlineError, TicketRequest

REFERENCE_PREFIX = "人大代表反映编号："
ELLIPSES = ("…", "...", "⋯")
FREE_TEXT = frozenset({"string", "text"})


def reference_line(report_number: str) -> str:
    return f"（{REFERENCE_PREFIX}{report_number}）"


def address_string(district: str | None, town: str | None, address: str | None) -> str:
    """District, town and address, each part once."""
    text = (address or "").strip()
    for part in (town, district):
        part = (part or "").strip()
        if part and part not in text:
            text = part + text
    return text


def description(summary: str, text: str, report_number: str) -> str:
    body = text.strip()
    gist = summary.strip()
    for mark in ELLIPSES:
        gist = gist.removesuffix(mark)
    if gist and gist.strip() not in body:
        body = f"{summary.strip()}\n\n{body}"
    return f"{body}\n\n{reference_line(report_number)}"


def known_values(request: TicketRequest) -> dict[str, str | None]:
    """Our facts by the attribute codes a definition may declare for them."""
    return {
        "idempotency_key": request.idempotency_key,
        "report_number": request.report_number,
        "reference": request.report_number,
        "summary": request.summary,
        "appeal_type": request.appeal_type,
        "urgency": request.urgency,
        "district": request.district,
        "town": request.town,
        "reporter_level": request.reporter.level,
        "reporter_station": request.reporter.station,
        # The router's suggestion (the reference intake shows it to dispatchers).
        "routing_department": request.routing.department_code if request.routing else None,
        "routing_confidence": f"{request.routing.confidence:.3f}" if request.routing else None,
        "routing_unsure": (
            ("true" if request.routing.unsure else "false") if request.routing else None
        ),
    }


def attributes(
    request: TicketRequest, service_code: str, declared: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """attribute[code] for each declared attribute we can fill."""
    known = known_values(request)
    fields: dict[str, str] = {}
    for attribute in declared:
        if not isinstance(attribute, Mapping) or attribute.get("variable") is False:
            continue
        code = str(attribute.get("code") or "")
        if not code:
            continue
        value = known.get(code)
        if not value and attribute.get("required"):
            if str(attribute.get("datatype") or "string") not in FREE_TEXT:
                raise PermanentHotlineError(
                    f"Open311 service {service_code} requires attribute[{code}], "
                    "which the bot cannot fill"
                )
            value = request.summary or request.report_number  # free text: our gist
        if value:
            fields[f"attribute[{code}]"] = value
    return fields
