"""POST /tickets/{id}/supervise: the 代表工委's 督办 sets the ticket's deadline, keeps its status,
is recorded once per key, refuses a past deadline or a missing note, and is marked in the
operator console's queue and on the ticket page."""

from __future__ import annotations

import aiohttp

from intake import RunningIntake
from tests.intake.conftest import api_call, console_login, create_ticket


async def test_supervise_sets_the_deadline_once_per_key(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    created = await create_ticket(http, intake)
    url = f"{intake.base_url}/api/v1/tickets/{created['ticket_id']}/supervise"
    body = {
        "note": "【人大代表工委督办】请于 2099-01-05 17:30 前办结",
        "expected_at": "2099-01-05T17:30:00+08:00",
    }
    status, first = await api_call(http, "POST", url, body, key="supervise-1-a")
    assert status == 200 and first["status"] == "已提交" and first["replayed"] is False
    status, again = await api_call(http, "POST", url, body, key="supervise-1-a")
    assert status == 200 and again["replayed"] is True and again["event_id"] == first["event_id"]
    ticket = await intake.store.get(created["ticket_id"])
    assert ticket is not None
    assert ticket["expected_at"].isoformat() == "2099-01-05T09:30:00"  # naive UTC
    events = await intake.store.events_for(ticket["id"])
    assert [e["action"] for e in events].count("supervise") == 1
    assert await intake.store.supervised([ticket["id"]]) == {ticket["id"]}


async def test_supervise_refuses_bad_input(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    created = await create_ticket(http, intake)
    url = f"{intake.base_url}/api/v1/tickets/{created['ticket_id']}/supervise"
    status, data = await api_call(http, "POST", url, {"note": "督办"}, key="s-1")
    assert status == 422 and "expected_at" in data["error"]
    past = {"note": "督办", "expected_at": "2020-01-01T00:00:00+08:00"}
    status, data = await api_call(http, "POST", url, past, key="s-2")
    assert status == 422 and "晚于" in data["error"]
    no_note = {"expected_at": "2099-01-01T00:00:00+08:00"}
    status, data = await api_call(http, "POST", url, no_note, key="s-3")
    assert status == 422 and "督办" in data["error"]
    status, _ = await api_call(http, "POST", url, past)
    assert status == 400  # no Idempotency-Key
    ticket = await intake.store.get(created["ticket_id"])
    assert ticket is not None and await intake.store.supervised([ticket["id"]]) == set()


async def test_the_operator_console_shows_the_supervision(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    plain = await create_ticket(http, intake, key="plain", summary="占道经营")
    created = await create_ticket(http, intake, key="watched")
    url = f"{intake.base_url}/api/v1/tickets/{created['ticket_id']}/supervise"
    body = {"note": "【人大代表工委督办】请限期办结", "expected_at": "2099-01-05T17:30:00+08:00"}
    status, _ = await api_call(http, "POST", url, body, key="supervise-9-a")
    assert status == 200
    await console_login(http, intake, "张三")
    async with http.get(f"{intake.base_url}/console/") as response:
        queue = await response.text()
    row = queue[queue.index(f'id="ticket-{created["ticket_id"]}"') :]
    assert 'class="badge supervised"' in row[: row.index("</tr>")]
    other = queue[queue.index(f'id="ticket-{plain["ticket_id"]}"') :]
    assert "supervised" not in other[: other.index("</tr>")]
    async with http.get(f"{intake.base_url}/console/tickets/{created['ticket_id']}") as response:
        ticket = await response.text()
    assert 'id="ticket-supervised"' in ticket and 'data-action="supervise"' in ticket
    assert "请限期办结" in ticket and "督办期限：2099-01-05 17:30" in ticket
