"""A real aiogram Dispatcher polling the emulator: the end-to-end shape the project relies on."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher, F
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from emulator.client import EmulatorClient


async def test_dispatcher_polls_replies_and_answers_callbacks(bot: Bot, client: EmulatorClient):
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="我要反映问题", callback_data="report")]]
        )
        await message.answer("<b>欢迎</b>，请选择：", parse_mode="HTML", reply_markup=markup)

    @dp.callback_query(F.data == "report")
    async def report(query: CallbackQuery) -> None:
        await query.answer("好的")
        assert isinstance(query.message, Message)
        await query.message.edit_text("请描述问题")

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
    )
    try:
        await client.wait_until_polling(timeout=5)
        user = client.user(1001, "张三")
        await user.send_text("/start")
        menu = await user.next_message()
        assert menu["text"] == "欢迎，请选择：" and menu["entities"][0]["type"] == "bold"
        cq_id = await user.press_button(menu, "反映")
        answer = await user.callback_answer(cq_id)
        assert answer is not None and answer["text"] == "好的"
        edit = await user.next_event()
        while edit["kind"] != "edit":
            edit = await user.next_event()
        assert edit["message"]["text"] == "请描述问题" and "reply_markup" not in edit["message"]
        assert await client.requests(errors_only=True) == []
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
