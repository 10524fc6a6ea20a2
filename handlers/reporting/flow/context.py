"""The report flow's states and what every step works with: the deputy's draft in the FSM
storage and the filing service. The draft (its routing analysis included) survives restarts."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.services.reporting.drafts import Draft, DraftPhoto
from bot.services.reporting.filing import ReportService


class ReportFlow(StatesGroup):
    text = State()
    emergency = State()
    photos = State()
    location = State()
    appeal = State()
    preview = State()


class FlowContext:
    def __init__(self, state: FSMContext, reports: ReportService) -> None:
        self.state = state
        self.service = reports

    async def draft(self) -> Draft | None:
        data = await self.state.get_data()
        return Draft.from_dict(data["draft"]) if data.get("draft") else None

    async def save(self, draft: Draft, step: State) -> None:
        await self.state.set_state(step)
        await self.state.update_data(draft=draft.to_dict())


def photo_of(message: Message) -> DraftPhoto:
    assert message.photo
    largest = message.photo[-1]
    return DraftPhoto(file_id=largest.file_id, file_unique_id=largest.file_unique_id)
