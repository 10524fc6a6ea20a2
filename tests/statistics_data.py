"""Statistics test data and an oracle: a hand-built set of tickets whose figures are known, and
the 三率 / 履职 / 分派质量 definitions re-applied in plain Python to any rows (hand-built or the
benchmark seed's kept rows), so tests compare the SQL against an independent count.

Rows use the seed's shape (benchmarks/statistics_seed.py): dicts by table name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage.models import (
    Department,
    Deputy,
    District,
    Rating,
    Report,
    RoutingDecision,
    Ticket,
)

Row = dict[str, Any]
Rows = dict[str, list[Row]]
CHINA = timezone(timedelta(hours=8))
NOW = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)  # the hand-built set is read at this moment
CONTENT = ("满意", "基本满意")
NOT_OVERDUE = ("已答复", "已办结", "已撤回", "退回")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Case:
    """One report and its ticket, with only what matters to the statistics spelled out."""

    department: int
    district: int | None
    created: str  # UTC
    status: str
    deputy: int = 1
    accept_due: str | None = None
    accepted: str | None = None
    answered: str | None = None
    closed: str | None = None
    due: str | None = None
    reopen: int = 0
    escalated: bool = False
    urged: str | None = None
    system_urged: bool = False
    extension_pending: bool = False
    ratings: list[tuple[int, str]] = field(default_factory=list)
    report_status: str | None = None  # when the report's differs from the ticket's
    ticket: bool = True


# Departments 1 (市住建局), 2 (市城管局), 3 (市交通局, no tickets); districts 1 (大祥区),
# 2 (双清区); deputies 1 (市), 2 (县), 3 (乡, files nothing), 4 (inactive, files nothing).
CASES = [
    # January: on time, answered, closed, never rated.
    Case(1, 1, "2026-01-20 02:00", "已办结", accept_due="2026-01-20 04:00",
         accepted="2026-01-20 03:00", answered="2026-01-22 02:00", closed="2026-01-23 02:00",
         due="2026-02-01 02:00"),
    # March: on time, answered, closed, rated 满意.
    Case(1, 1, "2026-03-10 01:00", "已办结", accept_due="2026-03-10 03:00",
         accepted="2026-03-10 02:00", answered="2026-03-11 01:00", closed="2026-03-12 01:00",
         due="2026-03-20 01:00", ratings=[(1, "满意")]),
    # 1 April 01:00 in China time (still March in UTC): accepted late, closed, rated 不满意.
    Case(1, 1, "2026-03-31 17:00", "已办结", accept_due="2026-03-31 19:00",
         accepted="2026-04-01 05:00", answered="2026-04-02 17:00", closed="2026-04-03 17:00",
         due="2026-04-10 17:00", ratings=[(1, "不满意")]),
    # April: never accepted, acceptance and handling deadlines passed: overdue, urged by deputy.
    Case(1, 2, "2026-04-05 01:00", "已提交", accept_due="2026-04-05 03:00",
         due="2026-04-15 01:00", urged="2026-04-16 01:00"),
    # June, no district: acceptance not due yet when read (due in the future).
    Case(1, None, "2026-06-15 02:00", "已提交", accept_due="2026-06-15 06:00",
         due="2026-06-25 02:00", deputy=2),
    # May: on time, answered (not closed), rated 基本满意.
    Case(2, 1, "2026-05-01 01:00", "已答复", accept_due="2026-05-01 03:00",
         accepted="2026-05-01 01:30", answered="2026-05-03 01:00", due="2026-05-11 01:00",
         ratings=[(1, "基本满意")]),
    # May: withdrawn — counted nowhere.
    Case(2, 2, "2026-05-02 01:00", "已撤回", accept_due="2026-05-02 03:00",
         due="2026-05-12 01:00"),
    # May: 不满意, 重办, then closed and rated 满意: resolved, latest rating counts.
    Case(2, 2, "2026-05-03 01:00", "已办结", accept_due="2026-05-03 03:00",
         accepted="2026-05-03 02:00", answered="2026-05-20 01:00", closed="2026-05-21 01:00",
         due="2026-05-30 01:00", reopen=1, ratings=[(1, "不满意"), (2, "满意")]),
    # May: in progress past its deadline, 督办.
    Case(2, 1, "2026-05-04 01:00", "办理中", accept_due="2026-05-04 03:00",
         accepted="2026-05-04 02:00", due="2026-05-14 01:00", escalated=True, deputy=2),
    # May: past its deadline but a 延期 request stops the clock: not overdue.
    Case(2, 1, "2026-05-05 01:00", "办理中", accept_due="2026-05-05 03:00",
         accepted="2026-05-05 04:00", due="2026-05-15 01:00", extension_pending=True, deputy=2),
    # May: returned to triage: counted as a ticket, never overdue.
    Case(2, None, "2026-05-06 01:00", "退回", due="2026-05-16 01:00", deputy=2),
    # June: no acceptance deadline; answered, rated 满意, then reopened (复发) and now overdue,
    # urged by the deadline watcher.
    Case(1, 1, "2026-06-01 01:00", "办理中", accepted="2026-06-01 02:00",
         answered="2026-06-03 01:00", due="2026-06-10 01:00", reopen=1, system_urged=True,
         ratings=[(1, "满意")], report_status="已重办", deputy=2),
    # A draft without a ticket: filed by nobody yet.
    Case(1, 1, "2026-06-02 01:00", "待提交", ticket=False),
]  # fmt: skip


def hand_built_rows() -> Rows:
    """The directory and CASES as rows, ids from 1."""
    rows: Rows = {
        "districts": [
            {"id": 1, "code": "DX", "name": "大祥区", "towns": []},
            {"id": 2, "code": "SQ", "name": "双清区", "towns": []},
        ],
        "departments": [
            {"id": 1, "code": "ZJ", "name": "市住建局", "aliases": [], "keywords": []},
            {"id": 2, "code": "CG", "name": "市城管局", "aliases": [], "keywords": []},
            {"id": 3, "code": "JT", "name": "市交通局", "aliases": [], "keywords": []},
        ],
        "deputies": [
            _deputy(1, "王代表", "市", "大祥区第一选区", "城西联络站", 1),
            _deputy(2, "李代表", "县", "双清区第二选区", "城西联络站", 2),
            _deputy(3, "赵代表", "乡", "双清区第二选区", "东风联络站", 2),
            _deputy(4, "钱代表", "乡", "大祥区第一选区", "东风联络站", 1, active=False),
        ],
        "reports": [],
        "tickets": [],
        "ratings": [],
    }
    for number, case in enumerate(CASES, start=1):
        created = utc(case.created)
        rows["reports"].append(
            {
                "id": number,
                "number": f"SY-T{number:04d}",
                "deputy_id": case.deputy,
                "text": f"测试反映 {number}",
                "summary": f"测试反映 {number}",
                "district_id": case.district,
                "department_id": case.department,
                "status": case.report_status or case.status,
                "created_at": created,
                "updated_at": created,
            }
        )
        if case.ticket:
            rows["tickets"].append(_ticket(number, case, created))
        for round_, score in case.ratings:
            rows["ratings"].append(
                {
                    "report_id": number,
                    "deputy_id": case.deputy,
                    "score": score,
                    "round": round_,
                    "created_at": created,
                }
            )
    return rows


def _deputy(
    deputy_id: int, name: str, level: str, constituency: str, station: str, district: int,
    *, active: bool = True,
) -> Row:  # fmt: skip
    return {
        "id": deputy_id,
        "name": name,
        "phone": f"1380000{deputy_id:04d}",
        "level": level,
        "constituency": constituency,
        "station": station,
        "district_id": district,
        "active": active,
    }


def _ticket(number: int, case: Case, created: datetime) -> Row:
    def moment(text: str | None) -> datetime | None:
        return utc(text) if text else None

    due = moment(case.due)
    return {
        "id": number,
        "report_id": number,
        "adapter": "http",
        "external_id": f"T{number:05d}",
        "status": case.status,
        "department_id": case.department,
        "accept_due_at": moment(case.accept_due),
        "due_at": due,
        "extension_pending": case.extension_pending,
        "escalated": case.escalated,
        "reopen_count": case.reopen,
        "last_urged_at": moment(case.urged),
        "due_overdue_for": due if case.system_urged else None,
        "created_at": created,
        "accepted_at": moment(case.accepted),
        "answered_at": moment(case.answered),
        "closed_at": moment(case.closed),
        "updated_at": created,
    }


async def insert_rows(engine: AsyncEngine, rows: Rows) -> None:
    async with engine.begin() as connection:
        await write_rows(connection, rows)


async def write_rows(connection: AsyncConnection | AsyncSession, rows: Rows) -> None:
    """Bulk inserts, parents first; the caller commits."""
    models = [
        ("districts", District),
        ("departments", Department),
        ("deputies", Deputy),
        ("reports", Report),
        ("tickets", Ticket),
        ("ratings", Rating),
        ("routing_decisions", RoutingDecision),
    ]
    for table, model in models:
        if rows.get(table):
            await connection.execute(insert(model), rows[table])


# ---- the oracle ---------------------------------------------------------------------------


@dataclass
class Expected:
    """Counts for one group, straight from the written definitions."""

    tickets: int = 0
    response: list[int] = field(default_factory=lambda: [0, 0])  # [hits, total]
    resolution: list[int] = field(default_factory=lambda: [0, 0])
    satisfaction: list[int] = field(default_factory=lambda: [0, 0])
    overdue: int = 0
    urged: int = 0
    escalated: int = 0
    answered: int = 0
    handling_seconds: float = 0.0

    @staticmethod
    def percent(pair: list[int]) -> str:
        return f"{pair[0] / pair[1] * 100:.1f}%" if pair[1] else "—"


def latest_scores(rows: Rows) -> dict[int, str]:
    rounds: dict[int, tuple[int, str]] = {}
    for rating in rows.get("ratings", []):
        known = rounds.get(rating["report_id"])
        if known is None or rating["round"] > known[0]:
            rounds[rating["report_id"]] = (rating["round"], rating["score"])
    return {report: score for report, (_round, score) in rounds.items()}


def china_day(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def expected_rates(
    rows: Rows,
    now: datetime,
    group: Callable[[Row, Row], object] = lambda _ticket, _report: "total",
    *,
    start: date | None = None,
    end: date | None = None,
    department: int | None = None,
    district: int | None = None,
) -> dict[object, Expected]:
    """`group(ticket, report)` → the key of the row a ticket counts in."""
    reports = {report["id"]: report for report in rows["reports"]}
    latest = latest_scores(rows)
    found: dict[object, Expected] = {}
    for ticket in rows["tickets"]:
        report = reports[ticket["report_id"]]
        day = china_day(ticket["created_at"])
        if ticket["status"] == "已撤回" or (start and day < start) or (end and day > end):
            continue
        if department is not None and ticket["department_id"] != department:
            continue
        if district is not None and report["district_id"] != district:
            continue
        counts = found.setdefault(group(ticket, report), Expected())
        _count(counts, ticket, latest.get(ticket["report_id"]), now)
    return found


def _count(counts: Expected, ticket: Row, score: str | None, now: datetime) -> None:
    accept_due, accepted = ticket["accept_due_at"], ticket["accepted_at"]
    counts.tickets += 1
    if accept_due is not None and (accepted is not None or accept_due <= now):
        counts.response[1] += 1
        counts.response[0] += accepted is not None and accepted <= accept_due
    if ticket["answered_at"] is not None or ticket["closed_at"] is not None:
        counts.resolution[1] += 1
        counts.resolution[0] += ticket["status"] == "已办结" and score != "不满意"
    if score is not None:
        counts.satisfaction[1] += 1
        counts.satisfaction[0] += score in CONTENT
    if ticket["answered_at"] is not None:
        counts.answered += 1
        counts.handling_seconds += (ticket["answered_at"] - ticket["created_at"]).total_seconds()
    due = ticket["due_at"]
    overdue = (
        due is not None
        and due < now
        and ticket["status"] not in NOT_OVERDUE
        and not ticket.get("extension_pending")
    )
    if overdue:
        counts.overdue += 1
        urged = ticket.get("last_urged_at") or ticket.get("due_overdue_for")
        counts.urged += bool(urged or ticket.get("accept_overdue_for"))
        counts.escalated += bool(ticket["escalated"])


def expected_deputies(rows: Rows) -> dict[int, tuple[int, int, int, int]]:
    """Per deputy with a filed report: (filed, answered, rated, content), whole period."""
    latest = latest_scores(rows)
    found: dict[int, list[int]] = {}
    for report in rows["reports"]:
        if report["status"] in ("待提交", "已撤回"):
            continue
        counts = found.setdefault(report["deputy_id"], [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += report["status"] in ("已答复", "已办结", "已重办")
        score = latest.get(report["id"])
        counts[2] += score is not None
        counts[3] += score in CONTENT
    return {deputy: (c[0], c[1], c[2], c[3]) for deputy, c in found.items()}
