"""Read-only queries over calls, tickets and SLA policies."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from service_ops import clock
from service_ops import queries as core
from service_ops.errors import NotFound
from service_ops.schemas import CustomerRead
from tickets import sla
from tickets.choices import Channel, Priority, SlaState, TicketKind, TicketStatus, WorkOrderStatus
from tickets.schemas import CallRead, Clock, CustomerHistory, SlaPolicyRead, TicketFilter, TicketRead
from tickets.tables import Call, SlaPolicy, Ticket, WorkOrder
from tickets.transitions import OPEN_STATUSES

PAGE_SIZE = 50
HISTORY_LIMIT = 20
DUE_FILTERS = ("overdue", "due_today", "open")

TICKET_COLUMNS = (
    *Ticket.all_columns(),
    Ticket.customer.name.as_alias("customer_name"),
    Ticket.unit.serial_number.as_alias("serial_number"),
    Ticket.created_by.display_name.as_alias("created_by_name"),
    Ticket.outlet.name.as_alias("outlet_name"),
    Ticket.technician.display_name.as_alias("technician_name"),
    Ticket.repeat_of.number.as_alias("repeat_of_number"),
)


def _clock(
    start: datetime, due: datetime | None, done: datetime | None, now: datetime, stopped: bool
) -> Clock:
    if stopped and done is None:
        return Clock(due=due, done=None, state=SlaState.STOPPED, minutes_left=None)
    return Clock(
        due=due,
        done=done,
        state=sla.clock_state(start, due, done, now),
        minutes_left=None if done else sla.minutes_left(due, now),
    )


async def first_arrivals(ticket_ids: list[int]) -> dict[int, datetime]:
    """When visit 1 of each ticket arrived on site (the arrival clock's stop), for those that did."""
    if not ticket_ids:
        return {}
    rows = await WorkOrder.select(WorkOrder.ticket, WorkOrder.arrived_at).where(
        WorkOrder.ticket.is_in(ticket_ids)
        & (WorkOrder.visit_no == 1)
        & (WorkOrder.status != WorkOrderStatus.CANCELLED.value)
        & WorkOrder.arrived_at.is_not_null()
    )
    return {row["ticket"]: row["arrived_at"] for row in rows}


async def ticket_reads(rows: list[dict[str, Any]], now: datetime | None = None) -> list[TicketRead]:
    arrivals = await first_arrivals([row["id"] for row in rows])
    return [ticket_read(row, now, arrivals.get(row["id"])) for row in rows]


def ticket_read(
    row: dict[str, Any], now: datetime | None = None, arrived_at: datetime | None = None
) -> TicketRead:
    """A ticket with its clocks; a cancelled ticket's open clocks are stopped."""
    now = now or clock.now()
    created = row["created_at"]
    stopped = row["cancelled_at"] is not None
    return TicketRead(
        id=row["id"],
        number=row["number"],
        kind=TicketKind(row["kind"]),
        channel=Channel(row["channel"]),
        priority=Priority(row["priority"]),
        status=TicketStatus(row["status"]),
        customer_id=row["customer"],
        customer_name=row["customer_name"],
        unit_id=row["unit"],
        serial_number=row["serial_number"],
        region_id=row["region"],
        call_id=row["call"],
        description=row["description"],
        created_at=created,
        created_by=row["created_by_name"],
        response=_clock(created, row["response_due"], row["first_response_at"], now, stopped),
        arrival=_clock(created, row["arrival_due"], arrived_at, now, stopped),
        resolution=_clock(created, row["resolve_due"], row["resolved_at"], now, stopped),
        acceptance=_clock(
            row["dispatched_at"] or created, row["accept_due"], row["accepted_at"], now, stopped
        ),
        outlet_id=row["outlet"],
        outlet_name=row["outlet_name"],
        technician_id=row["technician"],
        technician_name=row["technician_name"],
        resolution_note=row["resolution"],
        cancel_reason=row["cancel_reason"],
        repeat_of_number=row["repeat_of_number"],
    )


async def get_ticket(ticket_id: int) -> TicketRead:
    row = await Ticket.select(*TICKET_COLUMNS).where(Ticket.id == ticket_id).first()
    if row is None:
        raise NotFound("Ticket {id} not found.", id=ticket_id)
    return (await ticket_reads([row]))[0]


async def get_ticket_by_number(number: str) -> TicketRead:
    row = await Ticket.select(*TICKET_COLUMNS).where(Ticket.number == number.strip().upper()).first()
    if row is None:
        raise NotFound("Ticket {number} not found.", number=number[:32])
    return (await ticket_reads([row]))[0]


async def list_tickets(filters: TicketFilter, page: int = 1) -> list[TicketRead]:
    """Tickets for the list page: newest first, or most urgent first when filtering by due."""
    now = clock.now()
    query = Ticket.select(*TICKET_COLUMNS)
    if filters.status:
        query = query.where(Ticket.status == filters.status.value)
    if filters.kind:
        query = query.where(Ticket.kind == filters.kind.value)
    if filters.due in DUE_FILTERS:
        query = query.where(Ticket.status.is_in([s.value for s in OPEN_STATUSES]))
        if filters.due == "overdue":
            query = query.where(Ticket.resolve_due < now)
        elif filters.due == "due_today":
            local_midnight = datetime.combine(
                clock.today() + timedelta(days=1), datetime.min.time(), tzinfo=clock.org_zone()
            )
            query = query.where(Ticket.resolve_due < local_midnight)
        query = query.order_by(Ticket.resolve_due)
    else:
        query = query.order_by(Ticket.id, ascending=False)
    rows = await query.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    return await ticket_reads(rows, now)


async def tickets_of_customer(customer_id: int) -> list[TicketRead]:
    rows = await (
        Ticket.select(*TICKET_COLUMNS)
        .where(Ticket.customer == customer_id)
        .order_by(Ticket.id, ascending=False)
        .limit(HISTORY_LIMIT)
    )
    now = clock.now()
    return await ticket_reads(rows, now)


async def call_screen(term: str) -> list[CustomerHistory]:
    """Everything an agent needs about the callers matching a phone, serial number or name."""
    return [await _history(customer) for customer in await core.search_customers(term)]


async def customer_history(customer_id: int) -> CustomerHistory:
    return await _history(await core.get_customer(customer_id))


async def _history(customer: CustomerRead) -> CustomerHistory:
    units = await core.units_of_customer(customer.id)
    return CustomerHistory(
        customer_id=customer.id,
        name=customer.name,
        address=customer.address,
        region_name=customer.region_name,
        phones=customer.phones,
        units=units,
        tickets=await tickets_of_customer(customer.id),
    )


def _call_read(row: dict[str, Any]) -> CallRead:
    return CallRead(
        id=row["id"],
        phone=row["phone"],
        customer_id=row["customer"],
        agent_id=row["agent"],
        received_at=row["received_at"],
        answered_at=row["answered_at"],
        ended_at=row["ended_at"],
        notes=row["notes"],
    )


async def get_call(call_id: int) -> CallRead:
    row = await Call.select().where(Call.id == call_id).first()
    if row is None:
        raise NotFound("Call {id} not found.", id=call_id)
    return _call_read(row)


async def tickets_of_call(call_id: int) -> list[TicketRead]:
    rows = await Ticket.select(*TICKET_COLUMNS).where(Ticket.call == call_id).order_by(Ticket.id)
    return await ticket_reads(rows)


async def list_sla_policies() -> list[SlaPolicyRead]:
    rows = await SlaPolicy.select().order_by(SlaPolicy.id)
    return [SlaPolicyRead(**row) for row in rows]


async def get_sla_policy(policy_id: int) -> SlaPolicyRead:
    row = await SlaPolicy.select().where(SlaPolicy.id == policy_id).first()
    if row is None:
        raise NotFound("SLA policy {id} not found.", id=policy_id)
    return SlaPolicyRead(**row)


async def confirmation_details(ticket_id: int) -> dict[str, Any]:
    """Number, commitments and the customer's primary phone, for the confirmation SMS."""
    ticket = await get_ticket(ticket_id)
    customer = await core.get_customer(ticket.customer_id)
    return {"ticket": ticket, "phone": customer.phones[0] if customer.phones else None}
