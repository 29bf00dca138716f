"""Reads for dispatch: what the ranking needs from tickets, the queues, a ticket's dispatch history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from service_ops import clock
from service_ops.tables import Unit
from tickets.choices import TicketKind, TicketStatus
from tickets.queries import TICKET_COLUMNS, ticket_reads
from tickets.schemas import TicketRead
from tickets.tables import Ticket, TicketDispatch

ON_TIME_WINDOW = timedelta(days=30)
LOADED_STATUSES = (TicketStatus.DISPATCHED.value, TicketStatus.ACCEPTED.value, TicketStatus.IN_PROGRESS.value)
VISIT_KINDS = [kind.value for kind in TicketKind if kind.needs_visit]


async def open_load_by_outlet() -> dict[int, int]:
    """Tickets an outlet holds and has not finished: its load against daily capacity."""
    rows = await Ticket.raw(
        "SELECT outlet, COUNT(*) AS open_jobs FROM ticket WHERE outlet IS NOT NULL "
        "AND status IN ({}, {}, {}) GROUP BY outlet",
        *LOADED_STATUSES,
    )
    return {row["outlet"]: int(row["open_jobs"]) for row in rows}


async def on_time_rates(since: datetime | None = None) -> dict[int, float | None]:
    """Per outlet, the share of its commitments due in the last 30 days that it met.

    Two commitments count: answering an offer by its acceptance deadline, and arriving on site by
    the work order's arrival time. Counted in the database (one row per outlet and commitment).
    """
    since, now = since or clock.now() - ON_TIME_WINDOW, clock.now()
    rows = await TicketDispatch.raw(
        "SELECT outlet, COUNT(*) AS due, "
        "SUM(CASE WHEN decided_at IS NOT NULL AND decided_at <= accept_due THEN 1 ELSE 0 END) AS met "
        "FROM ticket_dispatch WHERE dispatched_at >= {} AND accept_due < {} GROUP BY outlet "
        "UNION ALL "
        "SELECT outlet, COUNT(*) AS due, "
        "SUM(CASE WHEN arrived_at IS NOT NULL AND arrived_at <= arrival_due THEN 1 ELSE 0 END) AS met "
        "FROM work_order WHERE arrival_due >= {} AND arrival_due < {} AND status <> 'cancelled' "
        "GROUP BY outlet",
        since,
        now,
        since,
        now,
    )
    totals: dict[int, tuple[int, int]] = {}
    for row in rows:
        due, met = totals.get(row["outlet"], (0, 0))
        totals[row["outlet"]] = (due + int(row["due"]), met + int(row["met"] or 0))
    return {outlet: met / due for outlet, (due, met) in totals.items() if due}


async def refused_outlet_ids(ticket_id: int) -> set[int]:
    rows = await TicketDispatch.select(TicketDispatch.outlet).where(
        (TicketDispatch.ticket == ticket_id) & (TicketDispatch.decision == "refused")
    )
    return {row["outlet"] for row in rows}


async def ticket_category(ticket_id: int) -> str | None:
    """The product category of the ticket's unit (what the technician must be qualified for)."""
    row = await Ticket.select(Ticket.unit).where(Ticket.id == ticket_id).first()
    if row is None or row["unit"] is None:
        return None
    unit = await Unit.select(Unit.model.category).where(Unit.id == row["unit"]).first()
    return None if unit is None else str(unit["model.category"])


async def dispatch_queue() -> list[TicketRead]:
    """Field tickets waiting for an outlet, most urgent first."""
    rows = await (
        Ticket.select(*TICKET_COLUMNS)
        .where((Ticket.status == TicketStatus.NEW.value) & Ticket.kind.is_in(VISIT_KINDS))
        .order_by(Ticket.arrival_due)
        .limit(200)
    )
    now = clock.now()
    return await ticket_reads(rows, now)


async def outlet_queue(outlet_ids: list[int]) -> list[TicketRead]:
    """Tickets offered to or accepted by these outlets and not finished."""
    if not outlet_ids:
        return []
    rows = await (
        Ticket.select(*TICKET_COLUMNS)
        .where(Ticket.outlet.is_in(outlet_ids) & Ticket.status.is_in(list(LOADED_STATUSES)))
        .order_by(Ticket.accept_due)
        .limit(200)
    )
    now = clock.now()
    return await ticket_reads(rows, now)


async def dispatch_history(ticket_id: int) -> list[dict[str, Any]]:
    return list(
        await TicketDispatch.select(
            *TicketDispatch.all_columns(),
            TicketDispatch.outlet.name.as_alias("outlet_name"),
            TicketDispatch.outlet.code.as_alias("outlet_code"),
            TicketDispatch.decided_by.display_name.as_alias("decided_by_name"),
        )
        .where(TicketDispatch.ticket == ticket_id)
        .order_by(TicketDispatch.id)
    )


async def pending_dispatch(ticket_id: int) -> dict[str, Any] | None:
    """The offer the outlet has not answered yet, if any."""
    row: dict[str, Any] | None = (
        await TicketDispatch.select()
        .where((TicketDispatch.ticket == ticket_id) & TicketDispatch.decision.is_null())
        .order_by(TicketDispatch.id, ascending=False)
        .first()
    )
    return row
