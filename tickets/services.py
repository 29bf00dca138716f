"""State changes for calls, tickets and SLA policies: each a unit of work with its audit event."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, cast

from piccolo.columns import Column

from service_ops import clock, idempotency, numbering
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role, ServiceClass
from service_ops.errors import Conflict, Invalid, InvalidTransition, NotFound
from service_ops.queue import enqueue_after_commit
from service_ops.tables import Customer, Unit
from service_ops.uow import unit_of_work
from service_ops.validation import normalise_phone, required_text
from tickets import events, sla
from tickets.choices import TicketKind, TicketStatus
from tickets.schemas import CallRecord, CallStart, SlaPolicyWrite, TicketCreate
from tickets.tables import Call, SlaPolicy, Ticket
from tickets.transitions import can_move

HOTLINE_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SERVICE_MANAGER)
SLA_ADMIN_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER)
EXTERNAL_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,31}$")
CLOCK_SKEW = timedelta(minutes=5)


async def start_call(actor: Actor, data: CallStart) -> int:
    """The agent takes a call: received and answered now, by this agent."""
    check_role(actor, HOTLINE_ROLES)
    phone = normalise_phone(data.phone)
    async with unit_of_work(actor) as uow:
        customer_id = await _existing_customer(data.customer_id)
        moment = clock.now()
        call = Call(
            direction="inbound",
            phone=phone,
            customer=customer_id,
            agent=actor.user_id,
            received_at=moment,
            answered_at=moment,
        )
        await call.save()
        uow.record(events.CALL_STARTED, "call", call.id, after=_call_snapshot(call))
        return int(call.id)


async def record_call(actor: Actor, data: CallRecord) -> int:
    """A call reported by the telephony system, with the switch's own timestamps."""
    check_role(actor, HOTLINE_ROLES)
    phone = normalise_phone(data.phone)
    _check_call_times(data.received_at, data.answered_at, data.ended_at)
    async with unit_of_work(actor) as uow:
        call = Call(
            direction="inbound",
            phone=phone,
            customer=await _existing_customer(data.customer_id),
            agent=actor.user_id,
            received_at=data.received_at,
            answered_at=data.answered_at,
            ended_at=data.ended_at,
            notes=data.notes[:2000],
        )
        await call.save()
        uow.record(events.CALL_RECORDED, "call", call.id, after=_call_snapshot(call))
        return int(call.id)


def _check_call_times(received: datetime, answered: datetime | None, ended: datetime | None) -> None:
    if received.tzinfo is None:
        raise Invalid("Times must carry a time zone (e.g. 2026-11-23T09:30:00+08:00).", field="received_at")
    if received > clock.now() + CLOCK_SKEW:
        raise Invalid("A call cannot be received in the future.", field="received_at")
    if answered is not None and answered < received:
        raise Invalid("A call cannot be answered before it was received.", field="answered_at")
    if ended is not None and ended < (answered or received):
        raise Invalid("A call cannot end before it started.", field="ended_at")


async def end_call(actor: Actor, call_id: int, notes: str = "") -> None:
    check_role(actor, HOTLINE_ROLES)
    async with unit_of_work(actor) as uow:
        call = await Call.objects().get(Call.id == call_id)
        if call is None:
            raise NotFound("Call {id} not found.", id=call_id)
        if call.ended_at is not None:
            raise InvalidTransition("This call has already ended.")
        before = _call_snapshot(call)
        call.ended_at = clock.now()
        call.notes = (notes or call.notes)[:2000]
        await call.save([Call.ended_at, Call.notes])
        uow.record(events.CALL_ENDED, "call", call_id, before=before, after=_call_snapshot(call))


def _call_snapshot(call: Call) -> dict[str, Any]:
    return {
        "phone": call.phone,
        "customer": call.customer,
        "agent": call.agent,
        "received_at": call.received_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "notes": call.notes,
    }


async def _existing_customer(customer_id: int | None) -> int | None:
    if customer_id is None:
        return None
    if not await Customer.exists().where(Customer.id == customer_id):
        raise Invalid("Unknown customer {id}.", field="customer_id", id=customer_id)
    return customer_id


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
        )
        await ticket.save()
        await idempotency.remember(actor, "create_ticket", idempotency_key, "ticket", ticket.id)
        uow.record(events.TICKET_CREATED, "ticket", ticket.id, after=ticket_snapshot(ticket))
        enqueue_after_commit(uow, "send_ticket_confirmation", ticket_id=int(ticket.id))
        return int(ticket.id)


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


def ticket_snapshot(ticket: Ticket) -> dict[str, Any]:
    return {
        column: getattr(ticket, column)
        for column in (
            "number",
            "kind",
            "channel",
            "priority",
            "status",
            "customer",
            "unit",
            "region",
            "call",
            "description",
            "created_at",
            "sla_policy",
            "response_due",
            "arrival_due",
            "resolve_due",
            "first_response_at",
            "resolved_at",
            "resolution",
            "cancelled_at",
            "cancel_reason",
        )
    }


async def _locked_ticket(ticket_id: int) -> Ticket:
    if Ticket._meta.db.engine_type == "postgres":
        await Ticket.raw("SELECT id FROM ticket WHERE id = {} FOR UPDATE", ticket_id)
    ticket = await Ticket.objects().get(Ticket.id == ticket_id)
    if ticket is None:
        raise NotFound("Ticket {id} not found.", id=ticket_id)
    return ticket


async def record_first_response(actor: Actor, ticket_id: int) -> None:
    """The agent has contacted the customer: the response clock stops (once)."""
    check_role(actor, HOTLINE_ROLES)
    async with unit_of_work(actor) as uow:
        ticket = await _locked_ticket(ticket_id)
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
        ticket = await _locked_ticket(ticket_id)
        if ticket.kind != TicketKind.CONSULT.value:
            raise InvalidTransition(
                "Only a consultation is resolved from the hotline; field work resolves on site."
            )
        await _move(ticket, TicketStatus.RESOLVED)
        moment = clock.now()
        ticket.resolved_at, ticket.resolution = moment, note
        if ticket.first_response_at is None:
            ticket.first_response_at = moment
        await ticket.save([Ticket.status, Ticket.resolved_at, Ticket.resolution, Ticket.first_response_at])
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
        ticket = await _locked_ticket(ticket_id)
        before_status = ticket.status
        await _move(ticket, TicketStatus.CANCELLED)
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


async def _move(ticket: Ticket, target: TicketStatus) -> None:
    if not can_move(TicketStatus(ticket.status), target):
        raise InvalidTransition(
            "A ticket that is {status} cannot become {target}.", status=ticket.status, target=target.value
        )
    ticket.status = target.value


async def create_sla_policy(actor: Actor, data: SlaPolicyWrite) -> int:
    check_role(actor, SLA_ADMIN_ROLES)
    values = _policy_values(data)
    async with unit_of_work(actor) as uow:
        policy = SlaPolicy(**values)
        await policy.save()
        uow.record(events.SLA_POLICY_CREATED, "sla_policy", policy.id, after=values)
        return int(policy.id)


async def update_sla_policy(actor: Actor, policy_id: int, data: SlaPolicyWrite) -> None:
    """Change targets for tickets created from now on; existing tickets keep their commitments."""
    check_role(actor, SLA_ADMIN_ROLES)
    values = _policy_values(data)
    async with unit_of_work(actor) as uow:
        before = await SlaPolicy.select().where(SlaPolicy.id == policy_id).first()
        if before is None:
            raise NotFound("SLA policy {id} not found.", id=policy_id)
        await SlaPolicy.update(cast(dict[Column | str, Any], values)).where(SlaPolicy.id == policy_id)
        uow.record(
            events.SLA_POLICY_UPDATED,
            "sla_policy",
            policy_id,
            before={key: before[key] for key in values},
            after=values,
        )


def _policy_values(data: SlaPolicyWrite) -> dict[str, Any]:
    if data.service_class is not None and data.service_class not in {c.value for c in ServiceClass}:
        raise Invalid("Unknown region class “{value}”.", field="service_class", value=data.service_class[:20])
    if data.resolve_minutes < data.response_minutes:
        raise Invalid("Resolution cannot be due before the first response.", field="resolve_minutes")
    if (
        data.arrival_minutes is not None
        and not data.response_minutes <= data.arrival_minutes <= data.resolve_minutes
    ):
        raise Invalid("Arrival must be due between the response and the resolution.", field="arrival_minutes")
    return {
        "name": required_text(data.name, "name", 100),
        "kind": data.kind.value if data.kind else None,
        "priority": data.priority.value if data.priority else None,
        "service_class": data.service_class,
        "response_minutes": data.response_minutes,
        "arrival_minutes": data.arrival_minutes,
        "resolve_minutes": data.resolve_minutes,
        "is_active": data.is_active,
    }
