"""Whatever a holder of the secret posts to the callback — any JSON shape, any values — the
answer is a 2xx or a 4xx, never a 5xx (hypothesis, bounded; real HTTP on loopback)."""

from __future__ import annotations

import asyncio
import json

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yarl import URL

from protocol.signing import signed_headers
from storage.uow import UnitOfWorkFactory
from tests.hotline.conftest import SECRET, FileReport
from tests.hotline.test_callbacks import EXTERNAL_ID, with_ticket

FIELDS = ["event_id", "ticket_id", "report_number", "status", "action", "note", "answer"]
FIELDS += ["department_code", "operator", "occurred_at", "expected_at"]
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=60),
    st.sampled_from(
        ["已受理", "已答复", "已办结", "退回", "改派", EXTERNAL_ID, "SY20250612-0001"]
    ),
    st.sampled_from(["2026-12-03T10:00:00+08:00", "0001-01-01T00:00:00+14:00", "今天"]),
)
_values = st.recursive(
    _scalars, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=8
)
_payloads = st.one_of(
    st.fixed_dictionaries({}, optional={name: _values for name in FIELDS}),
    _values,
)


async def test_any_signed_payload_gets_a_2xx_or_4xx(
    seeded: UnitOfWorkFactory, file_report: FileReport, callback_url: str
) -> None:
    await with_ticket(seeded, await file_report())
    path = URL(callback_url).raw_path_qs
    statuses: set[int] = set()

    @settings(
        max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(_payloads)
    def post(payload: object) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass")
        headers = {"Content-Type": "application/json"}
        headers.update(signed_headers(SECRET, "POST", path, body, key="evt"))
        status = requests.post(callback_url, data=body, headers=headers, timeout=10).status_code
        statuses.add(status)
        assert status < 500, payload

    await asyncio.to_thread(post)
    assert statuses <= {200, 400, 404, 415, 422}, statuses
