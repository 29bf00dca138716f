"""The SLA monitor: near breach then breach, once each, for tickets; repeat repairs are flagged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from service_ops import clock
from service_ops.tables import Notification
from tests.outlets.network import retire_course
from tests.tickets.field import AssignedJob, assigned_job
from tickets import queries, services
from tickets.choices import TicketKind
from tickets.schemas import TicketCreate
from tickets.tables import SlaAlert, Ticket


@pytest.fixture
async def job(system: Any, make_user: Any, world: dict[str, Any]) -> AsyncIterator[AssignedJob]:
    built = await assigned_job(system, make_user)
    yield built
    await retire_course(system, built.network["course_id"])


async def _alerts(entity: str, entity_id: int) -> list[tuple[str, str]]:
    rows = await SlaAlert.select(SlaAlert.commitment, SlaAlert.level).where(
        (SlaAlert.entity == entity) & (SlaAlert.entity_id == entity_id)
    )
    return sorted((row["commitment"], row["level"]) for row in rows)


async def test_arrival_near_breach_then_breach_once_each(system: Any, job: AssignedJob) -> None:
    ticket = await Ticket.objects().get(Ticket.id == job.ticket_id)
    assert ticket.arrival_due is not None
    tech_notes = Notification.count().where(Notification.user == job.technician.user_id)
    before = await tech_notes
    with clock.frozen_at(ticket.arrival_due - timedelta(minutes=1)):
        assert await services.raise_sla_alerts(system) >= 1
        assert await services.raise_sla_alerts(system) == 0, "a second run raises nothing new"
    assert ("arrival", "near_breach") in await _alerts("work_order", job.work_order_id)
    assert await tech_notes == before + 1
    with clock.frozen_at(ticket.arrival_due + timedelta(minutes=1)):
        await services.raise_sla_alerts(system)
        await services.raise_sla_alerts(system)
    assert await _alerts("work_order", job.work_order_id) == [
        ("arrival", "breach"),
        ("arrival", "near_breach"),
    ]
    managers = Notification.count().where(
        (Notification.user == job.outlet_manager.user_id) & (Notification.entity == "work_order")
    )
    assert await managers == 1, "the outlet manager hears of the late arrival once"


async def test_breach_without_near_breach_when_the_monitor_was_down(system: Any, job: AssignedJob) -> None:
    ticket = await Ticket.objects().get(Ticket.id == job.ticket_id)
    with clock.frozen_at(ticket.resolve_due + timedelta(hours=1)):
        await services.raise_sla_alerts(system)
    ticket_alerts = await _alerts("ticket", job.ticket_id)
    assert ("resolution", "breach") in ticket_alerts and ("resolution", "near_breach") not in ticket_alerts


async def test_repair_of_a_recently_repaired_unit_is_flagged(
    system: Any, make_user: Any, world: dict[str, Any]
) -> None:
    agent = await make_user("agent")

    def repair() -> TicketCreate:
        return TicketCreate(
            kind=TicketKind.REPAIR,
            customer_id=world["customer_id"],
            unit_id=world["unit_id"],
            description="不制冷",
        )

    first = await services.create_ticket(agent, repair())
    await Ticket.update({Ticket.resolved_at: clock.now(), Ticket.status: "resolved"}).where(
        Ticket.id == first
    )
    second = await services.create_ticket(agent, repair())
    number = (await queries.get_ticket(first)).number
    assert (await queries.get_ticket(second)).repeat_of_number == number
    with clock.frozen_at(clock.now() + timedelta(days=31)):
        third = await services.create_ticket(agent, repair())
    assert (await queries.get_ticket(third)).repeat_of_number is None, "outside 30 days it is a new fault"
