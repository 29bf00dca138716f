"""The acceptance test of the KPI engine: a hand-built data set, every figure worked out by hand.

Period P = [2001-01-01, 2001-04-01) (last_day 2001-03-31), organisation zone Asia/Shanghai.
as_of A = 2001-04-20 12:00 (after P); a second run at as_of B = 2001-03-20 12:00 (inside P).
Everything is inserted straight into the tables inside one transaction that is rolled back at the
end, with the sales regions and required courses of other tests hidden in that transaction, so
the organisation's figures are exactly the hand-built records'.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from piccolo.table import Table

from audit_export.kpis import drilldown, engine
from audit_export.kpis.definitions import KPIS
from audit_export.kpis.figures import KpiFigure
from audit_export.period import Period
from outlets.tables import Outlet, OutletCoverage, OutletMembership
from service_ops import clock
from service_ops.fund.tables import FundAccount, FundEntry
from service_ops.tables import AuditEvent, Customer, ProductModel, Region, Unit, User
from tests.conftest import unique
from tickets.tables import Call, Complaint, CorrectiveAction, Followup, GuaranteeRequest, Ticket, WorkOrder
from training.tables import Attendance, Certificate, Course, CourseRole, TrainingSession

P = Period(date(2001, 1, 1), date(2001, 4, 1))


def at(
    month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0, year: int = 2001
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=clock.org_zone())


def d(month: int, day: int, year: int = 2001) -> date:
    return date(year, month, day)


AS_OF_A = at(4, 20, 12)
AS_OF_B = at(3, 20, 12)


class _Rollback(Exception):
    pass


@asynccontextmanager
async def rolled_back() -> AsyncIterator[None]:
    """Everything inside runs in one transaction that is thrown away."""
    try:
        async with AuditEvent._meta.db.transaction():
            # Other tests' sales regions, required courses and staff would count in the organisation.
            await AuditEvent.raw("UPDATE region SET is_sales_region = FALSE")
            await AuditEvent.raw("DELETE FROM course_role")
            await AuditEvent.raw("UPDATE app_user SET hired_on = NULL")
            yield
            raise _Rollback
    except _Rollback:
        pass


async def add(table: type[Table], **values: Any) -> int:
    rows = await table.insert(table(**values))
    return int(rows[0]["id"])


@dataclass
class World:
    user: int
    region: int
    region_code: str
    customer: int
    o1: str
    o2: str
    o1_id: int
    o2_id: int
    seq: int = 0

    def n(self, prefix: str) -> str:
        self.seq += 1
        return unique(f"{prefix}{self.seq}-")[:30]

    async def ticket(
        self,
        kind: str = "consultation",
        status: str = "new",
        created_at: datetime | None = None,
        outlet: int | None = None,
        unit: int | None = None,
        **times: Any,
    ) -> int:
        return await add(
            Ticket,
            number=self.n("T"),
            kind=kind,
            channel="phone",
            priority="normal",
            status=status,
            customer=self.customer,
            unit=unit,
            region=self.region,
            description="-",
            created_by=self.user,
            created_at=created_at or at(1, 5),
            outlet=outlet or self.o1_id,
            **times,
        )

    async def order(
        self,
        ticket: int,
        visit_no: int = 1,
        status: str = "completed",
        outlet: int | None = None,
        kind: str = "repair",
        **values: Any,
    ) -> int:
        return await add(
            WorkOrder,
            number=self.n("W"),
            ticket=ticket,
            kind=kind,
            visit_no=visit_no,
            outlet=outlet or self.o1_id,
            technician=self.user,
            status=status,
            created_at=at(1, 5),
            **values,
        )

    async def unit(self, model: int) -> int:
        return await add(
            Unit, serial_number=self.n("SN"), model=model, customer=self.customer, purchase_date=d(1, 1, 2000)
        )


async def build_world() -> World:
    user = await add(User, username=unique("kpi"), display_name="kpi", password_hash="x", role="agent")
    root = await add(Region, code=unique("RG")[-12:], name="root", level="province")
    sales_1 = await add(
        Region, code=unique("R1")[-12:], name="r1", level="county", parent=root, is_sales_region=True
    )
    sales_2 = await add(Region, code=unique("R2")[-12:], name="r2", level="county", is_sales_region=True)
    sales_3 = await add(Region, code=unique("R3")[-12:], name="r3", level="county", is_sales_region=True)
    customer = await add(Customer, name="c", address="a", region=sales_1)
    o1, o2, o3 = unique("O1-")[:20], unique("O2-")[:20], unique("O3-")[:20]
    o1_id = await add(Outlet, code=o1, name="o1", kind="own", address="a", region=sales_1)
    o2_id = await add(
        Outlet, code=o2, name="o2", kind="authorised", address="a", region=sales_2, agreement_expires=d(3, 31)
    )
    o3_id = await add(
        Outlet, code=o3, name="o3", kind="authorised", address="a", region=sales_3, agreement_expires=d(3, 30)
    )
    # outlet_coverage_rate: sales_1 covered through its ancestor (O1 lists the root): covered;
    # sales_2 by O2 whose agreement expires on last_day: covered; sales_3 by O3 whose agreement
    # expired the day before last_day: not covered. The root is no sales region. → 2 / 3.
    await add(OutletCoverage, outlet=o1_id, region=root)
    await add(OutletCoverage, outlet=o2_id, region=sales_2)
    await add(OutletCoverage, outlet=o3_id, region=sales_3)
    region_code = (await Region.select(Region.code).where(Region.id == sales_1).first())["code"]  # type: ignore[index]
    return World(user, sales_1, region_code, customer, o1, o2, o1_id, o2_id)


async def build_hotline(w: World) -> None:
    async def call(received: datetime, answered: datetime | None = None, direction: str = "inbound") -> None:
        await add(
            Call, direction=direction, phone="1", agent=w.user, received_at=received, answered_at=answered
        )

    await call(at(1, 10, 10), at(1, 10, 10, 0, 20))  # K1: answered at exactly 20 s → both numerators
    # K2: answered at 20 s + 1 µs → answered, not within 20 s
    await call(at(1, 10, 10), at(1, 10, 10, 0, 20, 1))
    # K3: never answered → both denominators (B: received after as_of → out)
    await call(at(3, 31, 23, 59, 59))
    await call(at(2, 1, 9), at(4, 21))  # K4: answered after as_of → blank: unanswered in both
    await call(at(2, 1, 9), at(2, 1, 9, 0, 1), direction="outbound")  # K5: outbound → out
    await call(at(4, 1), at(4, 1, 0, 0, 1))  # K6: received on `to` → out
    await call(at(12, 31, 23, 59, 59, year=2000), at(1, 1))  # K7: received before P → out
    await call(at(1, 1), at(1, 1, 0, 0, 5))  # K8: received at the first moment of P → both numerators
    # K9: never answered, received exactly 20 s before B → both denominators at A; at B the 20 s
    # window ends exactly at as_of: still undecided → out of the service level, in the answer rate
    await call(AS_OF_B - timedelta(seconds=20))


async def build_commitments(w: World) -> None:
    # response_on_time_rate (consultation tickets; nothing else set that another KPI reads)
    # T1: on time, exactly at due (outlet O2)
    t1 = await w.ticket(outlet=w.o2_id, response_due=at(1, 10, 10), first_response_at=at(1, 10, 10))
    await w.ticket(response_due=at(1, 10, 10), first_response_at=at(1, 10, 10, 0, 0, 1))  # T2: 1 µs late
    await w.ticket(response_due=at(3, 31, 23))  # T3: not done, due < as_of → late (B: due ≥ as_of → left out)
    await w.ticket(response_due=at(4, 1))  # T4: due on `to` → not in P
    # T5: response after as_of = blank, due passed → late
    await w.ticket(response_due=at(2, 1), first_response_at=at(4, 21))
    # T6: cancelled → out
    t6 = await w.ticket(status="cancelled", response_due=at(2, 1), first_response_at=at(1, 6))
    await w.ticket(first_response_at=at(1, 6))  # T7: blank due → out
    # resolution_on_time_rate
    # R1: status says nothing, resolved exactly at due → on time
    await w.ticket(status="new", resolve_due=at(2, 10, 12), resolved_at=at(2, 10, 12))
    await w.ticket(status="resolved", resolve_due=at(2, 10, 12), resolved_at=at(2, 11))  # R2: late
    # R3: "resolved" but no resolved_at → not done, due passed → late
    await w.ticket(status="resolved", resolve_due=at(2, 15))
    await w.ticket(status="cancelled", resolve_due=at(2, 15), resolved_at=at(2, 14))  # R4: cancelled → out
    # arrival_on_time_rate: visit-1 work orders, each on a ticket of its own (install, unresolved)
    # W1: on time (O2, ticket of O1)
    await w.order(
        await w.ticket("install"), outlet=w.o2_id, arrival_due=at(1, 20, 10), arrived_at=at(1, 20, 10)
    )
    # W2: never arrived, due passed → late
    await w.order(await w.ticket("install"), status="assigned", arrival_due=at(1, 20, 10))
    # W3: cancelled order → out
    await w.order(
        await w.ticket("install"), status="cancelled", arrival_due=at(1, 20, 10), arrived_at=at(1, 20)
    )
    # W4: visit 2 → out
    await w.order(await w.ticket("install"), visit_no=2, arrival_due=at(1, 20, 10), arrived_at=at(1, 20))
    # W5: ticket cancelled → out
    await w.order(
        await w.ticket("install", status="cancelled"), arrival_due=at(1, 20, 10), arrived_at=at(1, 20)
    )
    await w.order(await w.ticket("install"), arrived_at=at(1, 20))  # W6: blank due → out

    # capa_on_time_rate (dates; as_of A's local date is 2001-04-20)
    async def action(opened: date, due: date, closed: date | None = None) -> None:
        await add(
            CorrectiveAction,
            number=w.n("CA"),
            source="review",
            description="-",
            owner=w.user,
            opened_on=opened,
            due_on=due,
            closed_on=closed,
            created_by=w.user,
        )

    await action(d(1, 2), d(3, 31), d(3, 31))  # A1: due on last_day, closed that day → on time
    await action(d(1, 2), d(1, 15), d(1, 16))  # A2: closed a day late → late
    await action(d(1, 2), d(2, 1))  # A3: open, due passed → late
    await action(d(1, 2), d(4, 1), d(3, 1))  # A4: due after last_day → out
    await action(d(1, 2), d(2, 10), d(4, 21))  # A5: closed after as_of = blank → late
    await action(d(4, 21), d(3, 1), d(3, 1))  # A6: opened after as_of → not yet happened → out
    # guarantee_decision_on_time_rate (三包 requests count whatever their ticket's status)
    model = await add(ProductModel, code=unique("PMG-")[:40], name="m", category="water_heater")
    unit = await w.unit(model)

    async def request(kind: str, due: datetime, decided: datetime | None, ticket: int | None) -> None:
        await add(
            GuaranteeRequest,
            number=w.n("G"),
            ticket=ticket,
            unit=unit,
            kind=kind,
            requested_at=at(1, 5),
            due_at=due,
            decided_at=decided,
            created_by=w.user,
        )

    # G1: decided exactly at due → on time (ticket of O2)

    await request("repair", at(3, 1, 12), at(3, 1, 12), t1)
    # G2: undecided, due passed → late (no ticket: organisation only)
    await request("refund", at(3, 1, 12), None, None)
    await request("replace", at(2, 1), at(2, 3), t6)  # G3: late; its ticket is cancelled but it counts

    # complaints (received in P; the 2 h and 24 h windows)
    async def complaint(
        received: datetime, ack: datetime | None, resolved: datetime | None, ticket: int | None
    ) -> None:
        await add(
            Complaint,
            number=w.n("C"),
            channel="phone",
            ticket=ticket,
            customer=w.customer,
            category="service",
            description="-",
            status="open",
            received_at=received,
            ack_due=received,
            resolve_due=received,
            acknowledged_at=ack,
            resolved_at=resolved,
            created_by=w.user,
        )

    # C1: ack at exactly 2 h, resolved at exactly 24 h → both met

    await complaint(at(2, 1, 9), at(2, 1, 11), at(2, 2, 9), t1)
    # C2: 1 µs / 1 s over → neither
    await complaint(at(2, 1, 9), at(2, 1, 11, 0, 0, 1), at(2, 2, 9, 0, 1), None)
    # C3: nothing, windows closed before A → both denominators (B: after as_of → out)
    await complaint(at(3, 31, 23), None, None, None)
    await complaint(at(2, 5), at(4, 21), None, None)  # C4: ack after as_of = blank → not met
    await complaint(at(4, 2), at(4, 2, 1), at(4, 2, 2), None)  # C5: received after P → out
    # C6: received exactly 2 h before B, never acknowledged, resolved 23 h later: at A not
    # acknowledged, resolved in time; at B the 2 h window ends exactly at as_of → undecided, and
    # the resolution (after B) is blank with the 24 h window open → undecided
    await complaint(AS_OF_B - timedelta(hours=2), None, at(3, 21, 9), None)
    # C7: 1 µs earlier than C6, nothing done: at B its 2 h window closed 1 µs before as_of → not met
    await complaint(AS_OF_B - timedelta(hours=2, microseconds=1), None, None, None)


async def build_quality(w: World) -> None:
    model = await add(ProductModel, code=unique("PMQ-")[:40], name="m", category="air_conditioner")
    # first_time_fix_rate: repair tickets resolved in P (no unit: they stay out of repeat repairs)
    f1 = await w.ticket("repair", resolved_at=at(2, 1))
    # F1: one arrived order, fixed → fixed
    await w.order(f1, arrived_at=at(1, 20), completed_at=at(1, 20, 2), result="fixed")
    f2 = await w.ticket("repair", resolved_at=at(2, 1))
    await w.order(f2, arrived_at=at(1, 20), completed_at=at(1, 20, 2), result="not_fixed")
    # F2: two arrived orders → not first-time
    await w.order(f2, visit_no=2, arrived_at=at(1, 25), completed_at=at(1, 25, 2), result="fixed")
    f3 = await w.ticket("repair", resolved_at=at(2, 1))
    await w.order(f3, status="cancelled", arrived_at=at(1, 20))
    # F3: the only live arrived order (visit 2) fixed → fixed
    await w.order(f3, visit_no=2, arrived_at=at(1, 25), completed_at=at(1, 25, 2), result="fixed")
    f4 = await w.ticket("repair", resolved_at=at(2, 1))
    # F4: completed after as_of → result blank → not fixed
    await w.order(f4, arrived_at=at(1, 20), completed_at=at(4, 21), result="fixed")
    f5 = await w.ticket("repair", status="cancelled", resolved_at=at(2, 1))
    # F5: cancelled ticket → out
    await w.order(f5, arrived_at=at(1, 20), completed_at=at(1, 20, 2), result="fixed")
    await w.ticket("repair", resolved_at=at(4, 5))  # F6: resolved after P → out
    # repeat_repair_rate_30d (these repair tickets are in first_time_fix's denominator too:
    # no orders → not fixed)
    units = [await w.unit(model) for _ in range(4)]
    # P1: repeat created exactly 30 days later → repeat
    await w.ticket("repair", unit=units[0], resolved_at=at(1, 10, 10))
    await w.ticket("repair", unit=units[0], created_at=at(1, 10, 10) + timedelta(days=30))  # P1b (unresolved)
    # P2: next repair 30 days + 1 s later → no repeat
    await w.ticket("repair", unit=units[1], resolved_at=at(1, 15, 10))
    await w.ticket("repair", unit=units[1], created_at=at(1, 15, 10) + timedelta(days=30, seconds=1))  # P2b
    # P3: window ends 04-24 > A, next repair after as_of → undecided → out
    await w.ticket("repair", unit=units[2], resolved_at=at(3, 25, 10))
    await w.ticket("repair", unit=units[2], created_at=at(4, 21))  # P3b: created after as_of → exists nowhere
    # P4: only a cancelled repair follows; window closed → no repeat
    await w.ticket("repair", unit=units[3], resolved_at=at(3, 1))
    await w.ticket("repair", unit=units[3], status="cancelled", created_at=at(3, 10))  # P4b
    # install_first_pass_rate (install tickets resolved in P)
    i1 = await w.ticket("install", resolved_at=at(2, 15))
    # I1: passed
    await w.order(i1, kind="install", arrived_at=at(2, 14), completed_at=at(2, 14, 2), result="installed")
    i2 = await w.ticket("install", resolved_at=at(2, 15))
    # I2: visit 1 missing → not passed
    await w.order(
        i2, kind="install", visit_no=2, arrived_at=at(2, 14), completed_at=at(2, 14, 2), result="installed"
    )
    i3 = await w.ticket("install", resolved_at=at(2, 15))
    await w.order(i3, kind="install", status="cancelled", arrived_at=at(2, 13))
    # I3: visit 1 cancelled → not passed
    await w.order(
        i3, kind="install", visit_no=2, arrived_at=at(2, 14), completed_at=at(2, 14, 2), result="installed"
    )
    i4 = await w.ticket("install", resolved_at=at(2, 15))
    # I4: failed → not passed
    await w.order(i4, kind="install", arrived_at=at(2, 14), completed_at=at(2, 14, 2), result="failed")


async def build_followups(w: World) -> None:
    async def followup(ticket: int, done: datetime | None, reached: bool | None, score: int | None) -> None:
        await add(
            Followup,
            ticket=ticket,
            created_at=at(1, 5),
            due_at=at(3, 8),
            done_at=done,
            reached=reached,
            score=score,
        )

    m1 = await w.ticket("maintenance", resolved_at=at(3, 1, 10))
    await followup(m1, at(3, 8, 10), True, 5)  # M1: reached exactly 7 days after → covered; score 5
    m2 = await w.ticket("maintenance", resolved_at=at(3, 1, 10))
    await followup(m2, at(3, 8, 10, 0, 0, 1), True, 4)  # M2: 7 days + 1 µs → not covered; score 4
    m3 = await w.ticket("maintenance", resolved_at=at(3, 1, 10))
    await followup(m3, at(3, 2), False, 3)  # M3: not reached → not covered; score 3 still counts
    m4 = await w.ticket("maintenance", resolved_at=at(3, 31, 10))
    # M4: done after as_of = blank; window closed 04-07 → not covered (B: resolved after as_of → out)
    await followup(m4, at(4, 21), True, 5)
    x1 = await w.ticket("maintenance", status="cancelled")
    await followup(x1, at(2, 20), True, 2)  # X1: ticket cancelled, the follow-up counts: score 2
    x2 = await w.ticket("maintenance")
    await followup(x2, at(2, 20), True, None)  # X2: no score → out of the csat set


async def build_people(w: World) -> None:
    k1 = await add(Course, code=unique("K1")[:20], title="k1", hours=Decimal("8"))
    k2 = await add(Course, code=unique("K2")[:20], title="k2", hours=Decimal("8"))
    km = await add(
        Course, code=unique("KM")[:20], title="km", hours=Decimal("8"), is_service_manager_cert=True
    )
    await add(CourseRole, course=k1, role="technician")
    await add(CourseRole, course=k2, role="technician")

    async def staff(
        role: str, hired: date, left: date | None = None, management: bool = False, outlet: int | None = None
    ) -> int:
        user = await add(
            User,
            username=unique("s"),
            display_name="s",
            password_hash="x",
            role=role,
            hired_on=hired,
            left_on=left,
            is_management=management,
        )
        if outlet:
            await add(OutletMembership, outlet=outlet, user=user, since=d(1, 1, 2000))
        return user

    async def certificate(user: int, course: int, issued: date, expires: date | None = None) -> None:
        await add(
            Certificate, number=w.n("CERT"), user=user, course=course, issued_on=issued, expires_on=expires
        )

    s1 = await staff("technician", d(1, 1, 2000), outlet=w.o1_id)
    await certificate(s1, k1, d(1, 1, 2000), d(3, 31))  # expires on last_day → valid
    await certificate(s1, k2, d(1, 1, 2000))  # S1: every required course → certified
    s2 = await staff("technician", d(1, 1, 2000), outlet=w.o1_id)
    await certificate(s2, k1, d(1, 1, 2000))
    # S2: K2 expired the day before last_day → not certified
    await certificate(s2, k2, d(1, 1, 2000), d(3, 30))
    # S3: left on last_day → not active (B: leaving after as_of = blank → active)
    s3 = await staff("technician", d(1, 1, 2000), left=d(3, 31))
    # S4: left the day after → active; no certificate
    s4 = await staff("technician", d(1, 1, 2000), left=d(4, 1), outlet=w.o2_id)
    # S5: no required course; management with a valid KM
    s5 = await staff("agent", d(1, 1, 2000), management=True)
    await certificate(s5, km, d(6, 1, 2000))
    # S6: management; KM issued after last_day → not valid
    s6 = await staff("hq_manager", d(1, 1, 2000), management=True)
    await certificate(s6, km, d(4, 2))
    await staff("technician", d(4, 1))  # S7: hired after last_day → not active

    async def session(course: int, starts: datetime, hours: str) -> int:
        return await add(
            TrainingSession, course=course, starts_at=starts, hours=Decimal(hours), trainer=w.user, place="p"
        )

    ts1, ts2, ts3 = (
        await session(k1, at(2, 10), "8.0"),
        await session(k1, at(4, 5), "4.0"),
        await session(k2, at(3, 15), "2.5"),
    )
    for session_id, user, attended in (
        (ts1, s1, True),
        (ts3, s1, True),
        (ts1, s2, False),
        (ts3, s5, True),
        (ts1, s3, True),
    ):
        await add(Attendance, session=session_id, user=user, attended=attended)
    await add(Attendance, session=ts2, user=s4, attended=True)  # session after P → no hours


async def build_fund(w: World) -> None:
    account = await add(FundAccount, code=unique("fa")[:32].lower(), name="fa", default_kind="expense")

    async def entry(kind: str, posted: date, fen: int, reverses: int | None = None) -> int:
        return await add(
            FundEntry,
            number=w.n("F")[:20],
            posted_on=posted,
            kind=kind,
            amount_fen=fen,
            account=account,
            reverses=reverses,
        )

    await entry("budget", d(1, 5), 1_000_000)  # B1: 10000.00
    b2 = await entry("budget", d(2, 1), 200_000)
    await entry("budget", d(2, 3), -200_000, b2)  # B2 reversed → nets 0
    await entry("expense", d(3, 31), 250_050)  # E1: posted on last_day, 2500.50 (B: after as_of → out)
    await entry("expense", d(4, 1), 99_999)  # E2: after P → out
    e3 = await entry("expense", d(3, 10), 10_000)
    await entry("expense", d(3, 11), -10_000, e3)  # E3 reversed → nets 0
    await entry("reserve", d(12, 1, 2000), 500_000)  # R1: deposit before P counts (balance before `to`)
    await entry("reserve", d(3, 31), -120_000)  # R2: a draw on last_day (B: after as_of → out)
    await entry("reserve", d(4, 1), 999_999)  # R3: posted on `to` → out
    r4 = await entry("reserve", d(2, 1), -30_000)
    await entry("reserve", d(2, 2), 30_000, r4)  # R4 reversed → nets 0


async def build_all() -> World:
    w = await build_world()
    for build in (build_hotline, build_commitments, build_quality, build_followups, build_people, build_fund):
        await build(w)
    # Tickets outside P (for complaints_per_1000_tickets' denominator)
    await w.ticket(created_at=at(12, 31, 23, 59, 59, year=2000))
    await w.ticket(created_at=at(4, 1))
    return w


# Live tickets created in P: T1–T5, T7 (6) + R1–R3 (3) + the tickets of W1–W4, W6 (5) + F1–F4, F6 (5)
# + P1, P1b, P2, P2b, P3, P4 (6) + I1–I4 (4) + M1–M4 (4) + X2 (1) = 34.
EXPECTED_A: dict[str, tuple[Any, Any]] = {
    "hotline_answer_rate": (3, 6),  # K1, K2, K8 of K1–K4, K8, K9
    "hotline_service_level_20s": (2, 6),  # K1, K8
    "response_on_time_rate": (1, 4),  # T1 of T1, T2, T3, T5
    "arrival_on_time_rate": (1, 2),  # W1 of W1, W2
    "resolution_on_time_rate": (1, 3),  # R1 of R1–R3
    "capa_on_time_rate": (1, 4),  # A1 of A1, A2, A3, A5
    "guarantee_decision_on_time_rate": (1, 3),  # G1 of G1–G3
    "first_time_fix_rate": (2, 8),  # F1, F3 of F1–F4, P1–P4
    "repeat_repair_rate_30d": (1, 3),  # P1 of P1, P2, P4
    "install_first_pass_rate": (1, 4),  # I1 of I1–I4
    "followup_coverage_7d": (1, 16),  # M1 of F1–F4, P1–P4, I1–I4, M1–M4
    "csat_satisfied_rate": (2, 4),  # M1, M2 of M1–M3, X1
    "csat_mean": (14, 4),  # 5 + 4 + 3 + 2
    "complaint_ack_2h_rate": (1, 6),  # C1 of C1–C4, C6, C7
    "complaint_resolved_24h_rate": (2, 6),  # C1, C6 of C1–C4, C6, C7
    "complaints_per_1000_tickets": (6, 34),  # C1–C4, C6, C7 per 34 tickets
    "certified_staff_rate": (1, 3),  # S1 of S1, S2, S4
    "service_manager_ratio": (1, 2),  # S5 of S5, S6
    "training_hours_per_staff": (Decimal("13.00"), 5),  # S1 8 + 2.5, S5 2.5; staff S1, S2, S4, S5, S6
    "training_coverage_rate": (2, 5),  # S1, S5
    "outlet_coverage_rate": (2, 3),
    "fund_utilisation": (Decimal("2500.50"), Decimal("10000.00")),
    "fund_reserve_balance": (Decimal("3800.00"), None),  # 5000.00 − 1200.00 + 0
}

# At as_of B (2001-03-20 12:00), the figures that change:
EXPECTED_B: dict[str, tuple[Any, Any]] = {
    "hotline_answer_rate": (3, 5),  # K3 received after as_of → out
    "hotline_service_level_20s": (2, 4),  # K3 out, K9 undecided
    "response_on_time_rate": (1, 3),  # T3 not yet due → left out
    "complaint_ack_2h_rate": (1, 4),  # C3 received after as_of → out; C6 undecided; C7 not met
    "complaint_resolved_24h_rate": (1, 3),  # C1, C2, C4 (C6, C7 undecided)
    "capa_on_time_rate": (0, 3),  # A1 closes (03-31) after as_of = blank, not yet due → out; A2, A3, A5 late
    "first_time_fix_rate": (2, 7),  # P3 resolved after as_of
    "training_hours_per_staff": (Decimal("21.00"), 6),  # S3 active again, with 8 hours of TS1
    "training_coverage_rate": (3, 6),  # S1, S3, S5
    "repeat_repair_rate_30d": (1, 2),  # P3 resolved after as_of; P4's window still open → undecided
    "followup_coverage_7d": (1, 14),  # P3 and M4 resolved after as_of
    "complaints_per_1000_tickets": (5, 34),  # C1, C2, C4, C6, C7
    "certified_staff_rate": (1, 4),  # S3's leaving (03-31) is after as_of → blank → active, uncertified
    "fund_utilisation": (Decimal("0.00"), Decimal("10000.00")),  # E1 posted after as_of
    "fund_reserve_balance": (Decimal("5000.00"), None),  # R2 posted after as_of
}


MONEY_RECORDS = {
    ("fund_utilisation", True): (3, 3),
    ("fund_utilisation", False): (2, 3),  # E1 posted after as_of B
    ("fund_reserve_balance", True): (4, 0),
    ("fund_reserve_balance", False): (3, 0),  # R2 posted after as_of B
}


def _pair(figure: KpiFigure) -> tuple[Any, Any]:
    return figure.numerator, figure.denominator


async def _check_records(figures: dict[str, KpiFigure], as_of: datetime) -> None:
    """For every count-type KPI the drill-down lists exactly the records the figure counts."""
    for code, figure in figures.items():
        unit = KPIS[code].unit
        numerator = await drilldown.kpi_records(code, P, as_of, "numerator", limit=1000)
        denominator = await drilldown.kpi_records(code, P, as_of, "denominator", limit=1000)
        assert numerator.columns == denominator.columns == drilldown.record_columns(code)
        if unit in ("rate", "per_1000"):
            assert (numerator.total, denominator.total) == _pair(figure), code
        if unit in ("mean", "hours"):
            assert denominator.total == figure.denominator, code
        if unit not in ("money", "per_1000"):
            assert set(numerator.rows) <= set(denominator.rows), code
        if unit == "money":  # entries: B1, B2, B2r / E1, E3, E3r; reserve R1, R2, R4, R4r (A)
            assert (numerator.total, denominator.total) == MONEY_RECORDS[(code, as_of == AS_OF_A)], code
        streamed = [
            row
            async for batch in drilldown.iter_kpi_records(code, P, as_of, "denominator", batch=3)
            for row in batch
        ]
        assert streamed == denominator.rows, code


async def test_every_kpi_by_hand() -> None:
    async with rolled_back():
        w = await build_all()
        figures = await engine.compute_kpis(P, AS_OF_A)
        assert list(figures) == list(KPIS)
        assert {code: _pair(figure) for code, figure in figures.items()} == EXPECTED_A
        assert figures["csat_mean"].value == 3.5
        assert figures["complaints_per_1000_tickets"].value == pytest.approx(6000 / 34)
        assert figures["training_hours_per_staff"].value == pytest.approx(2.6)
        assert figures["fund_utilisation"].value == pytest.approx(0.25005)
        assert figures["fund_reserve_balance"].value == 3800.0
        assert figures["fund_reserve_balance"].as_json() == {
            "value": 3800.0,
            "numerator": "3800.00",
            "denominator": None,
        }
        await _check_records(figures, AS_OF_A)

        # One outlet: O2 has T1 (response, on time), W1 (its own work order), G1 via T1, C1 via T1, S4.
        o2 = await engine.compute_kpis(P, AS_OF_A, outlet_code=w.o2)
        assert set(o2) == {code for code, kpi in KPIS.items() if "outlet" in kpi.dimensions}
        assert _pair(o2["response_on_time_rate"]) == (1, 1)
        assert _pair(o2["arrival_on_time_rate"]) == (1, 1)
        assert _pair(o2["guarantee_decision_on_time_rate"]) == (1, 1)
        assert _pair(o2["complaint_ack_2h_rate"]) == (1, 1)
        assert _pair(o2["certified_staff_rate"]) == (0, 1)
        assert _pair(o2["complaints_per_1000_tickets"]) == (1, 1)  # C1 over T1
        page = await drilldown.kpi_records("arrival_on_time_rate", P, AS_OF_A, "numerator", outlet_code=w.o2)
        assert page.total == 1 and page.rows[0][-1] is True

        by_outlet = await engine.compute_kpis_by(P, AS_OF_A, "outlet")
        assert all(o2[code] == figure for code, figure in by_outlet[w.o2].items())
        assert all(o2[code].denominator == 0 for code in set(o2) - set(by_outlet[w.o2]))
        assert _pair(by_outlet[w.o1]["arrival_on_time_rate"]) == (0, 1)  # W2
        assert _pair(by_outlet[w.o1]["training_hours_per_staff"]) == (Decimal("10.50"), 2)  # S1, S2
        assert _pair(by_outlet[w.o1]["response_on_time_rate"]) == (0, 3)  # T2, T3, T5
        by_region = await engine.compute_kpis_by(P, AS_OF_A, "region")
        assert _pair(by_region[w.region_code]["resolution_on_time_rate"]) == (1, 3)
        assert "hotline_answer_rate" not in by_region[w.region_code]
        by_category = await engine.compute_kpis_by(P, AS_OF_A, "category")
        assert _pair(by_category["air_conditioner"]["repeat_repair_rate_30d"]) == (1, 3)
        assert _pair(by_category["water_heater"]["guarantee_decision_on_time_rate"]) == (1, 3)


async def test_as_of_inside_the_period() -> None:
    async with rolled_back():
        await build_all()
        figures = await engine.compute_kpis(P, AS_OF_B)
        assert {code: _pair(figures[code]) for code in EXPECTED_B} == EXPECTED_B
        unchanged = set(KPIS) - set(EXPECTED_B)
        assert {code: _pair(figures[code]) for code in unchanged} == {
            code: EXPECTED_A[code] for code in unchanged
        }
        await _check_records(figures, AS_OF_B)


async def test_bad_requests_are_refused() -> None:
    from service_ops.errors import Invalid, NotFound

    with pytest.raises(Invalid):
        await engine.compute_kpis_by(P, AS_OF_A, "colour")
    with pytest.raises(NotFound):
        await engine.compute_kpis(P, AS_OF_A, outlet_code="NO-SUCH-OUTLET")
    with pytest.raises(Invalid):
        await drilldown.kpi_records("csat_mean", P, AS_OF_A, "half")
    with pytest.raises(NotFound):
        drilldown.record_columns("no_such_kpi")
