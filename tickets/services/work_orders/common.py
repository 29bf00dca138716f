"""What every work-order service shares: the status graph, opening a visit, locking, checks, steps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from service_ops import clock, i18n, numbering
from service_ops.actor import Actor
from service_ops.choices import Role
from service_ops.errors import Invalid, InvalidTransition, NotFound, PermissionDenied
from service_ops.queries import warranty_end
from service_ops.tables import Unit
from service_ops.uow import UnitOfWork, lock_row
from tickets import events
from tickets.choices import TicketStatus, WorkOrderStatus
from tickets.services.common import locked_ticket
from tickets.tables import Ticket, WorkOrder, WorkOrderStep

S = WorkOrderStatus
STEPS: dict[WorkOrderStatus, frozenset[WorkOrderStatus]] = {
    S.ASSIGNED: frozenset({S.EN_ROUTE, S.CANCELLED}),
    S.EN_ROUTE: frozenset({S.ARRIVED, S.CANCELLED}),
    S.ARRIVED: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}
"""The work-order status graph: which step may follow which status."""
NEXT_STEP: dict[WorkOrderStatus, WorkOrderStatus] = {
    S.ASSIGNED: S.EN_ROUTE,
    S.EN_ROUTE: S.ARRIVED,
    S.ARRIVED: S.COMPLETED,
}
"""The technician's next step from each open status (cancelling is the outlet's)."""
STEP_EVENTS = {
    S.EN_ROUTE: events.WORK_ORDER_EN_ROUTE,
    S.ARRIVED: events.WORK_ORDER_ARRIVED,
    S.COMPLETED: events.WORK_ORDER_COMPLETED,
    S.CANCELLED: events.WORK_ORDER_CANCELLED,
}
STEP_STAMPS = {
    S.EN_ROUTE: WorkOrder.en_route_at,
    S.ARRIVED: WorkOrder.arrived_at,
    S.COMPLETED: WorkOrder.completed_at,
    S.CANCELLED: WorkOrder.cancelled_at,
}
OPEN_VISIT = frozenset({S.ASSIGNED, S.EN_ROUTE, S.ARRIVED})
DEVICE_AHEAD = timedelta(minutes=2)
DEVICE_MAX_AGE = timedelta(hours=24)
TECHNICIAN = (Role.TECHNICIAN,)
OUTLET_ROLES = (Role.OUTLET_MANAGER, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
OPEN_TICKET = (TicketStatus.ACCEPTED.value, TicketStatus.IN_PROGRESS.value)

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


async def locked_work_order(work_order_id: int) -> tuple[Ticket, WorkOrder]:
    """The visit and its ticket, locked in that order (the ticket first, as every ticket service does)."""
    row = await WorkOrder.select(WorkOrder.ticket).where(WorkOrder.id == work_order_id).first()
    if row is None:
        raise NotFound("Work order {id} not found.", id=work_order_id)
    ticket = await locked_ticket(row["ticket"])
    await lock_row(WorkOrder, work_order_id)
    order = await WorkOrder.objects().get(WorkOrder.id == work_order_id)
    if order is None:
        raise NotFound("Work order {id} not found.", id=work_order_id)
    return ticket, order


def check_assignee(actor: Actor, order: WorkOrder) -> None:
    """Only the technician the visit is assigned to works on it."""
    if actor.user_id is None or order.technician != actor.user_id:
        raise PermissionDenied(
            "Only the technician assigned to work order {number} may do this.", number=order.number
        )


def check_outlet(actor: Actor, order: WorkOrder) -> None:
    """An outlet manager acts on his outlet's visits only."""
    if actor.role == Role.OUTLET_MANAGER and order.outlet not in actor.outlet_ids:
        raise PermissionDenied("Work order {number} belongs to another outlet.", number=order.number)


def check_ticket_open(ticket: Ticket) -> None:
    if ticket.status not in OPEN_TICKET:
        raise InvalidTransition(
            "Ticket {number} is {status}: its visits can no longer be worked on.",
            number=ticket.number,
            status=i18n.gettext(TicketStatus(ticket.status).label),
        )


def step_label(step: WorkOrderStatus) -> str:
    return i18n.gettext(step.label)


async def check_step(order: WorkOrder, step: WorkOrderStatus) -> None:
    """Refuse a step the graph does not allow now, saying why (already done, finished, or too early)."""
    current = WorkOrderStatus(order.status)
    if step in STEPS[current]:
        return
    done = (
        await WorkOrderStep.select(WorkOrderStep.taken_at)
        .where((WorkOrderStep.work_order == order.id) & (WorkOrderStep.step == step.value))
        .first()
    )
    if done is not None:
        raise InvalidTransition(
            "“{step}” was already recorded for work order {number} at {time}.",
            step=step_label(step),
            number=order.number,
            time=i18n.format_datetime(done["taken_at"]),
        )
    if current not in NEXT_STEP:
        raise InvalidTransition(
            "Work order {number} is {status}: no further steps can be recorded.",
            number=order.number,
            status=step_label(current),
        )
    raise InvalidTransition(
        "“{step}” cannot be recorded yet: the next step of work order {number} is “{next}”.",
        step=step_label(step),
        number=order.number,
        next=step_label(NEXT_STEP[current]),
    )


def step_time(device_at: datetime | None, previous_at: datetime, received_at: datetime) -> datetime:
    """The time a step counts at: the device's when plausible, else the server's receipt time.

    Plausible: at most 2 minutes ahead of the server, not before the previous step, at most 24 h old.
    """
    if device_at is None:
        return received_at
    if device_at.tzinfo is None:
        raise Invalid("Times must carry a time zone (e.g. 2026-11-23T09:30:00+08:00).", field="device_at")
    plausible = (
        previous_at <= device_at <= received_at + DEVICE_AHEAD and received_at - device_at <= DEVICE_MAX_AGE
    )
    return device_at if plausible else received_at


async def _previous_step_at(order: WorkOrder) -> datetime:
    row = await (
        WorkOrderStep.select(WorkOrderStep.taken_at)
        .where(WorkOrderStep.work_order == order.id)
        .order_by(WorkOrderStep.taken_at, ascending=False)
        .first()
    )
    previous: datetime = row["taken_at"] if row else order.created_at
    return previous


async def record_step(
    uow: UnitOfWork,
    order: WorkOrder,
    step: WorkOrderStatus,
    device_at: datetime | None = None,
    offline: bool = False,
) -> WorkOrderStep:
    """Write the step's row and stamp its time on the visit (the caller has checked it is allowed)."""
    if uow.actor.user_id is None:
        raise Invalid("Only a person can record a step of a work order.")
    received = clock.now()
    row = WorkOrderStep(
        work_order=order.id,
        step=step.value,
        taken_at=step_time(device_at, await _previous_step_at(order), received),
        device_at=device_at,
        received_at=received,
        actor=uow.actor.user_id,
        was_offline=offline,
    )
    await row.save()
    stamp = STEP_STAMPS[step]
    order.status = step.value
    setattr(order, stamp._meta.name, row.taken_at)
    await order.save([WorkOrder.status, stamp])
    return row


def step_facts(row: WorkOrderStep, **extra: Any) -> dict[str, Any]:
    """The audit event's `after` of a step: both clocks, and whatever else changed."""
    return {
        "status": row.step,
        "taken_at": row.taken_at,
        "device_at": row.device_at,
        "received_at": row.received_at,
        "was_offline": row.was_offline,
        **extra,
    }
