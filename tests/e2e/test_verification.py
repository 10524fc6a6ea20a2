"""A deputy verifies in chat by sharing their own contact; nobody else gets through."""

from __future__ import annotations

from typing import Any

from bot import texts
from bot.app import Application
from emulator.client import EmulatorClient
from handlers.deputies.account import UnbindAction

# From samples/deputies.csv
ZHOU_PHONE = "13807390003"  # 周志强, 省, 大祥区城西街道代表联络站


def _reply_keyboard(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("sent_reply_markup") or {}  # reply keyboards are not part of a Message
    return [button for row in markup.get("keyboard", []) for button in row]


async def _bound_ids(app: Application) -> dict[str, int | None]:
    async with app.uow_factory() as uow:
        return {d.phone: d.telegram_user_id for d in await uow.deputies.all()}


async def test_deputy_sharing_own_contact_is_greeted_by_name_level_and_station(
    bot_app: Application, client: EmulatorClient
) -> None:
    zhou = client.user(5001, "志强")
    await zhou.send_text("/start")
    ask = await zhou.next_message()
    assert "分享您在代表信息库登记的手机号" in ask["text"]
    assert [b.get("request_contact") for b in _reply_keyboard(ask)] == [True]

    await zhou.send_contact("+86 138 0739 0003")
    welcome = await zhou.next_message()
    assert "周志强" in welcome["text"]
    assert "省级人大代表" in welcome["text"]
    assert "大祥区城西街道代表联络站" in welcome["text"]
    assert (await _bound_ids(bot_app))[ZHOU_PHONE] == 5001

    await zhou.send_text("/whoami")
    info = await zhou.next_message()
    assert "周志强" in info["text"] and "138****0003" in info["text"]


async def test_phone_sent_with_bare_86_prefix_matches_the_registry(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = client.user(5002)
    await deputy.send_contact("8613807390003")
    assert "周志强" in (await deputy.next_message())["text"]


async def test_unknown_phone_is_refused_politely_and_logged_for_admins(
    bot_app: Application, client: EmulatorClient
) -> None:
    stranger = client.user(5003, "路人")
    await stranger.send_contact("+8613912345678")
    reply = await stranger.next_message()
    assert (
        reply["text"]
        == "抱歉，代表信息库中没有找到该手机号。\n" + texts.CONTACT_UNKNOWN.split("\n", 1)[1]
    )
    async with bot_app.uow_factory() as uow:
        refusals = await uow.audit.by_action("verification.refused")
    assert refusals[0].actor == "tg:5003"
    assert refusals[0].after == {"reason": "unknown_phone", "phone": "13912345678"}


async def test_someone_elses_contact_is_refused(
    bot_app: Application, client: EmulatorClient
) -> None:
    impostor = client.user(5004)
    await impostor.send_contact(ZHOU_PHONE, user_id=777)  # 周志强's card, forwarded
    reply = await impostor.next_message()
    assert "只能分享" in reply["text"] and "本人" in reply["text"]
    await impostor.send_contact(ZHOU_PHONE, user_id=None)  # a contact card without a user id
    assert "本人" in (await impostor.next_message())["text"]
    assert (await _bound_ids(bot_app))[ZHOU_PHONE] is None


async def test_phone_already_bound_to_another_account_is_refused(
    bot_app: Application, client: EmulatorClient
) -> None:
    owner, second = client.user(5005), client.user(5006)
    await owner.send_contact(ZHOU_PHONE)
    await owner.next_message()
    await second.send_contact(ZHOU_PHONE)
    assert "已绑定其他" in (await second.next_message())["text"]
    assert (await _bound_ids(bot_app))[ZHOU_PHONE] == 5005


async def test_unbound_user_cannot_start_a_report(
    bot_app: Application, client: EmulatorClient
) -> None:
    stranger = client.user(5007)
    for attempt in ("/report", texts.BTN_REPORT, "/my", texts.BTN_MY_REPORTS):
        await stranger.send_text(attempt)
        reply = await stranger.next_message()
        assert reply["text"] == texts.NOT_BOUND, attempt
        assert [b.get("request_contact") for b in _reply_keyboard(reply)] == [True]


async def test_verified_deputy_reaches_report_features(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = client.user(5008)
    await deputy.send_contact(ZHOU_PHONE)
    await deputy.next_message()
    await deputy.send_text("/report")
    assert (await deputy.next_message())["text"] != texts.NOT_BOUND


async def test_command_menu_is_registered(bot_app: Application, client: EmulatorClient) -> None:
    commands = {c["command"]: c["description"] for c in await client.commands()}
    assert {"start", "help", "whoami", "unbind", "report", "my", "cancel"} <= set(commands)
    assert commands["report"] == "反映社情民意"


async def test_unbind_asks_for_confirmation_and_releases_the_phone(
    bot_app: Application, client: EmulatorClient
) -> None:
    deputy = client.user(5009)
    await deputy.send_contact(ZHOU_PHONE)
    await deputy.next_message()
    await deputy.send_text("/unbind")
    prompt = await deputy.next_message()

    # A modified client forging the button for another account is refused and changes nothing.
    forged_data = UnbindAction(user_id=5010, confirm=True).pack()
    forged = await deputy.press(prompt["message_id"], forged_data, force=True)
    answer = await deputy.callback_answer(forged)
    assert answer is not None and answer["text"] == texts.NOT_YOUR_BUTTON
    assert (await _bound_ids(bot_app))[ZHOU_PHONE] == 5009

    await deputy.press_button(prompt, texts.BTN_CONFIRM_UNBIND)
    events = await deputy.drain()
    assert any(e.get("message", {}).get("text") == texts.UNBIND_DONE for e in events)
    assert (await _bound_ids(bot_app))[ZHOU_PHONE] is None

    # Pressing the stale button again does nothing harmful.
    data = UnbindAction(user_id=5009, confirm=True).pack()
    again = await deputy.press(prompt["message_id"], data, force=True)
    stale = await deputy.callback_answer(again)
    assert stale is not None and stale["text"] == texts.STALE_BUTTON
