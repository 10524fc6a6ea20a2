"""Whatever a deputy types, classification and the preview never fail, and the preview always
fits one Telegram message (4,096 UTF-16 units after HTML parsing) and parses as Telegram HTML."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.reporting.drafts import MAX_ADDRESS, MAX_TEXT, Draft, DraftPhoto
from bot.services.reporting.filing import APPEAL_TYPES, ReportService
from bot.texts.reports import render_preview
from classifiers import RouterHolder, load_router
from emulator.html_entities import parse_html, u16len
from storage.bootstrap import open_database
from storage.db import create_session_factory
from storage.uow import UnitOfWork

TELEGRAM_LIMIT = 4096

_pieces = st.one_of(
    st.text(max_size=300),  # any unicode: control characters, surrogates excluded by hypothesis
    st.text(alphabet="<>&\"'/=abscript 住建局城管占道经营噪音扰民拖欠工资", max_size=200),
    st.text(alphabet="😀🔥🚧💡🙏👍🏽‍♀️\u200d\ufe0f", max_size=100),
    st.sampled_from(
        ["<b>加粗</b>", "<script>alert(1)</script>", "&nbsp;&lt;", "漏电了!", "\x00\x1f"]
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=500, max_size=2000),
)
_texts = st.lists(_pieces, max_size=12).map(lambda parts: "".join(parts)[:MAX_TEXT])


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def service(
    loop: asyncio.AbstractEventLoop, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReportService]:
    folder: Path = tmp_path_factory.mktemp("prop")
    engine, _ = loop.run_until_complete(
        open_database(f"sqlite+aiosqlite:///{folder / 'p.sqlite3'}")
    )
    session = create_session_factory(engine)()  # one long-lived session for the whole run
    yield ReportService(UnitOfWork(session), RouterHolder(load_router()))
    loop.run_until_complete(session.close())
    loop.run_until_complete(engine.dispose())


@settings(
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=_texts,
    address=st.none() | st.text(max_size=MAX_ADDRESS),
    photos=st.integers(0, 9),
    appeal=st.none() | st.sampled_from(APPEAL_TYPES),
    location=st.none() | st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
)
def test_any_text_gives_a_preview_that_fits_one_message(
    loop: asyncio.AbstractEventLoop,
    service: ReportService,
    text: str,
    address: str | None,
    photos: int,
    appeal: str | None,
    location: tuple[float, float] | None,
) -> None:
    draft = Draft(
        parts=[text],
        photos=[DraftPhoto(f"f{i}", f"u{i}") for i in range(photos)],
        address=address,
        appeal_type=appeal,
        latitude=location[0] if location else None,
        longitude=location[1] if location else None,
    )
    preview = loop.run_until_complete(service.preview(draft, service.analyse(draft)))
    rendered = render_preview(preview)
    plain, _entities = parse_html(rendered)  # raises on HTML Telegram would refuse
    assert 0 < u16len(plain) <= TELEGRAM_LIMIT
