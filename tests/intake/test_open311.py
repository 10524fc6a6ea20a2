"""Open311 GeoReport v2 facade: services, token flow, status polling, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from intake import RunningIntake, start_intake
from tests.intake.conftest import API_KEY, SECRET, console_action, console_login

FORM = {
    "api_key": API_KEY,
    "jurisdiction_id": "shaoyang",
    "service_code": "CG",
    "description": "红旗路夜市油烟扰民，晚上十二点后仍在经营。",
    "lat": "27.2418",
    "long": "111.4725",
    "address_string": "邵阳市双清区红旗路",
    "first_name": "明",
    "last_name": "王",
    "phone": "13900000000",
    "email": "wang@example.com",
    "media_url": "https://example.com/photo.jpg",
    "attribute[urgency]": "紧急",
}


async def _get(http: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with http.get(url) as response:
        return response.status, await response.json()


async def _post(http: aiohttp.ClientSession, url: str, form: dict[str, str]) -> tuple[int, Any]:
    async with http.post(url, data=form) as response:  # application/x-www-form-urlencoded
        return response.status, await response.json()


async def test_services_list_departments(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    status, services = await _get(http, f"{intake.base_url}/open311/v2/services.json")
    assert status == 200
    by_code = {s["service_code"]: s for s in services}
    assert "ZJ" in by_code and "CG" in by_code
    service = by_code["ZJ"]
    assert set(service) >= {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert service["metadata"] is True and service["type"] == "realtime"
    assert "住房" in service["service_name"]
    status, definition = await _get(http, f"{intake.base_url}/open311/v2/services/ZJ.json")
    assert status == 200 and definition["service_code"] == "ZJ"
    declared = {a["code"]: a["required"] for a in definition["attributes"]}
    assert declared["idempotency_key"] is False and "report_number" in declared
    status, error = await _get(http, f"{intake.base_url}/open311/v2/services.xml")
    assert status == 400 and error[0]["code"] == 400 and "JSON" in error[0]["description"]


async def test_token_flow_and_status_polling(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    base = f"{intake.base_url}/open311/v2"
    status, created = await _post(http, f"{base}/requests.json", FORM)
    assert status == 200
    [entry] = created
    assert "token" in entry and "service_request_id" not in entry
    status, resolved = await _get(http, f"{base}/tokens/{entry['token']}.json")
    assert status == 200
    request_id = resolved[0]["service_request_id"]
    assert resolved[0]["token"] == entry["token"] and request_id

    status, found = await _get(
        http, f"{base}/requests.json?service_request_id={request_id},nope&api_key={API_KEY}"
    )
    assert status == 200
    [request] = found
    assert request["status"] == "open"
    assert request["service_code"] == "CG"
    assert request["agency_responsible"] == request["service_name"]
    assert request["description"] == FORM["description"]
    assert request["media_url"] == FORM["media_url"]
    assert (request["lat"], request["long"]) == (27.2418, 111.4725)
    assert request["address"] == FORM["address_string"]
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert request[name].endswith("+08:00")

    ticket = await intake.store.get(request_id)
    assert ticket is not None
    assert ticket["reporter_name"] == "王明" and ticket["urgency"] == "紧急"

    token = await console_login(http, intake, "赵六")
    for action, fields in [
        ("accept", {}),
        ("dispatch", {}),
        ("answer", {"answer": "已责令夜市22点前收摊。"}),
        ("close", {}),
    ]:
        code, _ = await console_action(http, intake, request_id, action, token, **fields)
        assert code == 200
    status, [request] = await _get(http, f"{base}/requests/{request_id}.json")
    assert status == 200
    assert request["status"] == "closed"
    assert request["status_notes"] == "已责令夜市22点前收摊。"

    status, closed = await _get(http, f"{base}/requests.json?status=closed&service_code=CG")
    assert [r["service_request_id"] for r in closed] == [request_id]
    status, still_open = await _get(http, f"{base}/requests.json?status=open")
    assert still_open == []


async def test_errors_are_lists(http: aiohttp.ClientSession, intake: RunningIntake) -> None:
    url = f"{intake.base_url}/open311/v2/requests.json"
    status, error = await _post(http, url, {**FORM, "api_key": ""})
    assert status == 403 and error[0]["code"] == 403 and error[0]["description"]
    status, error = await _post(http, url, {**FORM, "service_code": "XX"})
    assert status == 404 and "service_code" in error[0]["description"]
    form = {k: v for k, v in FORM.items() if k not in ("lat", "long", "address_string")}
    status, error = await _post(http, url, form)
    assert status == 400 and error[0]["code"] == 400
    status, error = await _get(http, f"{intake.base_url}/open311/v2/requests/nope.json")
    assert status == 404 and error[0]["code"] == 404
    status, error = await _get(http, f"{intake.base_url}/open311/v2/tokens/nope.json")
    assert status == 404
    assert await intake.store.list() == []


async def test_direct_mode_and_idempotency_attribute(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    running = await start_intake(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'direct.sqlite3'}",
        secret=SECRET,
        callback_url=None,
        open311_mode="direct",
        open311_open=True,
        departments=[{"code": "CG", "name": "城管执法局", "category": "城乡建设"}],
    )
    try:
        url = f"{running.base_url}/open311/v2/requests.json"
        form = {**FORM, "attribute[idempotency_key]": "report-9"}
        del form["api_key"]  # OPEN311_OPEN=true: none needed
        status, [first] = await _post(http, url, form)
        assert status == 200 and first["service_request_id"]
        status, [again] = await _post(http, url, form)
        assert again["service_request_id"] == first["service_request_id"]
        assert len(await running.store.list()) == 1
    finally:
        await running.close()


async def test_nan_coordinates_are_refused(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    """float("nan") passes a range check; stored, it would make every listing invalid JSON."""
    url = f"{intake.base_url}/open311/v2/requests.json"
    for bad in ("nan", "NaN", "inf"):
        status, error = await _post(http, url, {**FORM, "lat": bad})
        assert status == 400 and error[0]["code"] == 400, bad
    assert await intake.store.list() == []


async def test_media_url_must_be_http(http: aiohttp.ClientSession, intake: RunningIntake) -> None:
    """A javascript: media_url would become a clickable link in the operator console."""
    url = f"{intake.base_url}/open311/v2/requests.json"
    status, error = await _post(http, url, {**FORM, "media_url": "javascript:alert(1)"})
    assert status == 400 and "media_url" in error[0]["description"]
    assert await intake.store.list() == []


async def test_overlong_fields_are_400(http: aiohttp.ClientSession, intake: RunningIntake) -> None:
    """Columns have limits (PostgreSQL enforces them): too long is the client's error, not 500."""
    url = f"{intake.base_url}/open311/v2/requests.json"
    for name in ("address_string", "phone", "email", "attribute[summary]"):
        status, error = await _post(http, url, {**FORM, name: "长" * 300})
        assert status == 400 and error[0]["code"] == 400, name
        assert name.removeprefix("attribute[").rstrip("]") in error[0]["description"]
    assert await intake.store.list() == []


async def test_other_errors_are_lists_too(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    """aiohttp's own 404/405 answers (text/plain) must follow the GeoReport error shape."""
    base = f"{intake.base_url}/open311/v2"
    for method, path, code in [
        ("GET", "/requests", 404),  # no format suffix
        ("GET", "/discovery.json", 404),
        ("DELETE", "/requests.json", 405),
    ]:
        async with http.request(method, base + path) as response:
            assert response.status == code, path
            assert response.content_type == "application/json"
            error = await response.json()
        assert error[0]["code"] == code and error[0]["description"]


async def test_unencoded_plus_in_dates_and_repeated_ids(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    """start_date=…T00:00:00+08:00 sent unencoded arrives with a space for the '+'."""
    base = f"{intake.base_url}/open311/v2"
    status, [created] = await _post(http, f"{base}/requests.json", FORM)
    status, [resolved] = await _get(http, f"{base}/tokens/{created['token']}.json")
    request_id = resolved["service_request_id"]
    query = "start_date=2000-01-01T00:00:00+08:00&end_date=2999-01-01T00:00:00+08:00"
    status, found = await _get(http, f"{base}/requests.json?{query}")
    assert status == 200 and [r["service_request_id"] for r in found] == [request_id]
    status, found = await _get(
        http, f"{base}/requests.json?service_request_id=nope&service_request_id={request_id}"
    )
    assert status == 200 and [r["service_request_id"] for r in found] == [request_id]
    status, found = await _get(
        http, f"{base}/requests.json?service_request_id=%20{request_id}%20,x"
    )
    assert [r["service_request_id"] for r in found] == [request_id]


async def test_post_is_closed_without_a_key_unless_open311_open(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """No OPEN311_API_KEY no longer means anyone may file: it means nobody may, until an
    explicit OPEN311_OPEN=true."""
    running = await start_intake(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'closed.sqlite3'}",
        secret=SECRET,
        callback_url=None,
        departments=[{"code": "CG", "name": "城管执法局", "category": "城乡建设"}],
    )
    try:
        url = f"{running.base_url}/open311/v2/requests.json"
        for form in ({k: v for k, v in FORM.items() if k != "api_key"}, FORM):
            status, [error] = await _post(http, url, form)
            assert status == 403 and "OPEN311_API_KEY" in error["description"]
        assert await running.store.list() == []
    finally:
        await running.close()


async def test_descriptions_are_shown_only_to_a_client_with_the_api_key(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    base = f"{intake.base_url}/open311/v2"
    status, [entry] = await _post(http, f"{base}/requests.json", FORM)
    assert status == 200
    _, [resolved] = await _get(http, f"{base}/tokens/{entry['token']}.json")
    request_id = resolved["service_request_id"]
    for query in ("", "&api_key=wrong"):
        _, [listed] = await _get(
            http, f"{base}/requests.json?service_request_id={request_id}{query}"
        )
        _, [single] = await _get(http, f"{base}/requests/{request_id}.json?x=1{query}")
        _, recent = await _get(http, f"{base}/requests.json?status=open{query}")
        for shown in (listed, single, *recent):
            assert shown["description"] is None, query
            assert shown["service_request_id"] == request_id  # the rest stays public
    _, [listed] = await _get(
        http, f"{base}/requests.json?service_request_id={request_id}&api_key={API_KEY}"
    )
    _, [single] = await _get(http, f"{base}/requests/{request_id}.json?api_key={API_KEY}")
    assert listed["description"] == single["description"] == FORM["description"]
