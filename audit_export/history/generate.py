"""A synthetic, valid, deterministic history bundle of any size (tests, demos, the import benchmark).

`write_bundle` writes every file of the contract (../shared/formats/history-import.md) with rows
streamed straight to `csv.writer`: one pass over the tickets writes tickets, work orders, calls,
follow-ups, complaints and guarantee requests together, so memory stays flat at a million tickets.
The same arguments give byte-identical files (one seeded `random.Random`, fixed +08:00 offset).

The data is shaped for the KPIs to mean something: some responses, visits, follow-ups, complaint
acknowledgements and guarantee decisions are late; some tickets are cancelled or still open; some
repairs are repeated on the same unit within 30 days; outlets have managers and technicians, the
head office has management staff, some with a service-manager certificate; courses, sessions,
attendance and (some expired, some missing) certificates; a fund with a yearly budget, monthly
expenses (one reversed), reserve deposits and income.

Usage: `python -m audit_export.history.generate OUT --months 6 --tickets-per-month 300`.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from service_ops.clock import add_months

OFFSET = timezone(timedelta(hours=8))
HEADERS: dict[str, list[str]] = {
    "regions.csv": ["code", "name", "parent_code", "is_sales_region"],
    "product_models.csv": ["code", "category", "name", "warranty_months"],
    "customers.csv": ["code", "name", "phone", "region_code"],
    "units.csv": ["serial_no", "model_code", "customer_code", "purchased_on", "installed_on"],
    "outlets.csv": [
        "code",
        "name",
        "kind",
        "region_codes",
        "categories",
        "daily_capacity",
        "active",
        "agreement_expires",
    ],
    "staff.csv": ["code", "name", "role", "outlet_code", "hired_on", "left_on", "is_management"],
    "courses.csv": [
        "code",
        "title",
        "hours",
        "required_for_roles",
        "validity_months",
        "is_service_manager_cert",
        "categories",
    ],
    "training_sessions.csv": ["code", "course_code", "starts_at", "hours"],
    "attendance.csv": ["session_code", "staff_code", "attended", "exam_score", "passed"],
    "certificates.csv": ["number", "staff_code", "course_code", "issued_on", "expires_on"],
    "tickets.csv": [
        "number",
        "kind",
        "channel",
        "customer_code",
        "serial_no",
        "region_code",
        "created_at",
        "response_due",
        "first_response_at",
        "resolve_due",
        "resolved_at",
        "outlet_code",
        "status",
    ],
    "work_orders.csv": [
        "number",
        "ticket_number",
        "kind",
        "outlet_code",
        "technician_code",
        "visit_no",
        "arrival_due",
        "arrived_at",
        "completed_at",
        "result",
    ],
    "calls.csv": [
        "id",
        "direction",
        "received_at",
        "answered_at",
        "ended_at",
        "caller_phone",
        "agent_code",
        "ticket_number",
    ],
    "followups.csv": ["ticket_number", "due_at", "done_at", "reached", "score", "comment"],
    "complaints.csv": [
        "number",
        "ticket_number",
        "customer_code",
        "received_at",
        "acknowledged_at",
        "resolved_at",
        "severity",
        "category",
    ],
    "guarantee_requests.csv": [
        "number",
        "ticket_number",
        "kind",
        "requested_at",
        "due_at",
        "decided_at",
        "decision",
    ],
    "corrective_actions.csv": ["number", "source", "opened_on", "due_on", "closed_on", "description"],
    "fund_entries.csv": ["id", "posted_on", "kind", "amount", "account", "reference", "memo"],
}
COMPLAINT_CATEGORIES = ["attitude", "timeliness", "workmanship", "product", "fees", "other"]
CATEGORIES = ["air_conditioner", "washing_machine", "refrigerator", "water_heater", "television"]
TECHNICIANS_PER_OUTLET = 3
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class _World:
    """The reference data the service records point at (codes only; generated, never stored)."""

    prefix: str
    start: datetime
    end: datetime
    counties: list[str]
    outlets: int
    customers: int
    agents: int
    models: int

    def customer(self, index: int) -> str:
        return f"{self.prefix}C{index:08d}"

    def serial(self, index: int) -> str:
        return f"{self.prefix}SN{index:08d}"

    def phone(self, index: int) -> str:
        return f"13{index % 1_000_000_000:09d}"

    def county_of_customer(self, index: int) -> int:
        return index % len(self.counties)

    def outlet(self, index: int) -> str:
        return f"{self.prefix}O{index:05d}"

    def outlet_of_county(self, county: int) -> int:
        return county % self.outlets

    def technician(self, outlet: int, number: int) -> str:
        return f"{self.prefix.lower()}_t{outlet:05d}_{number}"

    def agent(self, index: int) -> str:
        return f"{self.prefix.lower()}_a{index:05d}"


def _ts(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def write_bundle(
    out_dir: Path,
    *,
    start: date,
    months: int,
    tickets_per_month: int,
    seed: int = 1,
    prefix: str = "G",
) -> dict[str, int]:
    """Write a complete bundle into `out_dir` (created); rows written per file name.

    Records span `months` calendar months from the first of `start`'s month; `prefix` (letters
    and digits, at most 3) starts every natural key, so two bundles with different prefixes
    never collide.
    """
    if months < 1 or tickets_per_month < 1:
        raise ValueError("months and tickets_per_month must be at least 1")
    if not (prefix.isalnum() and prefix.isascii() and 1 <= len(prefix) <= 3):
        raise ValueError("prefix: 1 to 3 ASCII letters or digits")
    out_dir.mkdir(parents=True, exist_ok=True)
    first = date(start.year, start.month, 1)
    last = add_months(first, months)
    tickets = months * tickets_per_month
    outlets = max(3, tickets_per_month // 2000)
    world = _World(
        prefix=prefix.upper(),
        start=datetime(first.year, first.month, first.day, tzinfo=OFFSET),
        end=datetime(last.year, last.month, last.day, tzinfo=OFFSET),
        counties=[f"{prefix.upper()}R2{index:04d}" for index in range(max(10, outlets))],
        outlets=outlets,
        customers=max(10, tickets // 2),
        agents=max(3, tickets_per_month // 3000),
        models=10,
    )
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    with ExitStack() as stack:
        writers: dict[str, Any] = {}
        for name, header in HEADERS.items():
            handle = stack.enter_context((out_dir / name).open("w", encoding="utf-8", newline=""))
            writers[name] = csv.writer(handle, lineterminator="\n")
            writers[name].writerow(header)
            counts[name] = 0

        def emit(name: str, rows: Iterator[list[Any]]) -> None:
            for row in rows:
                writers[name].writerow(row)
                counts[name] += 1

        emit("regions.csv", _regions(world))
        emit("product_models.csv", _models(world))
        emit("customers.csv", _customers(world))
        emit("units.csv", _units(world, rng))
        emit("outlets.csv", _outlets(world))
        staff = list(_staff(world))
        emit("staff.csv", iter(staff))
        emit("courses.csv", _courses(world))
        sessions = list(_sessions(world, months))
        emit("training_sessions.csv", iter(sessions))
        emit("attendance.csv", _attendance(world, rng, sessions, staff))
        emit("certificates.csv", _certificates(world, rng, staff))
        _service_records(world, rng, tickets_per_month, months, emit)
        emit("corrective_actions.csv", _corrective_actions(world, rng, months))
        emit("fund_entries.csv", _fund_entries(world, rng, months, tickets))
    return counts


# reference data ---------------------------------------------------------------------------------


def _regions(world: _World) -> Iterator[list[Any]]:
    province = f"{world.prefix}R0"
    yield [province, "浙江省", "", "true"]
    cities = 5
    for city in range(cities):
        yield [f"{world.prefix}R1{city:02d}", f"城市{city + 1}", province, "true"]
    for index, code in enumerate(world.counties):
        yield [code, f"区县{index + 1}", f"{world.prefix}R1{index % cities:02d}", "false"]


def _models(world: _World) -> Iterator[list[Any]]:
    for index in range(world.models):
        category = CATEGORIES[index % len(CATEGORIES)]
        yield [f"{world.prefix}M{index:03d}", category, f"型号{index + 1}", 12 + 12 * (index % 3)]


def _customers(world: _World) -> Iterator[list[Any]]:
    for index in range(world.customers):
        county = world.counties[world.county_of_customer(index)]
        yield [world.customer(index), f"客户{index}", world.phone(index), county]


def _units(world: _World, rng: random.Random) -> Iterator[list[Any]]:
    first = world.start.date()
    for index in range(world.customers):
        purchased = first - timedelta(days=rng.randrange(1, 900))
        installed = purchased + timedelta(days=rng.randrange(0, 5)) if index % 4 else None
        model = f"{world.prefix}M{index % world.models:03d}"
        yield [world.serial(index), model, world.customer(index), purchased, installed or ""]


def _outlets(world: _World) -> Iterator[list[Any]]:
    expires = (world.end + timedelta(days=365)).date()
    for index in range(world.outlets):
        counties = [code for county, code in enumerate(world.counties) if county % world.outlets == index]
        own = index % 3 == 0
        yield [
            world.outlet(index),
            f"网点{index + 1}",
            "own" if own else "authorised",
            ";".join(counties),
            ";".join(CATEGORIES),
            200,
            "true",
            "" if own else expires,
        ]


def _staff(world: _World) -> Iterator[list[Any]]:
    """Outlet managers and technicians (one technician per outlet has left), agents, head office."""
    hired = (world.start - timedelta(days=400)).date()
    left = (world.start + timedelta(days=20)).date()
    p = world.prefix.lower()
    for outlet in range(world.outlets):
        code = world.outlet(outlet)
        yield [f"{p}_m{outlet:05d}", f"经理{outlet}", "outlet_manager", code, hired, "", "false"]
        for number in range(TECHNICIANS_PER_OUTLET):
            yield [
                world.technician(outlet, number),
                f"师傅{outlet}-{number}",
                "technician",
                code,
                hired,
                "",
                "false",
            ]
        yield [world.technician(outlet, 9), f"离职{outlet}", "technician", code, hired, left, "false"]
    for index in range(world.agents):
        home = world.outlet(index % world.outlets)
        yield [world.agent(index), f"坐席{index}", "agent", home, hired, "", "false"]
    yield [f"{p}_sm1", "服务经理甲", "service_manager", "", hired, "", "true"]
    yield [f"{p}_sm2", "服务经理乙", "service_manager", "", hired, "", "true"]
    yield [f"{p}_hq1", "总部经理", "hq_manager", "", hired, "", "true"]
    yield [f"{p}_tr1", "培训师", "trainer", "", hired, "", "false"]
    yield [f"{p}_fi1", "财务", "finance", "", hired, "", "false"]


def _course_codes(world: _World) -> dict[str, tuple[str, ...]]:
    """Course code → roles it is required for."""
    return {
        f"{world.prefix}K-AC": ("technician",),
        f"{world.prefix}K-SAFE": ("outlet_manager", "technician"),
        f"{world.prefix}K-CS": ("agent",),
        f"{world.prefix}K-SM": (),
    }


def _courses(world: _World) -> Iterator[list[Any]]:
    titles = {"K-AC": "空调安装维修", "K-SAFE": "安全作业", "K-CS": "客户服务规范", "K-SM": "售后服务管理师"}
    for code, roles in _course_codes(world).items():
        short = code[len(world.prefix) :]
        manager = short == "K-SM"
        yield [
            code,
            titles[short],
            "40" if manager else "16",
            ";".join(roles),
            36 if manager else 24,
            "true" if manager else "false",
            "air_conditioner" if short == "K-AC" else "",
        ]


def _sessions(world: _World, months: int) -> Iterator[list[Any]]:
    for month in range(months):
        day = add_months(world.start.date(), month) + timedelta(days=9)
        starts = datetime(day.year, day.month, day.day, 9, tzinfo=OFFSET)
        for index, code in enumerate(_course_codes(world)):
            yield [
                f"{world.prefix}S{month:03d}-{index}",
                code,
                _ts(starts),
                "40" if code.endswith("SM") else "16",
            ]


def _attendance(
    world: _World, rng: random.Random, sessions: list[list[Any]], staff: list[list[Any]]
) -> Iterator[list[Any]]:
    """Each session: the staff its course is required for, a rotating share of them per month."""
    roles = _course_codes(world)
    by_course: dict[str, list[list[Any]]] = {}
    for session in sessions:
        by_course.setdefault(session[1], []).append(session)
    for course, course_sessions in by_course.items():
        wanted = roles[course] or ("service_manager", "hq_manager")
        people = [person for person in staff if person[2] in wanted]
        for turn, session in enumerate(course_sessions):
            for index, person in enumerate(people):
                if index % len(course_sessions) != turn % len(course_sessions) and index % 3:
                    continue
                attended = rng.random() < 0.9
                score = rng.randrange(40, 101) if attended else None
                passed = score is not None and score >= 60
                yield [session[0], person[0], str(attended).lower(), score or "", str(passed).lower()]


def _certificates(world: _World, rng: random.Random, staff: list[list[Any]]) -> Iterator[list[Any]]:
    """Most staff hold their role's certificates; some lack one, some let one expire."""
    roles = _course_codes(world)
    number = 0
    first = world.start.date()
    for person in staff:
        courses = [code for code, wanted in roles.items() if person[2] in wanted]
        if person[6] == "true" and person[0].endswith("1"):
            courses.append(f"{world.prefix}K-SM")
        for course in courses:
            if rng.random() < 0.08:
                continue  # never certified
            number += 1
            issued = first - timedelta(days=rng.randrange(30, 700))
            expires = issued + timedelta(days=730) if rng.random() > 0.05 else first + timedelta(days=15)
            yield [f"{world.prefix}CERT{number:07d}", person[0], course, issued, expires]


# service records --------------------------------------------------------------------------------

_KINDS = ["consult"] * 10 + ["install"] * 25 + ["repair"] * 55 + ["maintenance"] * 10
_CHANNELS = ["hotline"] * 60 + ["web"] * 25 + ["walk_in"] * 10 + ["other"] * 5
_RESULTS = {"install": "installed", "repair": "fixed", "maintenance": "fixed"}


def _service_records(world: _World, rng: random.Random, per_month: int, months: int, emit: Any) -> None:
    """Tickets with their visits, calls, follow-ups, complaints and guarantee requests, month by month."""
    recent_repairs: deque[int] = deque(maxlen=50)
    number = 0
    for month in range(months):
        month_start = add_months(world.start.date(), month)
        base = datetime(month_start.year, month_start.month, 1, tzinfo=OFFSET)
        span = int(
            (datetime.combine(add_months(month_start, 1), datetime.min.time(), OFFSET) - base) / MINUTE
        )
        minutes = sorted(rng.randrange(span) for _ in range(per_month))
        for offset in minutes:
            number += 1
            created = base + offset * MINUTE
            kind = rng.choice(_KINDS)
            customer = rng.randrange(world.customers)
            if kind == "repair" and recent_repairs and rng.random() < 0.05:
                customer = rng.choice(recent_repairs)  # a repeat repair on the same unit
            if kind == "repair":
                recent_repairs.append(customer)
            ticket = _Ticket(world, rng, number, kind, customer, created)
            emit("tickets.csv", iter([ticket.row()]))
            emit("work_orders.csv", ticket.visits())
            emit("calls.csv", ticket.calls())
            emit("followups.csv", ticket.followups())
            emit("complaints.csv", ticket.complaints())
            emit("guarantee_requests.csv", ticket.guarantee_requests())


class _Ticket:
    """One ticket's facts, decided once; its rows in each file come from them."""

    def __init__(
        self, world: _World, rng: random.Random, number: int, kind: str, customer: int, created: datetime
    ) -> None:
        self.world, self.rng, self.kind, self.customer = world, rng, kind, customer
        self.number = f"{world.prefix}T{number:08d}"
        self.created = created
        self.channel = rng.choice(_CHANNELS)
        county = world.county_of_customer(customer)
        self.region = world.counties[county]
        self.outlet = None if kind == "consult" else world.outlet_of_county(county)
        self.first_response = created + rng.randrange(1, 50) * MINUTE  # due after 30
        near_end = world.end - created < timedelta(days=5)
        roll = rng.random()
        self.status = "cancelled" if roll < 0.03 else "open" if near_end and roll < 0.5 else "resolved"
        self.visit_rows: list[list[Any]] = []
        self.resolved: datetime | None = None
        if self.status == "cancelled":
            self.resolved = created + rng.randrange(10, 600) * MINUTE
        elif kind == "consult":
            self.resolved = self.first_response if self.status == "resolved" else None
        else:
            self._plan_visits()

    def _plan_visits(self) -> None:
        rng, world = self.rng, self.world
        assert self.outlet is not None
        technician = world.technician(self.outlet, rng.randrange(TECHNICIANS_PER_OUTLET))
        due = self.created + 24 * HOUR
        visit = 1
        if rng.random() < 0.08:  # rescheduled: the first appointment was cancelled
            self._visit(visit, technician, due, None, self.created + 2 * HOUR, "cancelled")
        arrived = self.created + rng.randrange(120, 1800) * MINUTE  # due after 1440
        if self.status == "open":
            self._visit(visit, technician, due, arrived if arrived < world.end else None, None, "")
            return
        done = arrived + rng.randrange(30, 240) * MINUTE
        if self.kind == "repair" and self.rng.random() < 0.4:
            self._visit(visit, technician, due, arrived, done, "not_fixed")
            visit += 1
            due = done + 24 * HOUR
            arrived = done + rng.randrange(600, 3000) * MINUTE
            done = arrived + rng.randrange(30, 240) * MINUTE
        self._visit(visit, technician, due, arrived, done, _RESULTS[self.kind])
        self.resolved = done

    def _visit(
        self,
        visit: int,
        technician: str,
        due: datetime,
        arrived: datetime | None,
        done: datetime | None,
        result: str,
    ) -> None:
        assert self.outlet is not None
        self.visit_rows.append(
            [
                f"{self.number}-{len(self.visit_rows) + 1}",
                self.number,
                self.kind,
                self.world.outlet(self.outlet),
                technician,
                visit,
                _ts(due),
                _ts(arrived),
                _ts(done),
                result,
            ]
        )

    def row(self) -> list[Any]:
        serial = "" if self.kind == "consult" else self.world.serial(self.customer)
        first_response = self.first_response if self.status != "cancelled" else None
        return [
            self.number,
            self.kind,
            self.channel,
            self.world.customer(self.customer),
            serial,
            self.region,
            _ts(self.created),
            _ts(self.created + 30 * MINUTE),
            _ts(first_response),
            _ts(self.created + 48 * HOUR),
            _ts(self.resolved),
            "" if self.outlet is None else self.world.outlet(self.outlet),
            self.status,
        ]

    def visits(self) -> Iterator[list[Any]]:
        return iter(self.visit_rows)

    def calls(self) -> Iterator[list[Any]]:
        """About 1.5 calls a ticket: the hotline call behind it, a callback, an unrelated call."""
        rng, phone = self.rng, self.world.phone(self.customer)
        agent = self.world.agent(rng.randrange(self.world.agents))
        if self.channel == "hotline":
            received = self.created - 3 * MINUTE
            answered = received + rng.randrange(2, 90) * timedelta(seconds=1)
            yield self._call(1, "in", received, answered, answered + 150 * timedelta(seconds=1), phone, agent)
        if rng.random() < 0.5:
            received = self.first_response
            yield self._call(2, "out", received, None, received + 2 * MINUTE, phone, agent)
        if rng.random() < 0.4:
            received = self.created + rng.randrange(60, 4000) * MINUTE
            picked_up = (
                None if rng.random() < 0.05 else received + rng.randrange(2, 60) * timedelta(seconds=1)
            )
            yield self._call(3, "in", received, picked_up, received + 3 * MINUTE, phone, agent, linked=False)

    def _call(
        self,
        index: int,
        direction: str,
        received: datetime,
        answered: datetime | None,
        ended: datetime,
        phone: str,
        agent: str,
        linked: bool = True,
    ) -> list[Any]:
        ticket = self.number if linked and index == 1 else ""  # a ticket is linked to one call
        return [
            f"{self.number}-C{index}",
            direction,
            _ts(received),
            _ts(answered),
            _ts(ended),
            phone,
            agent,
            ticket,
        ]

    def followups(self) -> Iterator[list[Any]]:
        if (
            self.kind == "consult"
            or self.status != "resolved"
            or self.resolved is None
            or self.rng.random() > 0.6
        ):
            return
        due = self.resolved + 72 * HOUR
        roll = self.rng.random()
        done = None if roll < 0.05 else due + (4 if roll < 0.12 else -30) * HOUR
        reached = done is not None and roll > 0.15
        score = self.rng.choice([3, 4, 4, 5, 5, 5, 2]) if reached else ""
        yield [self.number, _ts(due), _ts(done), str(reached).lower(), score, ""]

    def complaints(self) -> Iterator[list[Any]]:
        if self.rng.random() > 0.02:
            return
        received = self.created + 26 * HOUR
        acknowledged = received + self.rng.randrange(1, 40) * HOUR  # due within 24
        resolved = acknowledged + self.rng.randrange(1, 200) * HOUR
        yield [
            f"{self.number}-K",
            self.number,
            self.world.customer(self.customer),
            _ts(received),
            _ts(acknowledged),
            _ts(resolved if resolved < self.world.end else None),
            "major" if self.rng.random() < 0.1 else "normal",
            self.rng.choice(COMPLAINT_CATEGORIES),
        ]

    def guarantee_requests(self) -> Iterator[list[Any]]:
        if self.kind != "repair" or self.rng.random() > 0.03:
            return
        requested = self.created + 4 * HOUR
        due = requested + 15 * DAY
        decided = requested + self.rng.randrange(1, 20) * DAY
        yield [
            f"{self.number}-G",
            self.number,
            self.rng.choice(["repair", "repair", "replace", "refund"]),
            _ts(requested),
            _ts(due),
            _ts(decided if decided < self.world.end else None),
            ("granted" if self.rng.random() < 0.8 else "refused") if decided < self.world.end else "",
        ]


# the rest ---------------------------------------------------------------------------------------


def _corrective_actions(world: _World, rng: random.Random, months: int) -> Iterator[list[Any]]:
    sources = ["complaint", "survey", "inspection", "review", "other"]
    number = 0
    for month in range(months):
        opened_month = add_months(world.start.date(), month)
        for _ in range(3):
            number += 1
            opened = opened_month + timedelta(days=rng.randrange(0, 28))
            due = opened + timedelta(days=30)
            closed = opened + timedelta(days=rng.randrange(5, 45))
            yield [
                f"{world.prefix}CA{number:05d}",
                rng.choice(sources),
                opened,
                due,
                closed if closed < world.end.date() else "",
                f"纠正措施{number}",
            ]


def _fund_entries(world: _World, rng: random.Random, months: int, tickets: int) -> Iterator[list[Any]]:
    """A budget per calendar year touched, monthly expenses (the first one reversed), reserve, income."""
    number = 0

    def entry(posted: date, kind: str, amount: int, account: str, reference: str, memo: str) -> list[Any]:
        nonlocal number
        number += 1
        return [f"{world.prefix}F{number:07d}", posted, kind, f"{amount}.00", account, reference, memo]

    first = world.start.date()
    years = sorted({add_months(first, month).year for month in range(months)})
    for year in years:
        yield entry(max(first, date(year, 1, 1)), "budget", tickets * 40 + 100_000, "budget", "", "年度预算")
    for month in range(months):
        day = add_months(first, month)
        for index in range(8):
            account = "parts" if index % 2 else "labour"
            amount = rng.randrange(100, 5000) * tickets // max(1, months * 400) + 50
            expense = entry(day + timedelta(days=index * 3), "expense", amount, account, "", "费用")
            yield expense
            if month == 0 and index == 0:
                yield entry(day + timedelta(days=1), "expense", -amount, account, expense[0], "冲销")
        yield entry(
            day + timedelta(days=27), "reserve", tickets * 2 // months + 1000, "reserve", "", "准备金"
        )
        yield entry(day + timedelta(days=14), "income", rng.randrange(1000, 9000), "income", "", "收费服务")


def main(argv: list[str] | None = None) -> None:
    from service_ops import clock

    parser = argparse.ArgumentParser(description="Write a synthetic history bundle.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--tickets-per-month", type=int, default=300)
    parser.add_argument("--start", type=date.fromisoformat, help="default: `months` months before this month")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--prefix", default="G")
    args = parser.parse_args(argv)
    today = clock.today()
    start = args.start or add_months(date(today.year, today.month, 1), -args.months)
    counts = write_bundle(
        args.out,
        start=start,
        months=args.months,
        tickets_per_month=args.tickets_per_month,
        seed=args.seed,
        prefix=args.prefix,
    )
    for name, count in counts.items():
        print(f"{name}: {count}")


if __name__ == "__main__":
    main()
