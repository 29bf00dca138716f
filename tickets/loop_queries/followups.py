"""The follow-up queue: pending ones oldest due first, with the ticket, customer and technician."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service_ops import clock
from service_ops import queries as core
from service_ops.errors import NotFound
from tickets import loop_settings
from tickets.choices import TicketKind, WorkResult
from tickets.loop_queries.common import PAGE_SIZE, loop_clock
from tickets.loop_schemas import FollowupRead
from tickets.tables import Complaint, Followup, WorkOrder

FOLLOWUP_STATES = ("pending", "overdue", "done")
FOLLOWUP_COLUMNS = (
    *Followup.all_columns(),
    Followup.ticket.number.as_alias("ticket_number"),
    Followup.ticket.kind.as_alias("ticket_kind"),
    Followup.ticket.customer.as_alias("customer_id"),
    Followup.ticket._.customer._.name.as_alias("customer_name"),
    Followup.ticket.technician.as_alias("technician_id"),
    Followup.ticket._.technician._.display_name.as_alias("technician_name"),
    Followup.ticket._.outlet._.name.as_alias("outlet_name"),
    Followup.ticket.resolved_at.as_alias("resolved_at"),
    Followup.ticket.resolution.as_alias("resolution_note"),
    Followup.agent.display_name.as_alias("agent_name"),
)


async def list_followups(state: str = "pending", page: int = 1) -> list[FollowupRead]:
    """Pending (oldest due first), overdue only, or done (latest first)."""
    now = clock.now()
    query = Followup.select(*FOLLOWUP_COLUMNS)
    if state == "done":
        query = query.where(Followup.done_at.is_not_null()).order_by(Followup.done_at, ascending=False)
    else:
        query = query.where(Followup.done_at.is_null()).order_by(Followup.due_at).order_by(Followup.id)
        if state == "overdue":
            query = query.where(Followup.due_at < now)
    rows = await query.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    return await _followup_reads(rows, now)


async def get_followup(followup_id: int) -> FollowupRead:
    rows = await Followup.select(*FOLLOWUP_COLUMNS).where(Followup.id == followup_id)
    if not rows:
        raise NotFound("Follow-up {id} not found.", id=followup_id)
    return (await _followup_reads(rows, clock.now()))[0]


async def _followup_reads(rows: list[dict[str, Any]], now: datetime) -> list[FollowupRead]:
    if not rows:
        return []
    near = (await loop_settings.current()).near_breach_percent
    phones = {c.id: c.phones for c in await core.customers_by_ids([r["customer_id"] for r in rows])}
    ticket_ids = [row["ticket"] for row in rows]
    results: dict[int, str] = {}
    for order in (
        await WorkOrder.select(WorkOrder.ticket, WorkOrder.result)
        .where(WorkOrder.ticket.is_in(ticket_ids) & WorkOrder.completed_at.is_not_null())
        .order_by(WorkOrder.visit_no)
    ):
        if order["result"]:
            results[order["ticket"]] = order["result"]
    complaints = {
        row["followup"]: row["id"]
        for row in await Complaint.select(Complaint.id, Complaint.followup).where(
            Complaint.followup.is_in([row["id"] for row in rows])
        )
    }
    return [
        FollowupRead(
            id=row["id"],
            ticket_id=row["ticket"],
            ticket_number=row["ticket_number"],
            ticket_kind=TicketKind(row["ticket_kind"]),
            customer_id=row["customer_id"],
            customer_name=row["customer_name"],
            phone=next(iter(phones.get(row["customer_id"], [])), None),
            technician_id=row["technician_id"],
            technician_name=row["technician_name"],
            outlet_name=row["outlet_name"],
            resolved_at=row["resolved_at"],
            resolution_note=row["resolution_note"],
            work_result=WorkResult(results[row["ticket"]]) if row["ticket"] in results else None,
            created_at=row["created_at"],
            due=loop_clock(row["resolved_at"] or row["created_at"], row["due_at"], row["done_at"], now, near),
            done_at=row["done_at"],
            agent_name=row["agent_name"],
            reached=row["reached"],
            score=row["score"],
            comment=row["comment"],
            complaint_id=complaints.get(row["id"]),
        )
        for row in rows
    ]
