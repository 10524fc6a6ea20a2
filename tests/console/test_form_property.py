"""Whatever a signed-in admin's browser posts to the console's forms — any fields, any
values — the answer is never a 5xx (hypothesis, bounded; real HTTP on loopback)."""

from __future__ import annotations

import asyncio

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.console.conftest import ConsoleServer, Login, csrf_of, page
from tests.console.seed import add_report

FIELDS = ["department", "note", "seen", "version", "name", "aliases", "keywords", "duty"]
FIELDS += ["category", "active", "code", "username", "password", "next", "q", "page"]
_values = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["CG", "JT", "1", "-1", "99999999999999999999", "", "0001-01-01", "on"]),
    st.text(alphabet="<>&\"'%\\\x00\u3000 城管", max_size=20),
)
_forms = st.fixed_dictionaries({}, optional={name: _values for name in FIELDS})


async def test_any_form_on_any_console_route_is_never_a_5xx(
    console_server: ConsoleServer, login: Login
) -> None:
    seeded = await add_report(console_server.uow_factory)
    http = await login("admin")
    _, home = await page(http, console_server.url("/"))
    token = csrf_of(home)
    cookies = {cookie.key: cookie.value for cookie in http.cookie_jar}
    routes = [
        f"/decisions/{seeded.decision_id}/confirm",
        f"/decisions/{seeded.decision_id}/correct",
        f"/triage/{seeded.report_id}/assign",
        "/departments/new",
        "/departments/1",
        "/deputies/1/deactivate",
        "/dead-letters/1/retry",
    ]
    session = requests.Session()
    session.cookies.update(cookies)
    statuses: set[int] = set()

    @settings(
        max_examples=250, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.sampled_from(routes), _forms)
    def post(route: str, form: dict[str, str]) -> None:
        data = {**form, "csrf_token": token}
        response = session.post(
            console_server.url(route), data=data, allow_redirects=False, timeout=10
        )
        statuses.add(response.status_code)
        assert response.status_code < 500, (route, form, response.text[:300])

    await asyncio.to_thread(post)
    assert statuses - {303}, "every post was sent to sign in: the session did not hold"
