"""An outlet with two repair tickets resolved an hour ago: one fixed at the first visit, one not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from audit_export.period import local_date
from outlets.tables import Outlet
from service_ops import clock
from service_ops.actor import Actor
from service_ops.auth import load_actor
from tests.outlets.network import retire_course
from tests.tickets.field import build_network, new_field_ticket
from tickets import services
from tickets.tables import Ticket, WorkOrder


@dataclass
class RepairOutlet:
    code: str
    other_code: str
    day: date
    """A day of the month the tickets were resolved in (the `at` of the period)."""
    fixed: str
    """Number of the ticket fixed at the first visit (numerator and denominator)."""
    not_fixed: str
    """Number of the ticket not fixed (denominator only)."""
    manager: Actor
    """The outlet's manager (scope: this outlet only)."""


async def _resolved_repair(make_user: Any, network: dict[str, Any], result: str) -> str:
    """A repair ticket of the `near` outlet, visited once with `result`, resolved an hour ago."""
    ticket_id = await new_field_ticket(make_user, network)
    dispatcher = await make_user("dispatcher")
    await services.dispatch_ticket(dispatcher, ticket_id, network["near"])
    manager = await load_actor(network["near_manager"].user_id)
    assert manager is not None
    await services.accept_dispatch(manager, ticket_id)
    await services.assign_technician(manager, ticket_id, network["near_tech"].user_id)
    now = clock.now()
    # Test data: the field visit's outcome is written directly (the field flow has its own tests).
    await WorkOrder.update(
        {
            WorkOrder.arrived_at: now - timedelta(hours=2),
            WorkOrder.completed_at: now - timedelta(hours=1),
            WorkOrder.result: result,
        }
    ).where(WorkOrder.ticket == ticket_id)
    await Ticket.update({Ticket.resolved_at: now - timedelta(hours=1)}).where(Ticket.id == ticket_id)
    row = await Ticket.select(Ticket.number).where(Ticket.id == ticket_id).first()
    assert row is not None
    return str(row["number"])


@pytest.fixture
async def repair_outlet(system: Any, make_user: Any, world: Any) -> Any:
    """`world` brings the catch-all SLA policy tickets need."""
    network = await build_network(system, make_user)
    fixed = await _resolved_repair(make_user, network, "fixed")
    not_fixed = await _resolved_repair(make_user, network, "not_fixed")
    codes = {
        row["id"]: row["code"]
        for row in await Outlet.select(Outlet.id, Outlet.code).where(
            Outlet.id.is_in([network["near"], network["far"]])
        )
    }
    yield RepairOutlet(
        code=codes[network["near"]],
        other_code=codes[network["far"]],
        day=local_date(clock.now() - timedelta(hours=1)),
        fixed=fixed,
        not_fixed=not_fixed,
        manager=network["near_manager"],
    )
    await retire_course(system, network["course_id"])
