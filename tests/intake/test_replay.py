"""Captured signed calls cannot be turned into other calls (signature v2): a 重办 replayed to
another ticket's /withdraw, or a 催办 replayed under new keys, is refused; the same key is
recorded once."""

from __future__ import annotations

import json

import aiohttp

from intake import RunningIntake
from protocol.signing import signed_headers
from tests.intake.conftest import SECRET, api_call, create_ticket


async def _events(intake: RunningIntake, ticket_id: str) -> list[str]:
    ticket = await intake.store.get(ticket_id)
    assert ticket is not None
    return [event["action"] for event in await intake.store.events_for(ticket["id"])]


async def test_a_captured_reopen_replayed_to_another_tickets_withdraw_is_refused(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    first = await create_ticket(http, intake, key="report-1")
    second = await create_ticket(http, intake, key="report-2")
    body = json.dumps({"reason": "代表不满意，请重办"}, ensure_ascii=False).encode()
    captured = signed_headers(
        SECRET, "POST", f"/api/v1/tickets/{first['ticket_id']}/reopen", body, key="reopen-1-1"
    )
    url = f"{intake.base_url}/api/v1/tickets/{second['ticket_id']}/withdraw"
    headers = {"Content-Type": "application/json", **captured}
    async with http.post(url, data=body, headers=headers) as response:
        assert response.status == 401
    ticket = await intake.store.get(second["ticket_id"])
    assert ticket is not None and ticket["status"] == "已提交"


async def test_a_signed_urge_replayed_under_new_keys_is_refused_and_the_same_key_counts_once(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    created = await create_ticket(http, intake)
    path = f"/api/v1/tickets/{created['ticket_id']}/urge"
    body = json.dumps({"note": "人大代表催办"}, ensure_ascii=False).encode()
    captured = signed_headers(SECRET, "POST", path, body, key="urge-1-20261203")
    for replayed_key in ("urge-1-20261204", "urge-1-20261205"):
        headers = {"Content-Type": "application/json", **captured, "Idempotency-Key": replayed_key}
        async with http.post(intake.base_url + path, data=body, headers=headers) as response:
            assert response.status == 401
    for _ in range(2):  # the genuine call, and a retry of it
        status, _ = await api_call(
            http, "POST", intake.base_url + path, {"note": "人大代表催办"}, key="urge-1-20261203"
        )
        assert status == 200
    assert (await _events(intake, created["ticket_id"])).count("urge") == 1


async def test_absurd_timestamps_on_the_api_are_a_401_not_a_500(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    """An X-Timestamp of 400 nines once overflowed (OverflowError → 500) before anyone was
    authenticated; so did other numbers no clock can hold."""
    created = await create_ticket(http, intake, key="report-1")
    body = json.dumps({"note": "请尽快处理"}, ensure_ascii=False).encode()
    calls = [
        ("POST", "/api/v1/tickets", body),
        ("GET", f"/api/v1/tickets/{created['ticket_id']}", b""),
        ("POST", f"/api/v1/tickets/{created['ticket_id']}/urge", body),
    ]
    for stamp in ("9" * 400, "-" + "9" * 400, "1e999", "nan", "inf", "0x10", "１２３"):
        for method, path, payload in calls:
            headers = {
                **signed_headers(SECRET, method, path, payload, key="urge-x"),
                "X-Timestamp": stamp,
                "Content-Type": "application/json",
            }
            url = intake.base_url + path
            async with http.request(method, url, data=payload, headers=headers) as response:
                assert response.status == 401, (stamp, path, await response.text())
                assert "error" in await response.json()
    assert await _events(intake, created["ticket_id"]) == ["submit"]
