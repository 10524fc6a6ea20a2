"""HOTLINE_ADAPTER=telegram: the 12345 hotline is an operators' group chat.

`create_ticket` posts a ticket card with 受理 / 退回 / 答复 buttons (chat.py acts
on them); urge, supervise, reopen, reroute and withdraw post into the group as replies to
the card. Where each card went is recorded (cards.py), so a retried create — the outbox
delivers at least once — finds its card instead of posting a second one. Telegram itself cannot
de-duplicate a send: only a crash between a send and its record can still post twice.

What the intake's callbacks report for the http adapter, this adapter reports itself: a reopen
or a reroute posted into the group becomes the same `HotlineEvent`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    MediaUnion,
    Message,
    ReplyParameters,
)

from bot.hotline.gateway import (
    PermanentHotlineError,
    PhotoFile,
    TemporaryHotlineError,
    TicketReceipt,
    TicketRequest,
)
from bot.hotline.http.adapter import ADMIN_OPERATOR
from bot.hotline.telegram import texts as otx
from bot.hotline.telegram.cards import (
    CardBook,
    CardKind,
    CardView,
    PostedCard,
    current_of,
    external_id_for,
    kind_of,
)
from bot.hotline.telegram.desk import ADAPTER
from bot.hotline.telegram.keyboards import card_buttons
from bot.services.notices import Notifier
from bot.services.tickets.capabilities import HotlineCapabilities
from bot.services.tickets.deadlines import DeadlinePolicy
from bot.services.tickets.updates import HotlineEvent, TicketUpdateService
from storage.base import utcnow
from storage.models import ReportStatus
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

REROUTED = "改派"
_IGNORED_EDIT_ERRORS = ("message is not modified", "message to edit not found")


@contextlib.asynccontextmanager
async def telegram_errors() -> AsyncIterator[None]:
    """Telegram failures as the outbox understands them: retry later, or dead-letter."""
    try:
        yield
    except TelegramRetryAfter as error:  # 429 flood control
        raise TemporaryHotlineError(f"flood control: retry after {error.retry_after}s") from error
    except TelegramMigrateToChat as error:  # the group became a supergroup: a new chat id
        raise PermanentHotlineError(
            f"the operators' group moved: set OPERATORS_CHAT_ID={error.migrate_to_chat_id}"
        ) from error
    except (TelegramNetworkError, TelegramServerError) as error:
        raise TemporaryHotlineError(f"{type(error).__name__}: {error}"[:500]) from error
    except (
        TelegramBadRequest,  # e.g. "chat not found"
        TelegramForbiddenError,  # e.g. "bot was kicked from the group chat"
        TelegramNotFound,
        TelegramUnauthorizedError,
    ) as error:
        raise PermanentHotlineError(f"{type(error).__name__}: {error}"[:500]) from error
    except TelegramAPIError as error:  # anything else Telegram says may pass
        raise TemporaryHotlineError(f"{type(error).__name__}: {error}"[:500]) from error


@dataclass(frozen=True)
class _Located:
    report_id: int
    number: str
    posted: list[PostedCard]
    current: PostedCard | None
    view: CardView


class TelegramHotlineAdapter:
    """One per process; `bot` is the bot's own aiogram Bot (one HTTP session for everything)."""

    adapter = ADAPTER
    capabilities = HotlineCapabilities(adapter=ADAPTER)  # operators act on every card

    def __init__(
        self,
        bot: Bot,
        chat_id: int,
        uow_factory: UnitOfWorkFactory,
        notifier: Notifier,
        *,
        deadlines: DeadlinePolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._bot = bot
        self.chat_id = chat_id
        self._uow_factory = uow_factory
        self._deadlines = deadlines or DeadlinePolicy()
        self._clock = clock
        self._updates = TicketUpdateService(uow_factory, notifier, adapter=ADAPTER)

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt:
        external_id = external_id_for(request.report_number)
        key = request.idempotency_key
        located = await self._locate(
            external_id, CardKind.CREATE, status=ReportStatus.SUBMITTED, estimate=True
        )
        card = _find(located.posted, CardKind.CREATE, key)
        if card is None:
            view = located.view
            message = await self._send(otx.card(view), card_buttons(view))
            card = PostedCard(self.chat_id, message.message_id, CardKind.CREATE, key)
            await self._record(located.report_id, card)
        if request.photos and _find(located.posted, CardKind.PHOTOS, key) is None:
            await self._send_photos(request.photos, external_id, card)
            photos = PostedCard(card.chat_id, card.message_id, CardKind.PHOTOS, key)
            await self._record(located.report_id, photos)
        return TicketReceipt(external_id=external_id, status=ReportStatus.SUBMITTED)

    async def urge(self, external_id: str, note: str, idempotency_key: str) -> None:
        # A chat message has no idempotency key: a 催办 sent again after a lost lease shows twice.
        located = await self._locate(external_id, None)
        await self._send(otx.urge(external_id, note), reply_to=located.current)

    async def supervise(
        self, external_id: str, note: str, deadline: datetime, idempotency_key: str
    ) -> None:
        # As a 催办: a message in the operators' chat under the card (the note names the deadline).
        located = await self._locate(external_id, None)
        await self._send(otx.supervised(external_id, note), reply_to=located.current)

    async def reopen(self, external_id: str, reason: str, idempotency_key: str) -> str:
        located = await self._locate(external_id, CardKind.REOPEN, status=ReportStatus.REOPENED)
        banner = otx.reopen_banner(reason)
        await self._repost(located, CardKind.REOPEN, idempotency_key, banner)
        await self._report(
            HotlineEvent(
                event_id=f"tg:reopen:{idempotency_key}",
                external_id=external_id,
                status=ReportStatus.IN_PROGRESS,
                occurred_at=self._clock(),
                report_number=located.number,
                action="reopen",
                note=reason,
            )
        )
        return ReportStatus.IN_PROGRESS

    async def reroute(
        self, external_id: str, department_code: str, note: str, idempotency_key: str
    ) -> None:
        located = await self._locate(
            external_id,
            CardKind.REROUTE,
            status=ReportStatus.SUBMITTED,
            department_code=department_code,
        )
        banner = otx.reroute_banner(located.view.department, note)
        await self._repost(located, CardKind.REROUTE, idempotency_key, banner)
        await self._report(
            HotlineEvent(
                event_id=f"tg:reroute:{idempotency_key}",
                external_id=external_id,
                status=REROUTED,
                occurred_at=self._clock(),
                report_number=located.number,
                action="reroute",
                note=note or None,
                department_code=department_code,
                operator=ADMIN_OPERATOR,
            )
        )

    async def withdraw(self, external_id: str, reason: str, idempotency_key: str) -> None:
        # The card keeps its title (new, 改派…); it now reads 已撤回 and has no buttons left.
        located = await self._locate(external_id, None, status=ReportStatus.WITHDRAWN)
        if _find(located.posted, CardKind.WITHDRAW, idempotency_key) is not None:
            return
        current = located.current
        if current is not None:
            await self._edit(current, otx.card(located.view), None)
        message = await self._send(otx.withdrawn(external_id, reason), reply_to=current)
        notice = PostedCard(self.chat_id, message.message_id, CardKind.WITHDRAW, idempotency_key)
        await self._record(located.report_id, notice)

    # -- helpers -------------------------------------------------------------------------------

    async def _locate(
        self,
        external_id: str,
        kind: str | None,
        *,
        status: str | None = None,
        department_code: str | None = None,
        estimate: bool = False,
    ) -> _Located:
        """The report behind `external_id`, its cards, and how a card of `kind` (None: of the
        current card's kind) would read."""
        async with self._uow_factory() as uow:
            book = CardBook(uow)
            report = await book.report(external_id)
            if report is None:
                raise PermanentHotlineError(f"no report for ticket {external_id}")
            posted = await book.posted(report.id)  # one audit query serves cards, current and view
            current = current_of(posted)
            view = await book.view(
                report,
                kind=kind if kind is not None else kind_of(current),
                status=status,
                department_code=department_code,
                deadlines=self._deadlines if estimate else None,
                now=self._clock(),
            )
            return _Located(report.id, report.number, posted, current, view)

    async def _repost(self, located: _Located, kind: str, key: str, banner: str) -> None:
        """A fresh card with the buttons that now apply; the previous card's buttons go."""
        if _find(located.posted, kind, key) is not None:
            return  # an earlier attempt posted it
        previous = located.current
        if previous is not None:
            await self._edit_markup(previous, None)
        view = located.view
        message = await self._send(otx.card(view, banner=banner), card_buttons(view), previous)
        await self._record(
            located.report_id, PostedCard(self.chat_id, message.message_id, kind, key)
        )

    async def _report(self, event: HotlineEvent) -> None:
        outcome = await self._updates.process(event)
        if not outcome.known:  # the ticket is recorded after create: this cannot be early
            raise TemporaryHotlineError(f"ticket {event.external_id} is not recorded yet")

    async def _record(self, report_id: int, card: PostedCard) -> None:
        async with self._uow_factory() as uow:
            CardBook(uow).record(report_id, card)
            await uow.commit()

    async def _send(
        self,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        reply_to: PostedCard | None = None,
    ) -> Message:
        async with telegram_errors():
            return await self._bot.send_message(
                self.chat_id,
                text,
                reply_markup=markup,
                reply_parameters=_reply(reply_to, self.chat_id),
            )

    async def _send_photos(
        self, photos: tuple[PhotoFile, ...], external_id: str, card: PostedCard
    ) -> None:
        files = [file for file in [await _read(photo) for photo in photos] if file is not None]
        if not files:
            return
        caption = otx.photos_caption(external_id)
        reply = _reply(card, self.chat_id)
        async with telegram_errors():
            if len(files) == 1:
                await self._bot.send_photo(
                    self.chat_id, files[0], caption=caption, reply_parameters=reply
                )
                return
            album: list[MediaUnion] = [
                InputMediaPhoto(media=file, caption=caption if n == 0 else None)
                for n, file in enumerate(files[:10])
            ]
            await self._bot.send_media_group(self.chat_id, album, reply_parameters=reply)

    async def _edit(
        self, card: PostedCard, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        with _ignoring_stale_edits():
            async with telegram_errors():
                await self._bot.edit_message_text(
                    text, chat_id=card.chat_id, message_id=card.message_id, reply_markup=markup
                )

    async def _edit_markup(self, card: PostedCard, markup: InlineKeyboardMarkup | None) -> None:
        with _ignoring_stale_edits():
            async with telegram_errors():
                await self._bot.edit_message_reply_markup(
                    chat_id=card.chat_id, message_id=card.message_id, reply_markup=markup
                )


@contextlib.contextmanager
def _ignoring_stale_edits() -> Iterator[None]:
    """An unchanged or deleted card needs no edit: that is no reason to retry or give up."""
    try:
        yield
    except PermanentHotlineError as error:
        if not any(reason in str(error) for reason in _IGNORED_EDIT_ERRORS):
            raise
        log.info("card edit skipped: %s", error)


def _find(cards: list[PostedCard], kind: str, key: str) -> PostedCard | None:
    return next((card for card in cards if card.kind == kind and card.key == key), None)


def _reply(card: PostedCard | None, chat_id: int) -> ReplyParameters | None:
    if card is None or card.chat_id != chat_id:
        return None
    # The card may have been deleted by an admin: the message still goes out.
    return ReplyParameters(message_id=card.message_id, allow_sending_without_reply=True)


async def _read(photo: PhotoFile) -> BufferedInputFile | None:
    """A photo file that vanished is left out: the card is posted already and must stay valid."""
    try:
        data = await asyncio.to_thread(photo.path.read_bytes)
    except OSError as error:
        log.warning("photo %s left out of the operators' card: %s", photo.filename, error)
        return None
    return BufferedInputFile(data, filename=photo.filename)
