"""Operator console over HTTP form posts: CSRF, actions → events → signed callbacks, escaping."""

from __future__ import annotations

import base64
import re

import aiohttp

from intake import RunningIntake
from tests.intake.conftest import (
    Receiver,
    console_action,
    console_login,
    create_ticket,
)
from tests.intake.test_api import PNG


async def test_login_required(http: aiohttp.ClientSession, intake: RunningIntake) -> None:
    async with http.get(f"{intake.base_url}/console/", allow_redirects=False) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/console/login"


async def test_csrf_missing_or_wrong_is_403(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    created = await create_ticket(http, intake)
    token = await console_login(http, intake, "张三")
    url = f"{intake.base_url}/console/tickets/{created['ticket_id']}/accept"
    async with http.post(url, data={}) as response:
        assert response.status == 403
        assert "安全校验失败" in await response.text()
    status, _ = await console_action(http, intake, created["ticket_id"], "accept", token + "x")
    assert status == 403
    ticket = await intake.store.get(created["ticket_id"])
    assert ticket is not None and ticket["status"] == "已提交"


async def test_actions_make_events_and_callbacks_in_order(
    http: aiohttp.ClientSession, intake: RunningIntake, receiver: Receiver
) -> None:
    created = await create_ticket(http, intake, key="report-7")
    ticket_id = created["ticket_id"]
    token = await console_login(http, intake, "张三")

    async with http.get(f"{intake.base_url}/console/") as response:
        page = await response.text()
    assert f'id="ticket-{ticket_id}"' in page and "新工单" in page

    steps = [
        ("accept", {}),
        ("reroute", {"department_code": "CG", "reason": "属城管职责"}),
        ("accept", {}),
        ("dispatch", {"department_code": "CG"}),
        ("progress", {"note": "已安排现场查看"}),
        ("extend", {"new_date": "2099-01-31", "reason": "需协调物业"}),
        ("answer", {"answer": "已督促物业维修，电梯恢复运行。"}),
        ("close", {}),
    ]
    for action, fields in steps:
        status, text = await console_action(http, intake, ticket_id, action, token, **fields)
        assert status == 200, (action, text)
        assert 'id="flash"' in text  # PRG: landed on the ticket page with a success notice

    expected_statuses = [
        "已提交",
        "已受理",
        "改派",
        "已受理",
        "已派单",
        "办理中",
        "办理中",
        "已答复",
        "已办结",
    ]
    delivered = await receiver.wait_for(len(expected_statuses))
    assert [c["status"] for c in delivered] == expected_statuses
    assert [c["action"] for c in delivered][1:] == [a for a, _ in steps]
    assert len({c["event_id"] for c in delivered}) == len(delivered)
    assert all(c["ticket_id"] == ticket_id for c in delivered)
    assert all(c["idempotency_key"] == "report-7" for c in delivered)
    assert delivered[0]["operator"] is None and delivered[1]["operator"] == "张三"
    assert delivered[2]["department_code"] == "CG" and delivered[2]["note"] == "属城管职责"
    assert delivered[6]["expected_at"].startswith("2099-01-31T18:00:00+08:00")
    assert delivered[-1]["answer"] == "已督促物业维修，电梯恢复运行。"
    assert set(delivered[0]) >= {
        "event_id",
        "ticket_id",
        "report_number",
        "idempotency_key",
        "status",
        "note",
        "answer",
        "department_code",
        "operator",
        "occurred_at",
    }
    assert receiver.bad_signatures == 0

    async with http.get(f"{intake.base_url}/console/tickets/{ticket_id}") as response:
        page = await response.text()
    assert page.count('class="action-') == len(expected_statuses)
    assert "已督促物业维修" in page and "需协调物业" in page


async def test_invalid_transition_shows_chinese_message(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    created = await create_ticket(http, intake)
    ticket_id = created["ticket_id"]
    token = await console_login(http, intake, "张三")
    status, text = await console_action(http, intake, ticket_id, "return", token)
    assert status == 422 and "必须填写原因" in text
    status, _ = await console_action(http, intake, ticket_id, "return", token, reason="非本市")
    assert status == 200
    status, text = await console_action(http, intake, ticket_id, "answer", token, answer="答复")
    assert status == 409
    assert "当前状态为「退回」，不能答复" in text
    ticket = await intake.store.get(ticket_id)
    assert ticket is not None and ticket["status"] == "退回"


async def test_ticket_text_is_escaped(http: aiohttp.ClientSession, intake: RunningIntake) -> None:
    evil = '<script>alert("x")</script><b>粗体</b>'
    created = await create_ticket(http, intake, text=evil, summary="<img src=x onerror=1>")
    token = await console_login(http, intake, "操作员")
    note = "<i>已受理</i>"
    status, _ = await console_action(
        http, intake, created["ticket_id"], "accept", token, note=note
    )
    assert status == 200
    pages = []
    for path in (f"/console/tickets/{created['ticket_id']}", "/console/"):
        async with http.get(intake.base_url + path) as response:
            pages.append(await response.text())
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "<i>已受理</i>" not in page
    assert "&lt;i&gt;已受理&lt;/i&gt;" in pages[0]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;粗体" in pages[0]
    assert "&lt;img src=x onerror=1&gt;" in pages[1]


async def test_queue_filters_and_counts(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    await create_ticket(http, intake, key="a", department_code="ZJ")
    await create_ticket(http, intake, key="b", department_code="CG", summary="占道经营")
    await console_login(http, intake, "张三")
    async with http.get(f"{intake.base_url}/console/?department=CG") as response:
        page = await response.text()
    assert "占道经营" in page and "小区电梯长期故障" not in page
    async with http.get(f"{intake.base_url}/console/?status=已办结") as response:
        assert 'id="no-tickets"' in await response.text()


async def _accepted_and_dispatched(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> tuple[str, str]:
    created = await create_ticket(http, intake)
    token = await console_login(http, intake, "张三")
    for action in ("accept", "dispatch"):
        status, _ = await console_action(http, intake, created["ticket_id"], action, token)
        assert status == 200
    return created["ticket_id"], token


async def test_too_long_answer_or_note_is_refused_in_chinese(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    ticket_id, token = await _accepted_and_dispatched(http, intake)
    status, text = await console_action(
        http, intake, ticket_id, "answer", token, answer="答" * 5001
    )
    assert status == 422 and "答复内容过长" in text and "5000" in text
    status, text = await console_action(
        http, intake, ticket_id, "progress", token, note="进" * 2001
    )
    assert status == 422 and "过长" in text and "2000" in text
    ticket = await intake.store.get(ticket_id)
    assert ticket is not None and ticket["status"] == "已派单" and ticket["answer"] is None
    status, _ = await console_action(http, intake, ticket_id, "answer", token, answer="答" * 5000)
    assert status == 200


async def test_double_submit_records_one_event(
    http: aiohttp.ClientSession, intake: RunningIntake, receiver: Receiver
) -> None:
    """A double click posts the same form twice: one event, one callback, no error page."""
    ticket_id, token = await _accepted_and_dispatched(http, intake)
    async with http.get(f"{intake.base_url}/console/tickets/{ticket_id}") as response:
        page = await response.text()
    form_ids = re.findall(r'name="form_id" value="([^"]+)"', page)
    assert len(form_ids) == len(set(form_ids)) > 1  # one per form
    match = re.search(r'id="form-progress".*?name="form_id" value="([^"]+)"', page, re.S)
    assert match
    for _ in range(2):
        status, text = await console_action(
            http, intake, ticket_id, "progress", token, note="已到现场", form_id=match.group(1)
        )
        assert status == 200 and 'id="flash"' in text
    match = re.search(r'id="form-answer".*?name="form_id" value="([^"]+)"', page, re.S)
    assert match
    for _ in range(2):
        status, text = await console_action(
            http, intake, ticket_id, "answer", token, answer="已修复", form_id=match.group(1)
        )
        assert status == 200 and 'id="flash"' in text  # not 409 「已答复」不能答复
    ticket = await intake.store.get(ticket_id)
    assert ticket is not None
    events = await intake.store.events_for(ticket["id"])
    assert [e["action"] for e in events] == ["submit", "accept", "dispatch", "progress", "answer"]


async def test_media_number_zero_is_404(
    http: aiohttp.ClientSession, intake: RunningIntake
) -> None:
    """/media/T/0 used to serve the last photo (index -1)."""
    png = base64.b64encode(PNG).decode()
    created = await create_ticket(
        http, intake, photos=[{"filename": "a.png", "content_type": "image/png", "data_b64": png}]
    )
    base = f"{intake.base_url}/console/media/{created['ticket_id']}"
    async with http.get(f"{base}/1") as response:
        assert response.status == 200
    for number in ("0", "-1", "x"):
        async with http.get(f"{base}/{number}") as response:
            assert response.status == 404, number
