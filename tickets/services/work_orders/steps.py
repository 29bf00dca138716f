"""The technician's steps on the way (en route, arrived) and the outlet cancelling a visit."""

from __future__ import annotations

from datetime import datetime

from service_ops import idempotency
from service_ops import services as core_services
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.errors import N_, Invalid
from service_ops.uow import unit_of_work
from service_ops.validation import required_text
from tickets.choices import TicketStatus, WorkOrderStatus
from tickets.services.common import move
from tickets.services.work_orders.common import (
    OUTLET_ROLES,
    STEP_EVENTS,
    TECHNICIAN,
    S,
    check_assignee,
    check_outlet,
    check_step,
    check_ticket_open,
    locked_work_order,
    record_step,
    step_facts,
)
from tickets.tables import Ticket, WorkOrder

TECHNICIAN_STEPS = (S.EN_ROUTE.value, S.ARRIVED.value)


async def take_step(
    actor: Actor,
    work_order_id: int,
    step: str,
    device_at: datetime | None = None,
    offline: bool = False,
    idempotency_key: str | None = None,
) -> int:
    """The assigned technician sets off (en route) or arrives; returns the step's record id.

    `device_at` is the phone's clock when the button was pressed (kept beside the server's); a replay
    with the same idempotency key returns the first answer. Setting off moves an accepted ticket to
    in progress.
    """
    check_role(actor, TECHNICIAN)
    if step not in TECHNICIAN_STEPS:
        raise Invalid(
            "Only “en route” and “arrived” are recorded as steps; finish with the completion form.",
            field="step",
        )
    target = WorkOrderStatus(step)
    operation = f"work_order_step:{work_order_id}"
    replayed = await idempotency.replayed_entity_id(actor, operation, idempotency_key)
    if replayed is not None:
        return int(replayed)
    async with unit_of_work(actor) as uow:
        ticket, order = await locked_work_order(work_order_id)
        check_assignee(actor, order)
        check_ticket_open(ticket)
        await check_step(order, target)
        before = {"status": order.status, "ticket_status": ticket.status}
        row = await record_step(uow, order, target, device_at, offline)
        if target == S.EN_ROUTE and ticket.status == TicketStatus.ACCEPTED.value:
            await move(ticket, TicketStatus.IN_PROGRESS)
            await ticket.save([Ticket.status])
        await idempotency.remember(actor, operation, idempotency_key, "work_order_step", row.id)
        uow.record(
            STEP_EVENTS[target],
            "work_order",
            order.id,
            before=before,
            after=step_facts(row, ticket_status=ticket.status),
        )
        return int(row.id)


async def cancel_work_order(actor: Actor, work_order_id: int, reason: str) -> None:
    """The outlet calls off an open visit (a reason is required); the ticket stays open for a new visit."""
    check_role(actor, OUTLET_ROLES)
    why = required_text(reason, "reason", 1000)
    async with unit_of_work(actor) as uow:
        _, order = await locked_work_order(work_order_id)
        check_outlet(actor, order)
        await check_step(order, S.CANCELLED)
        before = {"status": order.status}
        row = await record_step(uow, order, S.CANCELLED)
        order.cancel_reason = why
        await order.save([WorkOrder.cancel_reason])
        uow.record(
            STEP_EVENTS[S.CANCELLED], "work_order", order.id, before=before, after=step_facts(row), reason=why
        )
        await core_services.notify(
            actor,
            order.technician,
            N_("Work order {number} was cancelled: {reason}"),
            "work_order",
            order.id,
            number=order.number,
            reason=why,
        )
