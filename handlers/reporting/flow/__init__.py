"""The guided report flow: text → photos → location → appeal type → explained preview → submit.

The draft lives in the FSM storage (database or Redis), so a restart resumes it."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter

from bot import texts
from handlers.common.filters import has_location, has_photo, has_text, text_is
from handlers.reporting import keyboards as kb
from handlers.reporting.flow import messages as on
from handlers.reporting.flow.buttons import flow_button
from handlers.reporting.flow.context import ReportFlow


def setup() -> Router:
    router = Router(name="report_flow")
    router.message.register(on.start_report, Command("report"))
    router.message.register(on.start_report, text_is(texts.BTN_REPORT))
    router.callback_query.register(flow_button, kb.FlowAction.filter())
    router.message.register(on.text_part, StateFilter(ReportFlow.text), has_text)
    router.message.register(on.text_step_photo, StateFilter(ReportFlow.text), has_photo)
    router.message.register(on.text_expected, StateFilter(ReportFlow.text))
    router.message.register(on.photo_received, StateFilter(ReportFlow.photos), has_photo)
    router.message.register(on.photo_expected, StateFilter(ReportFlow.photos))
    router.message.register(on.location_received, StateFilter(ReportFlow.location), has_location)
    router.message.register(on.location_text, StateFilter(ReportFlow.location), has_text)
    router.message.register(on.location_expected, StateFilter(ReportFlow.location))
    router.message.register(on.quick_photo, StateFilter(None), has_photo)
    return router
