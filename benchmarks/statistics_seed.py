"""Seed a database with a realistic year of reports for the statistics pages: districts,
departments, deputies, reports, tickets, ticket events, ratings and routing decisions.

Bulk Core inserts (no ORM objects), deterministic for a given seed. The benchmark seeds 100,000
tickets; tests seed a few hundred and keep the generated rows (`keep=True`) to compute the
expected figures on their own, by hand, in Python."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import (
    Department,
    Deputy,
    District,
    Rating,
    Report,
    RoutingDecision,
    Ticket,
    TicketEvent,
)

Row = dict[str, Any]
NOW = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 2026-12-01 00:00 in China time
DISTRICTS = [
    "双清区", "大祥区", "北塔区", "邵东市", "武冈市", "新邵县",
    "邵阳县", "隆回县", "洞口县", "绥宁县", "新宁县", "城步苗族自治县",
]  # fmt: skip
DEPARTMENTS = [
    "市公安局", "市住房和城乡建设局", "市城市管理和综合执法局", "市生态环境局", "市交通运输局",
    "市教育局", "市卫生健康委员会", "市人力资源和社会保障局", "市市场监督管理局",
    "市自然资源和规划局", "市水利局", "市农业农村局", "市民政局", "市医疗保障局", "市应急管理局",
    "市商务局", "市文化旅游广电体育局", "市林业局", "市退役军人事务局", "市住房公积金管理中心",
    "市发展和改革委员会", "市财政局", "市司法局", "市工业和信息化局", "市税务局",
    "市数据局", "市信访局", "市残疾人联合会", "市妇女联合会", "市供销合作社", "市气象局",
    "市邮政管理局", "市消防救援支队", "国网邵阳供电公司", "邵阳市自来水公司", "邵阳燃气公司",
    "市公共交通集团",
]  # fmt: skip
LEVELS = ["全国", "省", "市", "县", "乡"]
LEVEL_WEIGHTS = [1, 3, 10, 30, 56]
SCORES = ["满意", "基本满意", "不满意"]
# (final status, weight): where a ticket's life stopped by NOW.
OUTCOMES = [
    ("已提交", 4), ("已受理", 4), ("办理中", 10), ("已答复", 22), ("已办结", 52),
    ("已重办", 3), ("已撤回", 2), ("退回", 3),
]  # fmt: skip
CHUNK = 5000


@dataclass(frozen=True)
class SeedPlan:
    tickets: int
    deputies: int = 2000
    months: int = 12
    departments: int = len(DEPARTMENTS)
    districts: int = len(DISTRICTS)
    now: datetime = NOW
    seed: int = 2026


@dataclass
class Seeded:
    """The rows written, by table name (kept only with keep=True, except the directory)."""

    plan: SeedPlan
    rows: dict[str, list[Row]] = field(default_factory=dict)

    def add(self, table: str, rows: list[Row]) -> None:
        self.rows.setdefault(table, []).extend(rows)


async def seed_statistics(engine: AsyncEngine, plan: SeedPlan, *, keep: bool = False) -> Seeded:
    """Insert the plan's rows into an already migrated, empty database."""
    rng = random.Random(plan.seed)
    seeded = Seeded(plan)
    directory = {
        "districts": [
            {"id": i + 1, "code": f"D{i + 1:02d}", "name": n, "towns": []}
            for i, n in enumerate(DISTRICTS[: plan.districts])
        ],
        "departments": [
            {"id": i + 1, "code": f"B{i + 1:02d}", "name": n, "aliases": [], "keywords": []}
            for i, n in enumerate(DEPARTMENTS[: plan.departments])
        ],
        "deputies": [_deputy(i + 1, plan, rng) for i in range(plan.deputies)],
    }
    async with engine.begin() as connection:
        for table, model in (("districts", District), ("departments", Department)):
            await connection.execute(insert(model), directory[table])
            seeded.add(table, directory[table])
        await connection.execute(insert(Deputy), directory["deputies"])
        seeded.add("deputies", directory["deputies"])
        for first in range(1, plan.tickets + 1, CHUNK):
            batch = _Batch()
            for case_id in range(first, min(first + CHUNK, plan.tickets + 1)):
                _case(case_id, plan, rng, batch)
            for table, rows_model in _TABLES:
                if batch.rows[table]:
                    await connection.execute(insert(rows_model), batch.rows[table])
                    if keep:
                        seeded.add(table, batch.rows[table])
        if connection.dialect.name == "postgresql":
            await _advance_sequences(connection)
    return seeded


_TABLES = [
    ("reports", Report),
    ("tickets", Ticket),
    ("ticket_events", TicketEvent),
    ("ratings", Rating),
    ("routing_decisions", RoutingDecision),
]


class _Batch:
    def __init__(self) -> None:
        self.rows: dict[str, list[Row]] = {table: [] for table, _ in _TABLES}


async def _advance_sequences(connection: Any) -> None:
    # Explicit ids leave PostgreSQL's sequences at 1: move them past the seeded rows.
    for table in ("districts", "departments", "deputies", *(t for t, _ in _TABLES)):
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        )


def _deputy(deputy_id: int, plan: SeedPlan, rng: random.Random) -> Row:
    district = rng.randint(1, plan.districts)
    name = DISTRICTS[district - 1]
    return {
        "id": deputy_id,
        "name": f"代表{deputy_id:05d}",
        "phone": f"139{deputy_id:08d}",
        "level": rng.choices(LEVELS, LEVEL_WEIGHTS)[0],
        "constituency": f"{name}第{rng.randint(1, 6)}选区",
        "station": f"{name}第{rng.randint(1, 4)}代表联络站",
        "district_id": district,
        "active": True,
        "created_at": plan.now - timedelta(days=400),
        "updated_at": plan.now - timedelta(days=400),
    }


def _case(case_id: int, plan: SeedPlan, rng: random.Random, batch: _Batch) -> None:
    """One report and everything that happened to it by `plan.now`."""
    span = timedelta(days=plan.months * 30.4)
    # Spread over the span in id order, as a live system inserts them (a month's rows together).
    created = plan.now - span * (1 - (case_id - 1 + rng.random()) / plan.tickets)
    department = min(int(rng.paretovariate(1.2)), plan.departments)  # a few busy departments
    status = rng.choices([s for s, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
    ticket = _ticket(case_id, created, department, status, plan.now, rng)
    report = _report(case_id, created, department, ticket["status"], plan, rng)
    report["updated_at"] = ticket["updated_at"]  # its status follows the ticket's
    batch.rows["reports"].append(report)
    batch.rows["tickets"].append(ticket)
    batch.rows["ticket_events"].extend(_events(ticket))
    batch.rows["ratings"].extend(_ratings(ticket, report["deputy_id"], rng))
    batch.rows["routing_decisions"].append(_decision(case_id, created, department, plan, rng))


def _report(
    case_id: int, created: datetime, department: int, status: str, plan: SeedPlan, rng: Any
) -> Row:
    return {
        "id": case_id,
        "number": f"SY{created:%Y%m%d}-{case_id:06d}",
        "deputy_id": rng.randint(1, plan.deputies),
        "text": f"第{case_id}件反映：小区路灯损坏，夜间出行不便，请尽快维修。",
        "summary": f"小区路灯损坏（{case_id}）",
        "appeal_type": "求助",
        "urgency": "一般",
        "district_id": rng.choice([None, *range(1, plan.districts + 1)]),
        "department_id": department,
        "status": status,
        "created_at": created,
        "updated_at": created,
    }


def _ticket(
    case_id: int, created: datetime, department: int, status: str, now: datetime, rng: Any
) -> Row:
    started = created + timedelta(minutes=rng.randint(1, 30))
    accept_due = started + timedelta(hours=2) if rng.random() > 0.03 else None
    accepted = None
    if status != "已提交" and rng.random() < 0.97:
        late = rng.random() < 0.18
        accepted = started + timedelta(hours=rng.uniform(2.1, 30) if late else rng.uniform(0, 2))
    answered = closed = None
    reopen = 0
    if status in ("已答复", "已办结", "已重办"):
        answered = started + timedelta(hours=rng.uniform(3, 400))
        reopen = 1 if status == "已重办" or rng.random() < 0.05 else 0
    if status == "已办结":
        closed = answered + timedelta(hours=rng.uniform(1, 72)) if answered else None
    if status == "已重办":
        answered = None  # handled again: no answer for the new round yet
    urged = started + timedelta(days=rng.uniform(1, 5)) if rng.random() < 0.2 else None
    values = [accepted, answered, closed, urged]
    accepted, answered, closed, urged = (v if v and v <= now else None for v in values)
    if status in ("已答复", "已办结") and answered is None:
        status = "办理中"  # the answer would come after `now`: not there yet
    elif status == "已办结" and closed is None:
        status = "已答复"
    return {
        "id": case_id,
        "report_id": case_id,
        "adapter": "http",
        "external_id": f"T{case_id:07d}",
        "status": status,
        "department_id": department,
        "accept_due_at": accept_due,
        "due_at": started + timedelta(days=rng.choice([3, 13])),
        "extension_pending": False,
        "escalated": rng.random() < 0.06,
        "reopen_count": reopen,
        "last_urged_at": urged,
        "created_at": started,
        "accepted_at": accepted,
        "answered_at": answered,
        "closed_at": closed,
        "updated_at": max(v for v in (started, accepted, answered, closed, urged) if v),
    }


def _events(ticket: Row) -> list[Row]:
    moments = [
        ("已提交", ticket["created_at"]),
        ("已受理", ticket["accepted_at"]),
        ("已答复", ticket["answered_at"]),
        ("已办结", ticket["closed_at"]),
    ]
    return [
        {
            "ticket_id": ticket["id"],
            "external_event_id": f"{ticket['external_id']}-{index}",
            "status": status,
            "note": "",
            "actor": "12345",
            "occurred_at": moment,
            "received_at": moment,
        }
        for index, (status, moment) in enumerate(moments)
        if moment is not None
    ]


def _ratings(ticket: Row, deputy_id: int, rng: Any) -> list[Row]:
    if ticket["answered_at"] is None and ticket["reopen_count"] == 0:
        return []
    rows: list[Row] = []
    if ticket["reopen_count"]:  # the first answer was rated 不满意, which reopened it
        rows.append(_rating(ticket, 1, "不满意", deputy_id))
    if ticket["answered_at"] is not None and rng.random() < 0.7:
        score = rng.choices(SCORES, [60, 28, 12])[0]
        rows.append(_rating(ticket, ticket["reopen_count"] + 1, score, deputy_id))
    return rows


def _rating(ticket: Row, round_: int, score: str, deputy_id: int) -> Row:
    return {
        "report_id": ticket["report_id"],
        "deputy_id": deputy_id,
        "score": score,
        "comment": "",
        "round": round_,
        "created_at": ticket["answered_at"] or ticket["created_at"],
    }


def _decision(case_id: int, created: datetime, department: int, plan: SeedPlan, rng: Any) -> Row:
    review = rng.choices(["pending", "confirmed", "corrected"], [40, 45, 15])[0]
    suggested = department
    if review == "corrected":  # the classifier had suggested another department
        suggested = (department - 1 + rng.randint(1, plan.departments - 1)) % plan.departments + 1
    return {
        "report_id": case_id,
        "classifier_version": "bench",
        "tokens": [],
        "candidates": [],
        "suggested_department_id": suggested,
        "department_id": department,
        "confidence": round(rng.uniform(0.3, 0.99), 2),
        "method": "auto",
        "decided_by": "classifier",
        "review_status": review,
        "reviewed_by": None if review == "pending" else "admin",
        "reviewed_at": None if review == "pending" else created + timedelta(hours=5),
        "created_at": created,
    }
