"""Roles at the operator console: a 话务员 views and answers, a 派单员 also dispatches, re-routes
and returns, a 管理员 also approves 延期 and manages accounts; a 延期 is approved by someone
other than who asked for it. The server checks the role on every POST, not only the page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aiohttp

from intake import RunningIntake
from tests.intake.conftest import console_action, console_login, create_ticket


def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def _page(http: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with http.get(url) as response:
        return response.status, await response.text()


async def test_a_call_taker_answers_but_cannot_dispatch(intake: RunningIntake) -> None:
    async with _session() as http:
        created = await create_ticket(http, intake)
        ticket = created["ticket_id"]
        token = await console_login(http, intake, "huawu", role="话务员")
        _, page = await _page(http, f"{intake.base_url}/console/tickets/{ticket}")
        assert 'id="form-accept"' in page and 'id="form-reroute"' not in page
        assert "话务员：huawu" in page and 'id="nav-accounts"' not in page
        assert (await console_action(http, intake, ticket, "accept", token))[0] == 200
        status, text = await console_action(
            http, intake, ticket, "dispatch", token, department_code="ZJ"
        )
        assert status == 403 and "无权" in text
        assert (await _page(http, f"{intake.base_url}/console/accounts"))[0] == 403
        assert (await _page(http, f"{intake.base_url}/console/audit"))[0] == 403
    stored = await intake.store.get(ticket)
    assert stored is not None and stored["status"] == "已受理"


async def test_a_dispatcher_dispatches_but_cannot_approve_an_extension(
    intake: RunningIntake,
) -> None:
    async with _session() as http:
        ticket = (await create_ticket(http, intake))["ticket_id"]
        token = await console_login(http, intake, "paidan", role="派单员")
        for action, fields in (
            ("accept", {}),
            ("dispatch", {"department_code": "ZJ"}),
            ("extend", {"new_date": "2099-01-31", "reason": "需协调物业"}),
        ):
            status, text = await console_action(http, intake, ticket, action, token, **fields)
            assert status == 200, (action, text)
        assert 'id="form-extend-approve"' not in text
        status, _ = await console_action(
            http, intake, ticket, "extend_approve", token, new_date="2099-01-31"
        )
        assert status == 403


async def test_an_extension_is_approved_by_someone_other_than_who_asked(
    intake: RunningIntake,
) -> None:
    async with _session() as first, _session() as second:
        ticket = (await create_ticket(first, intake))["ticket_id"]
        asker = await console_login(first, intake, "guanli1", role="管理员")
        for action, fields in (
            ("accept", {}),
            ("extend", {"new_date": "2099-01-31", "reason": "需协调物业"}),
        ):
            status, page = await console_action(first, intake, ticket, action, asker, **fields)
            assert status == 200
        assert 'id="own-extension"' in page and 'id="form-extend-approve"' not in page
        status, text = await console_action(
            first, intake, ticket, "extend_approve", asker, new_date="2099-01-31"
        )
        assert status == 409 and "不能审批自己的申请" in text
        approver = await console_login(second, intake, "guanli2", role="管理员")
        status, text = await console_action(
            second, intake, ticket, "extend_approve", approver, new_date="2099-01-31"
        )
        assert status == 200 and "已批准延期" in text
        _, audit = await _page(second, f"{intake.base_url}/console/audit")
    assert 'data-action="extend_approve"' in audit and "guanli2" in audit
    stored = await intake.store.get(ticket)
    assert stored is not None
    events = await intake.store.events_for(stored["id"])
    assert [(e["action"], e["operator"]) for e in events][-2:] == [
        ("extend", "guanli1"),
        ("extend_approve", "guanli2"),
    ]


async def test_an_admin_adds_and_disables_accounts_in_the_console(
    intake: RunningIntake,
) -> None:
    async with _session() as http:
        token = await console_login(http, intake, "guanli", role="管理员")
        form = {"csrf_token": token, "username": "Xiaowang", "role": "call_taker"}
        async with http.post(
            f"{intake.base_url}/console/accounts", data={**form, "password": "short"}
        ) as response:
            assert response.status == 422 and "至少 8 位" in await response.text()
        async with http.post(
            f"{intake.base_url}/console/accounts", data={**form, "password": "long-enough-1"}
        ) as response:
            assert (
                response.status == 200 and "已创建账号 Xiaowang（话务员）" in await response.text()
            )
        async with http.post(
            f"{intake.base_url}/console/accounts",
            data={**form, "username": "XIAOWANG", "password": "long-enough-1"},
        ) as response:
            assert response.status == 422 and "已存在" in await response.text()
        account = await intake.accounts.by_name("xiaowang")
        assert account is not None
        url = f"{intake.base_url}/console/accounts/{account['id']}/disable"
        async with http.post(url, data={"csrf_token": token}) as response:
            assert response.status == 200
        _, audit = await _page(http, f"{intake.base_url}/console/audit")
    assert 'data-action="account_add"' in audit and 'data-action="account_active"' in audit
    stored = await intake.accounts.by_name("xiaowang")
    assert stored is not None and not stored["active"]


def test_the_cli_adds_an_account_and_refuses_the_same_name_in_other_case(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "intake.sqlite3")

    def cli(*args: str, password: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "intake", "accounts", "--db", db, *args],
            input=password,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    made = cli("add", "Wang", "--role", "派单员", "--password-stdin", password="pass-word-1\n")
    assert made.returncode == 0 and "已创建受理台账号 Wang（派单员）" in made.stdout
    again = cli("add", "wang", "--role", "话务员", "--password-stdin", password="pass-word-1\n")
    assert again.returncode == 1 and "已存在" in again.stderr
    bad = cli("add", "li", "--role", "局长", "--password-stdin", password="pass-word-1\n")
    assert bad.returncode == 1 and "角色须为" in bad.stderr
    listed = cli("list")
    assert listed.returncode == 0 and listed.stdout.split() == ["Wang", "派单员", "在用"]
