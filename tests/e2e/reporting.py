"""Helpers for driving the report flow as a deputy would, through the emulator, and for the
reference 12345 intake's side of a filed report."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from bot.texts import reports as rt
from emulator.client import ChatUser, EmulatorClient
from intake.server import RunningIntake
from tests.e2e.conftest import until

OPERATOR = "话务员小王"  # the intake operator who acts on the tickets

# Names the department outright: routed confidently whatever the model's version.
WAGE_ARREARS = (
    "邵东市廉桥镇一个工地的包工头拖欠我们二十多名农民工工资三万多元，至今不给，请人社局帮忙追讨。"
)
# Says nothing a classifier could route on: goes to the triage queue.
VAGUE = "我们这里的问题一直没人管，希望领导重视一下这个事情，尽快给个说法。"


def jpeg_with_exif() -> bytes:
    """A camera-like JPEG carrying EXIF (maker, time, GPS pointer) that must not leave us."""
    image = Image.new("RGB", (64, 48), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "DeputyPhone"  # Make
    exif[0x0132] = "2026:11:25 08:30:00"  # DateTime
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


async def verified(client: EmulatorClient, user_id: int, phone: str = "13807390006") -> ChatUser:
    user = client.user(user_id)
    await user.send_contact(phone)
    await user.next_message()
    return user


async def write_text(user: ChatUser, text: str) -> dict[str, Any]:
    """Starts /report, sends the text, presses 完成; returns the next bot message."""
    await user.send_text("/report")
    await user.next_message()
    await user.send_text(text)
    saved = await user.next_message()
    await user.press_button(saved, rt.BTN_DONE)
    return await user.next_message()


async def to_preview(
    user: ChatUser,
    text: str,
    photos: list[bytes] | None = None,
    location: tuple[float, float] | None = None,
    address: str | None = None,
) -> dict[str, Any]:
    """Walks the whole flow up to the preview card and returns it."""
    ask_photos = await write_text(user, text)
    last = ask_photos
    if photos:
        await user.send_album(photos) if len(photos) > 1 else await user.send_photo(photos[0])
        for _ in photos:
            last = await user.next_message()
    await user.press_button(last, rt.BTN_DONE)
    await user.next_message()  # asks for the location
    if location:
        await user.send_location(*location)
    else:
        await user.send_text(address or rt.BTN_SKIP)
    await user.next_message()  # location saved / skipped
    appeal = await user.next_message()
    await user.press_button(appeal, rt.BTN_NEXT)
    return await user.next_message()


async def next_edit(user: ChatUser) -> dict[str, Any]:
    """The next edited bot message (button taps edit the message in place)."""
    while True:
        event = await user.next_event()
        if event["kind"] == "edit":
            message: dict[str, Any] = event["message"]
            return message


async def filed_at_intake(
    client: EmulatorClient, intake: RunningIntake, user_id: int
) -> tuple[ChatUser, str, str]:
    """A report the deputy confirmed, once its ticket is at the intake:
    (deputy, report number, ticket number)."""
    deputy = await verified(client, user_id)
    preview = await to_preview(deputy, WAGE_ARREARS)
    await deputy.press_button(preview, "确认提交")
    receipt = (await deputy.next_message())["text"]
    number = receipt.split("编号 ")[1].split()[0]

    async def intake_ticket() -> str | None:
        for ticket in await intake.store.list():
            if ticket["report_number"] == number:
                return str(ticket["ticket_no"])
        return None

    ticket_no = await until(intake_ticket, f"the intake's ticket for {number}")
    return deputy, number, ticket_no


async def answered_at_intake(
    deputy: ChatUser, intake: RunningIntake, ticket_no: str, answer: str, *, first: bool = True
) -> dict[str, Any]:
    """The operator accepts and dispatches (the first time) and answers; the deputy's 已答复
    notice."""
    if first:
        await intake.store.act(ticket_no, "accept", operator=OPERATOR)
        assert "受理" in (await deputy.next_message(timeout=15))["text"]
        await intake.store.act(ticket_no, "dispatch", operator=OPERATOR, department_code="RS")
        assert "派单" in (await deputy.next_message(timeout=15))["text"]
    await intake.store.act(ticket_no, "answer", operator=OPERATOR, answer=answer)
    notice = await deputy.next_message(timeout=15)
    assert "已答复" in notice["text"]
    return notice
