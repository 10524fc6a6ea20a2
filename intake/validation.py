"""Checks a JSON create-ticket body and turns it into a NewTicket (errors name the field)."""

from __future__ import annotations

import math
from typing import Any

from intake.departments import Directory
from intake.new_ticket import NewTicket
from intake.photos import MAX_PHOTOS, PhotoError, decode_photo
from intake.timeutil import parse_iso

APPEAL_TYPES = ("咨询", "求助", "投诉", "举报", "建议")
URGENCIES = ("紧急", "一般")
MAX_TEXT = 5000


class ValidationFailed(ValueError):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def _text(
    body: dict[str, Any],
    name: str,
    errors: list[dict[str, str]],
    *,
    required: bool = False,
    max_len: int = 255,
    prefix: str = "",
) -> str | None:
    value = body.get(name)
    field = prefix + name
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append({"field": field, "message": "is required"})
        return None
    if not isinstance(value, str):
        errors.append({"field": field, "message": "must be a string"})
        return None
    value = value.strip()
    if len(value) > max_len:
        errors.append({"field": field, "message": f"longer than {max_len} characters"})
        return None
    if any("\ud800" <= ch <= "\udfff" for ch in value):  # "\ud800" in JSON is not text
        errors.append({"field": field, "message": "is not valid Unicode text"})
        return None
    return value


def _coordinate(
    body: dict[str, Any], name: str, limit: float, errors: list[dict[str, str]]
) -> float | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append({"field": name, "message": "must be a number"})
        return None
    if not math.isfinite(number) or abs(number) > limit:
        errors.append({"field": name, "message": f"must be within ±{limit}"})
        return None
    return number


def _routing(raw: Any, errors: list[dict[str, str]]) -> dict[str, object] | None:
    """The optional routing object, kept only when it is well formed."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.append({"field": "routing", "message": "must be an object"})
        return None
    code = _text(raw, "department_code", errors, required=True, max_len=32, prefix="routing.")
    confidence = raw.get("confidence", 0)
    unsure = raw.get("unsure", False)
    if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        errors.append({"field": "routing.confidence", "message": "must be a number in [0, 1]"})
    if not isinstance(unsure, bool):
        errors.append({"field": "routing.unsure", "message": "must be true or false"})
    candidates = raw.get("candidates") or []
    if (
        not isinstance(candidates, list)
        or len(candidates) > 5
        or not all(
            isinstance(c, dict)
            and isinstance(c.get("department_code"), str)
            and len(c["department_code"]) <= 32
            and isinstance(c.get("confidence", 0), int | float)
            for c in candidates
        )
    ):
        errors.append(
            {"field": "routing.candidates", "message": "at most 5 {department_code, confidence}"}
        )
    evidence = raw.get("evidence") or []
    if (
        not isinstance(evidence, list)
        or len(evidence) > 5
        or not all(isinstance(e, str) and len(e) <= 64 for e in evidence)
    ):
        errors.append({"field": "routing.evidence", "message": "at most 5 words of 64 characters"})
    if any(error["field"].startswith("routing") for error in errors):
        return None
    return {
        "department_code": code,
        "confidence": float(confidence),
        "unsure": unsure,
        "candidates": [
            {"department_code": c["department_code"], "confidence": float(c.get("confidence", 0))}
            for c in candidates
        ],
        "evidence": list(evidence),
    }


def parse_create(body: Any, key: str, directory: Directory) -> NewTicket:
    if not isinstance(body, dict):
        raise ValidationFailed([{"field": "body", "message": "must be a JSON object"}])
    errors: list[dict[str, str]] = []
    department = _text(body, "department_code", errors, required=True, max_len=32)
    if department and directory.get(department) is None:
        errors.append({"field": "department_code", "message": f"unknown department {department}"})
    appeal_type = _text(body, "appeal_type", errors, max_len=8) or "求助"
    if appeal_type not in APPEAL_TYPES:
        errors.append({"field": "appeal_type", "message": f"must be one of {list(APPEAL_TYPES)}"})
    urgency = _text(body, "urgency", errors, max_len=8) or "一般"
    if urgency not in URGENCIES:
        errors.append({"field": "urgency", "message": f"must be one of {list(URGENCIES)}"})
    reporter = body.get("reporter")
    if not isinstance(reporter, dict):
        errors.append({"field": "reporter", "message": "must be an object with name and phone"})
        reporter = {}
    submitted_at = None
    if body.get("submitted_at"):
        try:
            submitted_at = parse_iso(str(body["submitted_at"]))
        except ValueError:
            errors.append({"field": "submitted_at", "message": "must be ISO 8601, 1900–3000"})
    raw_photos = body.get("photos") or []
    photos = []
    if not isinstance(raw_photos, list) or len(raw_photos) > MAX_PHOTOS:
        errors.append({"field": "photos", "message": f"must be a list of at most {MAX_PHOTOS}"})
    else:
        for index, raw in enumerate(raw_photos):
            try:
                photos.append(decode_photo(index, raw))
            except PhotoError as error:
                errors.append({"field": f"photos[{index}]", "message": str(error)})
    new = NewTicket(
        idempotency_key=key,
        department_code=department or "",
        summary=_text(body, "summary", errors, required=True, max_len=200) or "",
        text=_text(body, "text", errors, required=True, max_len=MAX_TEXT) or "",
        report_number=_text(body, "report_number", errors, required=True, max_len=64),
        appeal_type=appeal_type,
        urgency=urgency,
        district=_text(body, "district", errors, max_len=64),
        town=_text(body, "town", errors, max_len=64),
        address=_text(body, "address", errors),
        lat=_coordinate(body, "latitude", 90, errors),
        long=_coordinate(body, "longitude", 180, errors),
        reporter_name=_text(
            reporter, "name", errors, required=True, max_len=64, prefix="reporter."
        ),
        reporter_phone=_text(
            reporter, "phone", errors, required=True, max_len=32, prefix="reporter."
        ),
        reporter_level=_text(reporter, "level", errors, max_len=32, prefix="reporter."),
        reporter_station=_text(reporter, "station", errors, max_len=128, prefix="reporter."),
        photos=photos,
        submitted_at=submitted_at,
        routing=_routing(body.get("routing"), errors),
    )
    if errors:
        raise ValidationFailed(errors)
    return new
