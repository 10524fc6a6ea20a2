"""The operators' group chat (HOTLINE_ADAPTER=telegram): taps on ticket cards, and the reasons
and answers operators write in reply to the bot's prompts.

Only updates from OPERATORS_CHAT_ID enter the room, and every one of them ends there: the deputy
routers (and their verification gate) never see the group. Operators need no deputy
verification: being a member of the group is what lets them act, checked on every tap (anyone
may read a public supergroup and tap its buttons; someone who left is an operator no more)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, Router
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    ChatMemberRestricted,
    ForceReply,
    InaccessibleMessage,
    Message,
    ReplyParameters,
    TelegramObject,
    User,
)

from bot.hotline.telegram import texts as otx
from bot.hotline.telegram.cards import NEEDS_TEXT, CardView, OperatorAction
from bot.hotline.telegram.desk import DeskOutcome, DeskResult, OperatorDesk, OperatorTap
from bot.hotline.telegram.keyboards import TicketButton, action_of, card_buttons

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
EventFilter = Callable[[TelegramObject], Awaitable[bool]]
MEMBERS = frozenset(
    {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)


class OperatorFlow(StatesGroup):
    text = State()  # data: report_id, card and prompt (message ids), action


class DeskMiddleware(BaseMiddleware):
    """Hands the room's handlers the OperatorDesk (it tells deputies through the bot)."""

    def __init__(self, desk: OperatorDesk) -> None:
        self._desk = desk

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["desk"] = self._desk
        return await handler(event, data)


def in_chat(chat_id: int) -> EventFilter:
    async def matches(event: TelegramObject) -> bool:
        if isinstance(event, Message):
            return event.chat.id == chat_id
        if isinstance(event, CallbackQuery) and event.message is not None:
            return event.message.chat.id == chat_id
        return False

    return matches


async def button_pressed(
    query: CallbackQuery,
    callback_data: TicketButton,
    desk: OperatorDesk,
    state: FSMContext,
    bot: Bot,
) -> None:
    action, card = action_of(callback_data), query.message
    # A card too old for Telegram to show the bot is inaccessible, but still names the card.
    if action is None or not isinstance(card, Message | InaccessibleMessage):
        await query.answer(otx.STALE_BUTTON, show_alert=True)
        return
    if not await is_operator(bot, card.chat.id, query.from_user.id):
        await query.answer(otx.NOT_OPERATOR, show_alert=True)
        return
    tap = OperatorTap(
        report_id=callback_data.report_id,
        chat_id=card.chat.id,
        message_id=card.message_id,
        action=action,
        operator=operator_name(query.from_user),
    )
    if action in NEEDS_TEXT:
        result = await desk.check(tap)
        if result.outcome is DeskOutcome.READY:
            await _ask_text(query, tap, result.external_id, state, bot)
            return
    else:
        result = await desk.act(tap)
        if result.outcome is DeskOutcome.DONE and result.card is not None:
            await query.answer(otx.ACCEPTED if action is OperatorAction.ACCEPT else otx.CLOSED)
            await show_card(bot, tap.chat_id, tap.message_id, result.card)
            return
    await query.answer(refusal(result, action), show_alert=True)


async def is_operator(bot: Bot, chat_id: int, user_id: int) -> bool:
    """A member of the operators' group (asked of Telegram: membership changes any time)."""
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramBadRequest:  # "user not found", "PARTICIPANT_ID_INVALID"
        return False
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in MEMBERS


async def _ask_text(
    query: CallbackQuery, tap: OperatorTap, external_id: str, state: FSMContext, bot: Bot
) -> None:
    prompt = await bot.send_message(
        tap.chat_id,
        otx.ask_text(tap.action, query.from_user.id, tap.operator, external_id),
        reply_markup=ForceReply(selective=True, input_field_placeholder=otx.LABELS[tap.action]),
        reply_parameters=ReplyParameters(
            message_id=tap.message_id, allow_sending_without_reply=True
        ),
    )
    await state.set_state(OperatorFlow.text)
    await state.set_data(
        {
            "report_id": tap.report_id,
            "card": tap.message_id,
            "action": tap.action.value,
            "prompt": prompt.message_id,
        }
    )
    await query.answer(otx.ASKED)


async def text_received(message: Message, state: FSMContext, desk: OperatorDesk, bot: Bot) -> None:
    data = await state.get_data()
    reply = message.reply_to_message
    if reply is None or reply.message_id != data.get("prompt") or message.from_user is None:
        return  # group chat about something else: the prompt stays open
    text = message.text
    if text is None or text.startswith("/"):
        await message.reply(otx.TEXT_EXPECTED)
        return
    if not await is_operator(bot, message.chat.id, message.from_user.id):
        await state.clear()  # removed from the group since the tap
        await message.reply(otx.NOT_OPERATOR)
        return
    action = OperatorAction(str(data["action"]))
    tap = OperatorTap(
        report_id=int(data["report_id"]),
        chat_id=message.chat.id,
        message_id=int(data["card"]),
        action=action,
        operator=operator_name(message.from_user),
    )
    result = await desk.act(tap, text)
    if result.outcome in (DeskOutcome.TEXT_TOO_SHORT, DeskOutcome.TEXT_TOO_LONG):
        await message.reply(refusal(result, action))  # the prompt stays open: nothing is lost
        return
    await state.clear()
    if result.outcome is not DeskOutcome.DONE or result.card is None:
        await message.reply(refusal(result, action))
        return
    await show_card(bot, message.chat.id, tap.message_id, result.card)
    await message.reply(otx.done(action, result.card.external_id))
    with contextlib.suppress(TelegramBadRequest):  # the prompt has served its purpose
        await bot.delete_message(message.chat.id, int(data["prompt"]))


async def cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await message.reply(otx.NOTHING_TO_CANCEL)
        return
    await state.clear()
    await message.reply(otx.CANCELLED)


async def show_help(message: Message) -> None:
    await message.reply(otx.HELP)


async def chatter(message: Message) -> None:
    """Whatever else is said in the group is the operators' own conversation."""


async def other_button(query: CallbackQuery) -> None:
    await query.answer(otx.STALE_BUTTON, show_alert=True)


async def button_elsewhere(query: CallbackQuery) -> None:
    await query.answer(otx.WRONG_CHAT, show_alert=True)


async def show_card(bot: Bot, chat_id: int, message_id: int, view: CardView) -> None:
    try:
        await bot.edit_message_text(
            otx.card(view),
            chat_id=chat_id,
            message_id=message_id,
            reply_markup=card_buttons(view),
        )
    except TelegramBadRequest as error:  # the ticket changed; only the card's looks did not
        log.warning("ticket card %s not updated: %s", message_id, error)


def refusal(result: DeskResult, action: OperatorAction) -> str:
    outcome = result.outcome
    if outcome is DeskOutcome.NOT_ALLOWED:
        return otx.not_allowed(result.status, action)
    if outcome is DeskOutcome.TEXT_TOO_SHORT:
        return otx.text_too_short(action)
    if outcome is DeskOutcome.TEXT_TOO_LONG:
        return otx.text_too_long(action)
    return {
        DeskOutcome.UNKNOWN_TICKET: otx.UNKNOWN_TICKET,
        DeskOutcome.STALE_CARD: otx.STALE_CARD,
        DeskOutcome.DUPLICATE: otx.DUPLICATE,
    }.get(outcome, otx.STALE_BUTTON)


def operator_name(user: User) -> str:
    name = user.full_name or str(user.id)
    return (f"{name} @{user.username}" if user.username else name)[:64]


def setup(chat_id: int, desk: OperatorDesk) -> Router:
    """Include before the deputy routers: the room takes every update of the operators' chat."""
    room = Router(name="operators_room")
    only_here = in_chat(chat_id)
    room.message.filter(only_here)
    room.callback_query.filter(only_here)
    desk_middleware = DeskMiddleware(desk)
    room.message.middleware(desk_middleware)
    room.callback_query.middleware(desk_middleware)
    room.callback_query.register(button_pressed, TicketButton.filter())
    room.callback_query.register(other_button)
    room.message.register(cancel, Command("cancel"))
    room.message.register(show_help, Command("help", "start"))
    room.message.register(text_received, OperatorFlow.text)
    room.message.register(chatter)
    elsewhere = Router(name="operator_buttons_elsewhere")
    elsewhere.callback_query.register(button_elsewhere, TicketButton.filter())
    router = Router(name="operator_chat")
    router.include_routers(room, elsewhere)
    return router
