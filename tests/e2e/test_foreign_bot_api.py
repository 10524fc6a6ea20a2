"""A Bot API server that is not Telegram (telegram-test-api's behaviours, in the emulator's
quirks): refused cosmetics do not stop the bot, a failed getMe does with one clear line, and an
update missing an optional field is still served."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import Application, BotApiUnavailable
from bot.texts import reports as rt
from classifiers import RouterHolder
from emulator.client import EmulatorClient
from emulator.quirks import PeerQuirks
from emulator.server import RunningEmulator
from storage.models import OutboxMessage, Report, ReportPhoto, ReportStatus, RoutingDecision
from tests.e2e.conftest import BotFactory, make_settings
from tests.e2e.reporting import WAGE_ARREARS, jpeg_with_exif, to_preview, verified


async def test_a_refused_set_my_commands_is_logged_and_the_bot_serves(
    emulator: RunningEmulator,
    start_bot: BotFactory,
    client: EmulatorClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator.state.quirks = PeerQuirks(refused_methods=frozenset({"setmycommands"}))
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        await start_bot()
    assert "setMyCommands refused" in caplog.text
    user = client.user(6101)
    await user.send_text("/start")
    assert "手机号" in (await user.next_message())["text"]


async def test_a_failed_get_me_stops_the_bot_with_one_clear_line(
    emulator: RunningEmulator, sqlite_url: str, classifier: RouterHolder, tmp_path: Path
) -> None:
    emulator.state.quirks = PeerQuirks(refused_methods=frozenset({"getme"}))
    settings = make_settings(emulator, sqlite_url, data_dir=tmp_path / "data")
    app = await Application.create(settings, classifier=classifier)
    try:
        with pytest.raises(BotApiUnavailable) as raised:
            await app.run(handle_signals=False)
    finally:
        await app.close()
    line = str(raised.value)
    assert "getMe" in line and emulator.base_url in line and "\n" not in line


async def test_a_callback_without_chat_instance_still_reaches_its_handler(
    emulator: RunningEmulator,
    bot_app: Application,
    client: EmulatorClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    emulator.state.quirks = PeerQuirks(omit_optional_fields=True)
    deputy = await verified(client, 6102)
    await deputy.send_text("/report")
    await deputy.next_message()
    await deputy.send_text("邵东市廉桥镇工地拖欠二十多名农民工工资三万多元，请人社局帮忙追讨。")
    saved = await deputy.next_message()
    with caplog.at_level(logging.WARNING, logger="bot.telegram_session"):
        await deputy.press_button(saved, rt.BTN_DONE)
        asked = await deputy.next_message()
    assert asked["text"].startswith(rt.ASK_PHOTOS[:6]) or "照片" in asked["text"]
    assert "callback_query.chat_instance" in caplog.text


async def test_a_photo_the_server_will_not_hand_over_is_left_out_and_the_deputy_told(
    emulator: RunningEmulator, bot_app: Application, client: EmulatorClient
) -> None:
    deputy = await verified(client, 6103)
    preview = await to_preview(deputy, WAGE_ARREARS, [jpeg_with_exif()])
    emulator.state.quirks = PeerQuirks(fail_get_file=True)
    await deputy.press_button(preview, rt.BTN_CONFIRM)
    receipt = (await deputy.next_message())["text"]
    assert "已提交" in receipt and "1 张照片未能从 Telegram 取回" in receipt
    async with bot_app.uow_factory() as uow:
        report = await uow.session.scalar(select(Report))
        assert report is not None and report.status == ReportStatus.SUBMITTED
        assert await uow.session.scalar(select(func.count()).select_from(RoutingDecision)) == 1
        [message] = list(await uow.session.scalars(select(OutboxMessage)))
        [photo] = list(await uow.session.scalars(select(ReportPhoto)))
    assert message.report_id == report.id and photo.local_path is None
