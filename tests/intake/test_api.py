"""The signed JSON API: idempotent create, signatures, validation, reopen, urge, photos."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import aiohttp
import pytest
from yarl import URL

from intake import RunningIntake, server, start_intake
from intake.api import OPENAPI_PATH
from protocol.signing import signed_headers
from tests.intake.conftest import SECRET, Receiver, api_call, create_ticket, ticket_body

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


async def _count_tickets(intake: RunningIntake) -> int:
    return len(await intake.store.list(limit=1000))


async def test_create_is_idempotent(http: aiohttp.ClientSession, intake: RunningIntake) -> None:
    url = f"{intake.base_url}/api/v1/tickets"
    status, first = await api_call(http, "POST", url, ticket_body(), key="report-42")
    assert status == 201
    assert first["status"] == "已提交"
    assert first["created_at"].endswith("+08:00")
    status, again = await api_call(
        http, "POST", url, ticket_body(summary="换了标题"), key="report-42"
    )
    assert status == 200
    assert again == first
    assert await _count_tickets(intake) == 1


async def test_concurrent_creates_make_one_ticket(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    url = f"{intake.base_url}/api/v1/tickets"
    results = await asyncio.gather(
        *(api_call(http, "POST", url, ticket_body(), key="report-race") for _ in range(10))
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 9 + [201]
    assert len({data["ticket_id"] for _, data in results}) == 1
    assert await _count_tickets(intake) == 1


async def test_bad_signature_is_refused_and_creates_nothing(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    url = f"{intake.base_url}/api/v1/tickets"
    status, data = await api_call(http, "POST", url, ticket_body(), key="k1", secret="wrong")
    assert (status, data) == (401, {"error": "bad signature"})
    status, data = await api_call(
        http, "POST", url, ticket_body(), key="k2", now=time.time() - 600
    )
    assert (status, data) == (401, {"error": "stale timestamp"})
    async with http.post(url, json=ticket_body(), headers={"Idempotency-Key": "k3"}) as response:
        assert response.status == 401
    # a body altered after signing no longer matches
    status, _ = await api_call(http, "GET", f"{url}/1", None, secret="wrong")
    assert status == 401
    assert await _count_tickets(intake) == 0


async def test_validation_errors_are_422(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    url = f"{intake.base_url}/api/v1/tickets"
    body = ticket_body(department_code="NOPE", text="", latitude=500)
    status, data = await api_call(http, "POST", url, body, key="bad-1")
    assert status == 422
    fields = {d["field"] for d in data["details"]}
    assert {"department_code", "text", "latitude"} <= fields
    status, data = await api_call(http, "POST", url, ticket_body(), key=None)
    assert status == 400 and "Idempotency-Key" in data["error"]
    assert await _count_tickets(intake) == 0


async def test_get_ticket_with_photo(http: aiohttp.ClientSession, intake: RunningIntake) -> None:
    photo = {
        "filename": "现场.png",
        "content_type": "image/png",
        "data_b64": base64.b64encode(PNG).decode(),
    }
    created = await create_ticket(http, intake, key="with-photo", photos=[photo])
    status, ticket = await api_call(
        http, "GET", f"{intake.base_url}/api/v1/tickets/{created['ticket_id']}"
    )
    assert status == 200
    assert ticket["reporter"]["name"] == "李代表"
    assert [e["action"] for e in ticket["events"]] == ["submit"]
    [stored] = ticket["photos"]
    async with http.get(stored["url"]) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert await response.read() == PNG


async def test_reopen_once_and_urge(http: aiohttp.ClientSession, intake: RunningIntake) -> None:
    created = await create_ticket(http, intake, key="reopen-me")
    ticket_id = created["ticket_id"]
    base = f"{intake.base_url}/api/v1/tickets/{ticket_id}"
    status, data = await api_call(http, "POST", f"{base}/reopen", {"reason": "未解决"}, key="r1")
    assert status == 409  # not answered yet
    for action, answer in [
        ("accept", None),
        ("dispatch", None),
        ("answer", "已维修电梯"),
        ("close", None),
    ]:
        await intake.store.act(ticket_id, action, operator="王五", answer=answer)
    status, data = await api_call(http, "POST", f"{base}/reopen", {"reason": "仍未修好"}, key="r2")
    assert status == 200
    assert (data["status"], data["reopen_count"], data["replayed"]) == ("办理中", 1, False)
    status, again = await api_call(
        http, "POST", f"{base}/reopen", {"reason": "仍未修好"}, key="r2"
    )
    assert status == 200 and again["replayed"] and again["event_id"] == data["event_id"]
    await intake.store.act(ticket_id, "answer", operator="王五", answer="已更换电梯主板")
    status, data = await api_call(http, "POST", f"{base}/reopen", {"reason": "还坏"}, key="r3")
    assert status == 409 and "重办" in data["error"]
    status, data = await api_call(http, "POST", f"{base}/urge", {"note": "请尽快处理"})
    assert status == 200 and data["status"] == "已答复"
    _, ticket = await api_call(http, "GET", base)
    assert ticket["reopen_count"] == 1
    assert [e["action"] for e in ticket["events"]][-3:] == ["reopen", "answer", "urge"]


async def test_openapi_document_is_served(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    async with http.get(f"{intake.base_url}/api/v1/openapi.yaml") as response:
        assert response.status == 200
        text = await response.text()
    assert text.startswith("openapi: 3")
    for name in ("/tickets:", "Idempotency-Key", "X-Signature", "CallbackEvent", "webhooks:"):
        assert name in text


def test_openapi_document_parses_where_yaml_is_installed() -> None:
    yaml = pytest.importorskip("yaml")
    document = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.")
    assert {"/tickets", "/tickets/{ticket_id}", "/tickets/{ticket_id}/reopen"} <= set(
        document["paths"]
    )
    assert "ticketEvent" in document["webhooks"]


def _batch_item(key: str, **overrides: Any) -> dict[str, Any]:
    return {"idempotency_key": key, **ticket_body(report_number=f"R-{key}", **overrides)}


async def test_batch_create_answers_each_item(
    http: aiohttp.ClientSession, intake: RunningIntake, receiver: Receiver
) -> None:
    """One call files several tickets: each item is idempotent by its own key (an earlier
    single create, a repeat in the same batch), an invalid item fails alone."""
    earlier = await create_ticket(http, intake, key="b-earlier")
    url = f"{intake.base_url}/api/v1/tickets/batch"
    items = [
        _batch_item("b-1"),
        _batch_item("b-bad", department_code="NOPE"),
        _batch_item("b-earlier"),
        _batch_item("b-2", urgency="紧急"),
        _batch_item("b-1", summary="同一个键再来一次"),
        {"summary": "没有键"},
        "不是对象",
    ]
    status, data = await api_call(http, "POST", url, {"tickets": items})
    assert status == 200
    results = data["results"]
    assert [r["code"] for r in results] == [201, 422, 200, 201, 200, 422, 422]
    assert [r["idempotency_key"] for r in results[:5]] == [
        "b-1", "b-bad", "b-earlier", "b-2", "b-1",
    ]  # fmt: skip
    assert results[2]["ticket_id"] == earlier["ticket_id"]
    assert results[4]["ticket_id"] == results[0]["ticket_id"]
    assert {d["field"] for d in results[1]["details"]} == {"department_code"}
    assert "idempotency_key" in results[5]["error"]
    assert await _count_tickets(intake) == 3
    _, ticket = await api_call(
        http, "GET", f"{intake.base_url}/api/v1/tickets/{results[3]['ticket_id']}"
    )
    assert (ticket["urgency"], ticket["report_number"]) == ("紧急", "R-b-2")
    assert [e["action"] for e in ticket["events"]] == ["submit"]
    # Each new ticket's submit event is called back, as after a single create.
    accepted = await receiver.wait_for(3)
    assert {c["idempotency_key"] for c in accepted} == {"b-earlier", "b-1", "b-2"}
    # Filed again, the whole batch makes nothing new.
    status, again = await api_call(http, "POST", url, {"tickets": items})
    assert [r["code"] for r in again["results"]] == [200, 422, 200, 200, 200, 422, 422]
    assert await _count_tickets(intake) == 3


async def test_batch_create_refuses_a_malformed_batch(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    url = f"{intake.base_url}/api/v1/tickets/batch"
    too_many = [_batch_item(f"k-{n}") for n in range(101)]
    malformed: list[Any] = [{"tickets": []}, {"tickets": too_many}, {"ticket": []}, [1, 2]]
    for body in malformed:
        status, data = await api_call(http, "POST", url, body)
        assert status == 422 and "tickets" in data["error"]
    status, _ = await api_call(http, "POST", url, {"tickets": [_batch_item("x")]}, secret="wrong")
    assert status == 401
    assert await _count_tickets(intake) == 0


async def test_the_intake_runs_on_postgresql_too(
    http: aiohttp.ClientSession, postgres_url: str, receiver: Receiver
) -> None:
    """The reference intake with a PostgreSQL database: concurrent idempotent creates make one
    ticket each, and the operator's actions move it on (row locks instead of SQLite's lock)."""
    running = await start_intake(db_url=postgres_url, secret=SECRET, callback_url=receiver.url)
    try:
        url = f"{running.base_url}/api/v1/tickets"
        results = await asyncio.gather(
            *(
                api_call(
                    http, "POST", url, ticket_body(report_number=f"R-{n % 3}"), key=f"k-{n % 3}"
                )
                for n in range(12)
            )
        )
        assert sorted(status for status, _ in results) == [200] * 9 + [201] * 3
        assert len({data["ticket_id"] for _, data in results}) == 3
        # Concurrent batches that overlap: still one ticket per key.
        batch_url = f"{url}/batch"
        batches = await asyncio.gather(
            *(
                api_call(
                    http,
                    "POST",
                    batch_url,
                    {"tickets": [_batch_item(f"k-{(n + i) % 6}") for i in range(4)]},
                )
                for n in range(6)
            )
        )
        codes = [r["code"] for _, data in batches for r in data["results"]]
        assert sorted(codes) == [200] * 21 + [201] * 3
        numbers = {r["idempotency_key"]: r["ticket_id"] for _, d in batches for r in d["results"]}
        assert len(set(numbers.values())) == 6
        assert numbers["k-0"] == results[0][1]["ticket_id"]
        ticket_no = results[0][1]["ticket_id"]
        await running.store.act(ticket_no, "accept", operator="话务员")
        ticket = await running.store.get(ticket_no)
        assert ticket is not None and ticket["status"] == "已受理"
    finally:
        await running.close()


async def _raw_post(
    http: aiohttp.ClientSession, url: str, body: bytes, content_type: str, key: str = "k-1"
) -> tuple[int, str, Any]:
    headers = {"Content-Type": content_type}
    headers.update(signed_headers(SECRET, "POST", URL(url).raw_path_qs, body, key=key))
    async with http.post(url, data=body, headers=headers) as response:
        data = await response.json() if response.content_type == "application/json" else None
        return response.status, response.content_type, data


async def test_wrong_content_type_is_415(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    url = f"{intake.base_url}/api/v1/tickets"
    body = json.dumps(ticket_body(), ensure_ascii=False).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        status, kind, data = await _raw_post(http, url, body, content_type)
        assert (status, kind) == (415, "application/json") and "application/json" in data["error"]
    status, _, _ = await _raw_post(http, url, body, "application/json; charset=utf-8")
    assert status == 201


async def test_non_json_and_non_object_bodies_are_clear_4xx(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    url = f"{intake.base_url}/api/v1/tickets"
    for body in (b"{not json", b"\xff\xfe", b"[" * 100_000):
        status, kind, data = await _raw_post(http, url, body, "application/json")
        assert (status, kind) == (400, "application/json") and "JSON" in data["error"]
    status, _, data = await _raw_post(http, url, b"[1]", "application/json")
    assert status == 422 and data["details"][0]["field"] == "body"


async def test_oversized_body_is_413_json(
    http: aiohttp.ClientSession, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "MAX_BODY", 4096)
    running = await start_intake(db_url=db_url, secret=SECRET, callback_url=None)
    try:
        body = json.dumps(ticket_body(text="长" * 5000), ensure_ascii=False).encode()
        status, kind, data = await _raw_post(
            http, f"{running.base_url}/api/v1/tickets", body, "application/json"
        )
        assert (status, kind) == (413, "application/json") and data["error"]
        assert await running.store.list() == []
    finally:
        await running.close()


async def test_unknown_route_and_method_are_json(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    for method, path, code in [("GET", "/api/v1/nope", 404), ("DELETE", "/api/v1/tickets", 405)]:
        headers = signed_headers(SECRET, method, path, b"")
        async with http.request(method, intake.base_url + path, headers=headers) as response:
            assert response.status == code and response.content_type == "application/json"
            assert (await response.json())["error"]


async def test_overlong_reason_is_422(http: aiohttp.ClientSession, intake: RunningIntake) -> None:
    created = await create_ticket(http, intake)
    url = f"{intake.base_url}/api/v1/tickets/{created['ticket_id']}/withdraw"
    status, data = await api_call(http, "POST", url, {"reason": "撤" * 2001}, key="w-1")
    assert status == 422 and "2000" in data["error"]
    ticket = await intake.store.get(created["ticket_id"])
    assert ticket is not None and ticket["status"] == "已提交"
