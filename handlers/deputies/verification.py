"""/start and contact sharing: a Telegram account becomes a verified deputy."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove

from bot import texts
from bot.services.deputies.verification import DeputyService, VerificationOutcome
from bot.services.deputies.view import DeputyView
from handlers.common import prompts
from handlers.common.filters import has_contact
from handlers.common.keyboards import contact_request, main_menu

_REFUSALS = {
    VerificationOutcome.NOT_OWN_CONTACT: texts.CONTACT_NOT_OWN,
    VerificationOutcome.INVALID_PHONE: texts.CONTACT_INVALID_PHONE,
    VerificationOutcome.UNKNOWN_PHONE: texts.CONTACT_UNKNOWN,
    VerificationOutcome.INACTIVE: texts.CONTACT_INACTIVE,
    VerificationOutcome.PHONE_TAKEN: texts.CONTACT_PHONE_TAKEN,
}


async def start(
    message: Message,
    deputy: DeputyView | None,
    state: FSMContext,
    bot: Bot,
    deactivated: bool = False,
) -> None:
    await prompts.finish(state, bot)
    if deputy is not None:
        await message.answer(texts.welcome_back(deputy), reply_markup=main_menu())
    elif deactivated:  # sharing the phone again would not help: say why at once
        await message.answer(texts.CONTACT_INACTIVE, reply_markup=ReplyKeyboardRemove())
    else:
        await message.answer(texts.ASK_CONTACT, reply_markup=contact_request())


async def contact_shared(message: Message, deputies: DeputyService) -> None:
    assert message.contact is not None and message.from_user is not None
    result = await deputies.verify_contact(
        message.from_user.id, message.contact.user_id, message.contact.phone_number
    )
    if result.outcome in (VerificationOutcome.BOUND, VerificationOutcome.ALREADY_BOUND):
        assert result.deputy is not None
        await message.answer(texts.welcome(result.deputy), reply_markup=main_menu())
    elif result.outcome is VerificationOutcome.ACCOUNT_TAKEN:
        assert result.deputy is not None
        await message.answer(texts.contact_account_taken(result.deputy), reply_markup=main_menu())
    elif result.outcome is VerificationOutcome.NOT_OWN_CONTACT:
        await message.answer(_REFUSALS[result.outcome], reply_markup=contact_request())
    else:
        await message.answer(_REFUSALS[result.outcome], reply_markup=ReplyKeyboardRemove())


def setup() -> Router:
    router = Router(name="verification")
    router.message.register(start, CommandStart())
    router.message.register(contact_shared, has_contact)
    return router
