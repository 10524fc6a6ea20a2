"""Plain result types shared by the classifier modules and returned to the bot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

AppealType = Literal["咨询", "求助", "投诉", "举报", "建议"]
Urgency = Literal["紧急", "一般"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason for a score: ``term`` in the report matched ``matched`` with ``weight``.

    ``source`` is "lexicon" (learned term weight), "alias" (department name or alias found
    verbatim), "fuzzy" (alias matched with a typo or variant), "category" (the
    first-level category model), "cue" (appeal/urgency cue word) or "matter" (a matter of
    the 派单目录: ``words`` are the report's whole words that matched it, ``matched`` its
    name, ``matter_id`` its id and ``area`` the duty area of its basis).
    """

    term: str
    matched: str
    weight: float
    source: str
    words: tuple[str, ...] = ()
    matter_id: str = ""
    area: str = ""


@dataclass(frozen=True, slots=True)
class MatterMatch:
    """A matter of the 派单目录 the report matched, for callers to render."""

    id: str
    name: str
    unit: str  # 主办 unit code
    unit_name: str
    area: str  # duty area (市政设施)
    score: float
    words: tuple[str, ...]  # the report's words that matched it


@dataclass(frozen=True, slots=True)
class Candidate:
    department_code: str
    department_name: str
    score: float
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Emergency:
    number: str  # "110" | "119" | "120"
    reason: str  # Chinese advice shown to the deputy


@dataclass(frozen=True, slots=True)
class Classification:
    version: str
    tokens: list[str]
    candidates: list[Candidate]
    department_code: str
    department_name: str
    confidence: float
    auto_route: bool
    category: str
    category_confidence: float
    appeal_type: AppealType
    appeal_evidence: list[Evidence]
    urgency: Urgency
    urgency_evidence: list[Evidence]
    emergency: Emergency | None
    district: str | None
    town: str | None
    threshold: float
    matters: list[MatterMatch] = field(default_factory=list)  # best first


@dataclass(frozen=True, slots=True)
class DepartmentInfo:
    code: str
    name: str
    aliases: tuple[str, ...]
    keywords: tuple[str, ...]
    duty: str
    category: str
    parent_code: str | None = None
    district_scope: str = "city"  # "city": one municipal unit; "town": the local 乡镇/街道


@dataclass(frozen=True, slots=True)
class DistrictInfo:
    code: str
    name: str
    towns: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    center: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class SimilarReport:
    report_id: str
    score: float


@dataclass(frozen=True, slots=True)
class CandidateReport:
    """A recent report the bot fetched from its database for duplicate checks."""

    report_id: str
    text: str
    district: str | None
    department_code: str | None
    created_at: datetime
