"""Every table of the product, designed up front so later features do not churn the schema."""

from storage.models.audit import AuditLog, ConsoleUser
from storage.models.catalogue import CatalogueMatterVersion
from storage.models.console import ConsoleSession, DepartmentVersion
from storage.models.deputies import Deputy, DeputyLevel
from storage.models.directory import Department, District
from storage.models.fsm import FsmRecord
from storage.models.reports import (
    AppealType,
    LabelledExample,
    Report,
    ReportPhoto,
    ReportStatus,
    RoutingDecision,
    RoutingMethod,
    Urgency,
)
from storage.models.supervision import (
    TRIGGER_LABELS,
    SupervisionCase,
    SupervisionNote,
    SupervisionNoteKind,
    SupervisionState,
    SupervisionTrigger,
)
from storage.models.tickets import (
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Rating,
    RatingScore,
    Ticket,
    TicketEvent,
)

__all__ = [
    "TRIGGER_LABELS",
    "AppealType",
    "AuditLog",
    "CatalogueMatterVersion",
    "ConsoleSession",
    "ConsoleUser",
    "Department",
    "DepartmentVersion",
    "Deputy",
    "DeputyLevel",
    "District",
    "FsmRecord",
    "LabelledExample",
    "OutboxKind",
    "OutboxMessage",
    "OutboxStatus",
    "Rating",
    "RatingScore",
    "Report",
    "ReportPhoto",
    "ReportStatus",
    "RoutingDecision",
    "RoutingMethod",
    "SupervisionCase",
    "SupervisionNote",
    "SupervisionNoteKind",
    "SupervisionState",
    "SupervisionTrigger",
    "Ticket",
    "TicketEvent",
    "Urgency",
]
