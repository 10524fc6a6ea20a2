"""Routing classifier for 12345 reports: department, category, confidence and evidence.

Self-contained: imports nothing from the rest of the project. Start-up::

    from classifiers import load_router
    router = load_router()
    result = router.classify("小区门口占道经营严重", title="占道经营")
"""

from .directory import Directory, DirectoryError, load_directory
from .duplicates import DuplicateFinder
from .router import DEFAULT_THRESHOLD, Router, RouterHolder, load_router
from .types import (
    Candidate,
    CandidateReport,
    Classification,
    DepartmentInfo,
    DistrictInfo,
    Emergency,
    Evidence,
    SimilarReport,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "Candidate",
    "CandidateReport",
    "Classification",
    "DepartmentInfo",
    "Directory",
    "DirectoryError",
    "DistrictInfo",
    "DuplicateFinder",
    "Emergency",
    "Evidence",
    "Router",
    "RouterHolder",
    "SimilarReport",
    "load_directory",
    "load_router",
]
