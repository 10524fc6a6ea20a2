"""The operator console and the Open311 facade answer a body they cannot read (not UTF-8, an
unknown charset, broken multipart) with a 4xx in their own error shape, never a 500."""

from __future__ import annotations

import json

import aiohttp
import pytest

from intake import RunningIntake
from protocol.signing import signed_headers
from tests.console.test_unreadable_bodies import UNREADABLE
from tests.intake.conftest import SECRET, api_call, console_login, ticket_body


@pytest.mark.parametrize(("content_type", "body"), UNREADABLE)
async def test_the_operator_console_and_open311_refuse_an_unreadable_body(
    http: aiohttp.ClientSession, intake: RunningIntake, content_type: str, body: bytes
) -> None:
    await console_login(http, intake, "话务员小王")
    for path in ("/console/login", "/console/logout", "/console/tickets/T1/accept"):
        url = intake.base_url + path
        async with http.post(url, data=body, headers={"Content-Type": content_type}) as answer:
            assert 400 <= answer.status < 500, (path, await answer.text())
    url = intake.base_url + "/open311/v2/requests.json"
    async with http.post(url, data=body, headers={"Content-Type": content_type}) as answer:
        assert answer.status == 400
        [error] = await answer.json()
        assert error["code"] == 400 and error["description"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("submitted_at", "0001-01-01T00:00:00+14:00"),
        ("submitted_at", "9999-12-31T23:59:59-14:00"),
        ("text", "小区路灯不亮\ud800"),
        ("summary", "\udfff"),
    ],
)
async def test_out_of_range_times_and_lone_surrogates_are_422_not_500(
    http: aiohttp.ClientSession, intake: RunningIntake, field: str, value: str
) -> None:
    body = json.dumps(ticket_body(**{field: value})).encode()  # ASCII: "\\ud800" escaped
    url = f"{intake.base_url}/api/v1/tickets"
    headers = {
        "Content-Type": "application/json",
        **signed_headers(SECRET, "POST", "/api/v1/tickets", body, key=f"k-{field}"),
    }
    async with http.post(url, data=body, headers=headers) as response:
        assert response.status == 422, await response.text()
    assert await intake.store.list() == []


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59-14:00"])
async def test_open311_dates_far_out_of_range_are_a_400(
    http: aiohttp.ClientSession, intake: RunningIntake, moment: str
) -> None:
    url = f"{intake.base_url}/open311/v2/requests.json"
    async with http.get(url, params={"start_date": moment}) as response:
        assert response.status == 400
        [error] = await response.json()
        assert "ISO 8601" in error["description"]


async def test_a_malformed_routing_suggestion_is_refused_by_name(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    url = f"{intake.base_url}/api/v1/tickets"
    for routing in ("CG", {"department_code": "CG", "confidence": 7}, {"unsure": "yes"}):
        status, data = await api_call(http, "POST", url, ticket_body(routing=routing), key="r-1")
        assert status == 422 and "routing" in data["error"], data
