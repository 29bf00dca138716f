"""Revisits: the outlet schedules the next visit after one that did not fix the problem or was cancelled."""

from __future__ import annotations

from datetime import datetime

from outlets import queries as outlet_queries
from service_ops import clock, idempotency
from service_ops import services as core_services
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.errors import N_, Conflict, Invalid, InvalidTransition
from service_ops.uow import unit_of_work
from tickets import dispatch_queries, events
from tickets.choices import WorkOrderStatus, WorkResult
from tickets.services.work_orders.common import (
    OPEN_VISIT,
    OUTLET_ROLES,
    S,
    check_outlet,
    check_ticket_open,
    locked_work_order,
    open_visit,
)
from tickets.tables import Ticket, WorkOrder


async def schedule_revisit(
    actor: Actor,
    work_order_id: int,
    arrival_due: datetime,
    technician_id: int | None = None,
    idempotency_key: str | None = None,
) -> int:
    """Open the next visit of the ticket, with its own arrival commitment; returns the new work order.

    Allowed after the ticket's latest visit ended without fixing the problem (or was cancelled); the
    same technician by default, or another qualified technician of the outlet.
    """
    check_role(actor, OUTLET_ROLES)
    operation = f"schedule_revisit:{work_order_id}"
    replayed = await idempotency.replayed_entity_id(actor, operation, idempotency_key)
    if replayed is not None:
        return int(replayed)
    if arrival_due.tzinfo is None:
        raise Invalid("Times must carry a time zone (e.g. 2026-11-23T09:30:00+08:00).", field="arrival_due")
    if arrival_due <= clock.now():
        raise Invalid("The arrival time of the revisit must be in the future.", field="arrival_due")
    async with unit_of_work(actor) as uow:
        ticket, order = await locked_work_order(work_order_id)
        check_outlet(actor, order)
        check_ticket_open(ticket)
        await _check_revisit_due(ticket, order)
        technician = technician_id or order.technician
        await _check_technician(ticket, order, technician)
        visit = await open_visit(
            uow, ticket, technician, await _next_visit_no(ticket.id), arrival_due, previous_id=order.id
        )
        before = {"technician": ticket.technician}
        if ticket.technician != technician:
            ticket.technician = technician
            await ticket.save([Ticket.technician])
        await idempotency.remember(actor, operation, idempotency_key, "work_order", visit.id)
        uow.record(
            events.REVISIT_SCHEDULED,
            "ticket",
            ticket.id,
            before=before,
            after={
                "work_order": visit.id,
                "previous": order.id,
                "visit_no": visit.visit_no,
                "technician": technician,
                "arrival_due": arrival_due,
            },
        )
        await core_services.notify(
            actor,
            technician,
            N_("Revisit {number} was scheduled for you."),
            "work_order",
            visit.id,
            number=visit.number,
        )
        return int(visit.id)


async def _check_revisit_due(ticket: Ticket, order: WorkOrder) -> None:
    """Only after the ticket's latest visit, and only once it ended unresolved or was cancelled."""
    newer = await WorkOrder.exists().where((WorkOrder.ticket == ticket.id) & (WorkOrder.id > order.id))
    if newer:
        raise Conflict(
            "Work order {number} already has a later visit; schedule from the latest one.",
            number=order.number,
        )
    status = WorkOrderStatus(order.status)
    unresolved = status == S.COMPLETED and order.result and not WorkResult(order.result).resolves_ticket
    if status in OPEN_VISIT or not (unresolved or status == S.CANCELLED):
        raise InvalidTransition(
            "A revisit is scheduled once a visit has ended without fixing the problem, or was cancelled."
        )


async def _check_technician(ticket: Ticket, order: WorkOrder, technician_id: int) -> None:
    category = await dispatch_queries.ticket_category(ticket.id) or ""
    options = await outlet_queries.technicians_for(order.outlet, category, clock.today())
    option = next((option for option in options if option.user_id == technician_id), None)
    if option is None:
        raise Invalid("This person is not a technician of the outlet.", field="technician_id")
    if not option.qualified:
        raise Invalid(
            "{name} is not qualified for this product ({missing}).",
            field="technician_id",
            name=option.name,
            missing=", ".join(option.missing),
        )


async def _next_visit_no(ticket_id: int) -> int:
    """After the visits that took place (a cancelled visit's number is given again)."""
    rows = await WorkOrder.select(WorkOrder.visit_no).where(
        (WorkOrder.ticket == ticket_id) & (WorkOrder.status != S.CANCELLED.value)
    )
    return max((row["visit_no"] for row in rows), default=0) + 1
