"""Tickets: opening with SLA commitments, first response, resolution, cancellation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from service_ops import clock, idempotency, numbering
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.errors import Conflict, Invalid, InvalidTransition
from service_ops.queue import enqueue_after_commit
from service_ops.settings import get_settings
from service_ops.tables import Customer, Unit
from service_ops.uow import unit_of_work
from service_ops.validation import required_text
from tickets import events, sla
from tickets.choices import TicketKind, TicketStatus
from tickets.schemas import TicketCreate
from tickets.services.common import HOTLINE_ROLES, locked_ticket, move, ticket_snapshot
from tickets.services.followups import open_followup
from tickets.tables import Call, SlaPolicy, Ticket

EXTERNAL_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,31}$")


async def create_ticket(actor: Actor, data: TicketCreate, idempotency_key: str | None = None) -> int:
    """Open a ticket; the matching SLA policy sets its commitments from the creation time."""
    check_role(actor, HOTLINE_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "create_ticket", idempotency_key)
    if replayed is not None:
        return int(replayed)
    description = required_text(data.description, "description", 4000)
    async with unit_of_work(actor) as uow:
        customer = (
            await Customer.select(Customer.id, Customer.region, Customer.region.service_class)
            .where(Customer.id == data.customer_id)
            .first()
        )
        if customer is None:
            raise Invalid("Unknown customer {id}.", field="customer_id", id=data.customer_id)
        await _check_unit_and_call(data)
        created_at = clock.now()
        policy = await _policy_for(data, customer["region.service_class"])
        due = sla.due_times(policy, created_at, data.kind.needs_visit)
        arrival_due = _agreed_arrival(data, created_at) or due.arrival_due
        ticket = Ticket(
            number=await _ticket_number(data.number, created_at),
            kind=data.kind.value,
            channel=data.channel.value,
            priority=data.priority.value,
            status=TicketStatus.NEW.value,
            customer=data.customer_id,
            unit=data.unit_id,
            region=customer["region"],
            call=data.call_id,
            description=description,
            created_by=actor.user_id,
            created_at=created_at,
            sla_policy=policy["id"],
            response_due=due.response_due,
            arrival_due=arrival_due,
            resolve_due=due.resolve_due,
            repeat_of=await _recent_repair_of(data, created_at),
        )
        await ticket.save()
        await idempotency.remember(actor, "create_ticket", idempotency_key, "ticket", ticket.id)
        uow.record(events.TICKET_CREATED, "ticket", ticket.id, after=ticket_snapshot(ticket))
        enqueue_after_commit(uow, "send_ticket_confirmation", ticket_id=int(ticket.id))
        if data.kind.needs_visit and get_settings().auto_dispatch:
            enqueue_after_commit(uow, "auto_dispatch_ticket", ticket_id=int(ticket.id))
        return int(ticket.id)


REPEAT_REPAIR_WINDOW = timedelta(days=30)


async def _recent_repair_of(data: TicketCreate, created_at: datetime) -> int | None:
    """A repair of the same unit resolved in the last 30 days: this one is a repeat repair (返修)."""
    if data.kind != TicketKind.REPAIR or data.unit_id is None:
        return None
    row = (
        await Ticket.select(Ticket.id)
        .where(
            (Ticket.unit == data.unit_id)
            & (Ticket.kind == TicketKind.REPAIR.value)
            & (Ticket.status != TicketStatus.CANCELLED.value)
            & (Ticket.resolved_at >= created_at - REPEAT_REPAIR_WINDOW)
        )
        .order_by(Ticket.resolved_at, ascending=False)
        .first()
    )
    return None if row is None else int(row["id"])


async def _check_unit_and_call(data: TicketCreate) -> None:
    if data.unit_id is not None:
        unit = await Unit.select(Unit.customer).where(Unit.id == data.unit_id).first()
        if unit is None or unit["customer"] != data.customer_id:
            raise Invalid("Unit {id} does not belong to this customer.", field="unit_id", id=data.unit_id)
    elif data.kind in (TicketKind.INSTALL, TicketKind.REPAIR, TicketKind.MAINTENANCE):
        raise Invalid("Choose the unit to be serviced.", field="unit_id")
    if data.call_id is not None and not await Call.exists().where(Call.id == data.call_id):
        raise Invalid("Unknown call {id}.", field="call_id", id=data.call_id)


async def _policy_for(data: TicketCreate, service_class: str) -> dict[str, Any]:
    policies = await SlaPolicy.select().where(SlaPolicy.is_active.eq(True))
    policy = sla.matching_policy(policies, data.kind.value, data.priority.value, service_class)
    if policy is None:
        raise Invalid("No SLA policy covers this ticket; ask a service manager to add a default policy.")
    return policy


def _agreed_arrival(data: TicketCreate, created_at: datetime) -> datetime | None:
    """An appointment the customer asked for replaces the policy's arrival time; never in the past."""
    if data.arrival_due is None:
        return None
    if not data.kind.needs_visit:
        raise Invalid("A consultation has no on-site visit.", field="arrival_due")
    if data.arrival_due.tzinfo is None:
        raise Invalid("Times must carry a time zone (e.g. 2026-11-23T09:30:00+08:00).", field="arrival_due")
    if data.arrival_due <= created_at:
        raise Invalid("The arrival time must be after the ticket is created.", field="arrival_due")
    return data.arrival_due


async def _ticket_number(external: str | None, created_at: datetime) -> str:
    if external is not None:
        number = external.strip().upper()
        if not EXTERNAL_NUMBER.match(number):
            raise Invalid("A ticket number has 4 to 32 letters, digits or hyphens.", field="number")
        if await Ticket.exists().where(Ticket.number == number):
            raise Conflict("Ticket number “{number}” already exists.", field="number", number=number)
        return number
    day = created_at.astimezone(clock.org_zone()).strftime("%Y%m%d")
    return f"T{day}{await numbering.next_value('ticket:' + day):05d}"


async def record_first_response(actor: Actor, ticket_id: int) -> None:
    """The agent has contacted the customer: the response clock stops (once)."""
    check_role(actor, HOTLINE_ROLES)
    async with unit_of_work(actor) as uow:
        ticket = await locked_ticket(ticket_id)
        if ticket.first_response_at is not None:
            raise InvalidTransition("The first response was already recorded.")
        if ticket.status == TicketStatus.CANCELLED.value:
            raise InvalidTransition("The ticket is cancelled.")
        ticket.first_response_at = clock.now()
        await ticket.save([Ticket.first_response_at])
        uow.record(
            events.FIRST_RESPONSE_RECORDED,
            "ticket",
            ticket_id,
            before={"first_response_at": None},
            after={"first_response_at": ticket.first_response_at},
        )


async def resolve_ticket(actor: Actor, ticket_id: int, resolution: str) -> None:
    """Close a consultation on the phone (field work resolves through its work orders)."""
    check_role(actor, HOTLINE_ROLES)
    note = required_text(resolution, "resolution", 4000)
    async with unit_of_work(actor) as uow:
        ticket = await locked_ticket(ticket_id)
        if ticket.kind != TicketKind.CONSULT.value:
            raise InvalidTransition(
                "Only a consultation is resolved from the hotline; field work resolves on site."
            )
        await move(ticket, TicketStatus.RESOLVED)
        moment = clock.now()
        ticket.resolved_at, ticket.resolution = moment, note
        if ticket.first_response_at is None:
            ticket.first_response_at = moment
        await ticket.save([Ticket.status, Ticket.resolved_at, Ticket.resolution, Ticket.first_response_at])
        await open_followup(uow, ticket_id, moment)
        uow.record(
            events.TICKET_RESOLVED,
            "ticket",
            ticket_id,
            before={"status": "new"},
            after={"status": ticket.status, "resolved_at": moment, "resolution": note},
        )


async def cancel_ticket(actor: Actor, ticket_id: int, reason: str) -> None:
    check_role(actor, HOTLINE_ROLES)
    why = required_text(reason, "reason", 1000)
    async with unit_of_work(actor) as uow:
        ticket = await locked_ticket(ticket_id)
        before_status = ticket.status
        await move(ticket, TicketStatus.CANCELLED)
        ticket.cancelled_at, ticket.cancel_reason = clock.now(), why
        await ticket.save([Ticket.status, Ticket.cancelled_at, Ticket.cancel_reason])
        uow.record(
            events.TICKET_CANCELLED,
            "ticket",
            ticket_id,
            before={"status": before_status},
            after={"status": ticket.status, "cancelled_at": ticket.cancelled_at},
            reason=why,
        )
