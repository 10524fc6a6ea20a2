"""The port every hotline adapter implements, and the transport-free data it exchanges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from bot.services.tickets.capabilities import HotlineCapabilities


class HotlineError(Exception):
    """A hotline call failed; the subclass says whether trying again can help."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status, where the hotline answered with one


class TemporaryHotlineError(HotlineError):
    """Timeouts, 5xx, 408/429, connection refused: retry later with back-off."""


class PermanentHotlineError(HotlineError):
    """The hotline refused the request as such (4xx): retrying cannot help, dead-letter it."""


@dataclass(frozen=True)
class Reporter:
    name: str
    phone: str
    level: str | None = None
    station: str | None = None


@dataclass(frozen=True)
class PhotoFile:
    """A stored, EXIF-stripped JPEG; the adapter reads it only when it sends."""

    path: Path
    filename: str
    content_type: str = "image/jpeg"


@dataclass(frozen=True)
class RoutingSuggestion:
    """How the router chose the department: with `unsure`, the hotline's dispatchers are to
    confirm it or 改派 (ROUTING_UNSURE=hotline; shown there as 建议承办单位（待确认）)."""

    department_code: str
    confidence: float
    unsure: bool
    candidates: tuple[tuple[str, float], ...] = ()  # (department code, confidence), best first
    reasons: tuple[str, ...] = ()  # the words that decided it, as the deputy saw them


@dataclass(frozen=True)
class TicketRequest:
    idempotency_key: str  # the same on every attempt: the hotline makes one ticket per key
    report_number: str
    department_code: str
    summary: str
    text: str
    appeal_type: str
    urgency: str
    reporter: Reporter
    district: str | None = None
    town: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photos: tuple[PhotoFile, ...] = ()
    submitted_at: datetime | None = None
    routing: RoutingSuggestion | None = None


@dataclass(frozen=True)
class TicketReceipt:
    external_id: str
    status: str


class HotlineGateway(Protocol):
    """What the outbox worker and services need from a 12345 intake, whatever the transport."""

    @property
    def adapter(self) -> str:
        """Short name stored on Ticket.adapter ('http', 'open311', 'telegram')."""
        ...

    @property
    def capabilities(self) -> HotlineCapabilities:
        """What this hotline can be asked to do (the bot promises nothing else)."""
        ...

    async def create_ticket(self, request: TicketRequest) -> TicketReceipt: ...

    async def urge(self, external_id: str, note: str, idempotency_key: str) -> None: ...

    async def reopen(
        self, external_id: str, reason: str, idempotency_key: str
    ) -> str | TicketReceipt:
        """Ask for the ticket to be handled again; returns the ticket's new status, or the
        receipt of a new ticket that replaces it (ReopenMode.NEW_REQUEST)."""
        ...

    async def reroute(
        self, external_id: str, department_code: str, note: str, idempotency_key: str
    ) -> None:
        """An admin's 改派: the ticket goes to another department's queue."""
        ...

    async def withdraw(self, external_id: str, reason: str, idempotency_key: str) -> None:
        """The deputy withdrew the report before the hotline accepted it."""
        ...

    async def supervise(
        self, external_id: str, note: str, deadline: datetime, idempotency_key: str
    ) -> None:
        """人大督办: a formal supervision notice; the ticket is to be settled by `deadline`."""
        ...


@runtime_checkable
class BatchTicketCreator(Protocol):
    """A gateway that can file several tickets in one call (the outbox sends a round's
    creates that way). Each request keeps its own idempotency key and its own outcome."""

    async def create_tickets(
        self, requests: Sequence[TicketRequest]
    ) -> list[TicketReceipt | HotlineError]:
        """One result per request, in order: its receipt, or why it failed."""
        ...
