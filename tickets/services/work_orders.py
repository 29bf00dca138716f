"""Work orders: a technician's visits for a field ticket, step by step, to completion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service_ops import clock, numbering
from service_ops.queries import warranty_end
from service_ops.tables import Unit
from service_ops.uow import UnitOfWork
from tickets import events
from tickets.choices import WorkOrderStatus
from tickets.tables import Ticket, WorkOrder

__all__: list[str] = []

WORK_ORDER_COLUMNS = (
    "number",
    "ticket",
    "kind",
    "visit_no",
    "outlet",
    "technician",
    "status",
    "created_at",
    "arrival_due",
    "appointment_start",
    "appointment_end",
    "in_warranty",
    "previous",
)


def work_order_snapshot(order: WorkOrder) -> dict[str, Any]:
    return {column: getattr(order, column) for column in WORK_ORDER_COLUMNS}


async def unit_in_warranty(unit_id: int | None, on: datetime) -> bool | None:
    """Whether the unit is covered on the given moment's local date (None: no unit or no purchase date)."""
    if unit_id is None:
        return None
    unit = await Unit.select(Unit.purchase_date, Unit.model.warranty_months).where(Unit.id == unit_id).first()
    if unit is None or unit["purchase_date"] is None:
        return None
    local_day = on.astimezone(clock.org_zone()).date()
    return local_day <= warranty_end(unit["purchase_date"], unit["model.warranty_months"])


async def open_visit(
    uow: UnitOfWork,
    ticket: Ticket,
    technician_id: int,
    visit_no: int,
    arrival_due: datetime | None,
    previous_id: int | None = None,
) -> WorkOrder:
    """Create a visit inside the caller's unit of work (assignment opens visit 1, a revisit the next)."""
    now = clock.now()
    order = WorkOrder(
        number=f"{ticket.number}-{visit_no}",
        ticket=ticket.id,
        kind=ticket.kind,
        visit_no=visit_no,
        outlet=ticket.outlet,
        technician=technician_id,
        status=WorkOrderStatus.ASSIGNED.value,
        created_at=now,
        arrival_due=arrival_due,
        in_warranty=await unit_in_warranty(ticket.unit, now),
        previous=previous_id,
    )
    if await WorkOrder.exists().where(WorkOrder.number == order.number):
        order.number = (
            f"{ticket.number}-{visit_no}-{await numbering.next_value('work_order:' + ticket.number)}"
        )
    await order.save()
    uow.record(events.WORK_ORDER_CREATED, "work_order", order.id, after=work_order_snapshot(order))
    return order
