"""Every reason a service can refuse with has words in the console (none shows as a code)."""

from __future__ import annotations

from enum import StrEnum

import pytest

from bot.services.console.auth import AccountProblem, LoginProblem
from bot.services.deputies.admin import DeputyAdminProblem
from bot.services.deputies.registry_files import RowProblem
from bot.services.routing.departments import DepartmentProblem
from bot.services.routing.review import ReviewProblem
from bot.services.routing.triage import TriageProblem
from bot.services.statistics.filters import FilterProblem
from console.refusals import WORDS

REASONS: list[type[StrEnum]] = [
    AccountProblem,
    LoginProblem,
    DeputyAdminProblem,
    RowProblem,
    DepartmentProblem,
    ReviewProblem,
    TriageProblem,
    FilterProblem,
]


@pytest.mark.parametrize("reasons", REASONS, ids=lambda kind: kind.__name__)
def test_every_reason_has_chinese_words(reasons: type[StrEnum]) -> None:
    missing = [reason for reason in reasons if (reasons, reason.value) not in WORDS]
    assert missing == []
