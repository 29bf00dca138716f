"""The complaint register (open and overdue first) and one complaint's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.query import Select

from service_ops import clock
from service_ops.errors import N_, NotFound
from service_ops.tables import AuditEvent
from tickets import events, loop_settings
from tickets.choices import Channel, ComplaintCategory, ComplaintSeverity, ComplaintStatus, SlaState
from tickets.loop_queries.common import PAGE_SIZE, local_midnight, loop_clock
from tickets.loop_schemas import ComplaintFilter, ComplaintRead, CorrectiveActionRead, TimelineEntry
from tickets.tables import Complaint

ACTIVE_COMPLAINT = (ComplaintStatus.OPEN.value, ComplaintStatus.ACKNOWLEDGED.value)
FINISHED_COMPLAINT = (ComplaintStatus.RESOLVED.value, ComplaintStatus.CLOSED.value)
COMPLAINT_COLUMNS = (
    *Complaint.all_columns(),
    Complaint.ticket.number.as_alias("ticket_number"),
    Complaint.customer.name.as_alias("customer_name"),
    Complaint.handler.display_name.as_alias("handler_name"),
    Complaint.created_by.display_name.as_alias("created_by_name"),
)


def complaint_read(row: dict[str, Any], now: datetime, near: int) -> ComplaintRead:
    ack = loop_clock(row["received_at"], row["ack_due"], row["acknowledged_at"], now, near)
    resolution = loop_clock(row["received_at"], row["resolve_due"], row["resolved_at"], now, near)
    return ComplaintRead(
        id=row["id"],
        number=row["number"],
        channel=Channel(row["channel"]),
        ticket_id=row["ticket"],
        ticket_number=row["ticket_number"],
        followup_id=row["followup"],
        customer_id=row["customer"],
        customer_name=row["customer_name"],
        severity=ComplaintSeverity(row["severity"]),
        category=ComplaintCategory(row["category"]),
        description=row["description"],
        status=ComplaintStatus(row["status"]),
        received_at=row["received_at"],
        acknowledgement=ack,
        resolution=resolution,
        handler_id=row["handler"],
        handler_name=row["handler_name"],
        escalation_level=row["escalation_level"],
        escalated_at=row["escalated_at"],
        root_cause=row["root_cause"],
        resolution_note=row["resolution"],
        customer_accepted=row["customer_accepted"],
        customer_answered_at=row["customer_answered_at"],
        closed_at=row["closed_at"],
        created_by=row["created_by_name"],
        overdue=SlaState.OVERDUE in (ack.state, resolution.state),
    )


async def list_complaints(filters: ComplaintFilter, page: int = 1) -> list[ComplaintRead]:
    """Open complaints (overdue first, then by the next commitment), then finished ones, newest first."""
    now, near = clock.now(), (await loop_settings.current()).near_breach_percent
    wanted = {filters.status.value} if filters.status else {*ACTIVE_COMPLAINT, *FINISHED_COMPLAINT}
    active_rows = await _filtered(filters, wanted & set(ACTIVE_COMPLAINT))
    active = sorted((complaint_read(row, now, near) for row in active_rows), key=_urgency)
    finished_rows = await (
        _filtered(filters, wanted & set(FINISHED_COMPLAINT))
        .order_by(Complaint.received_at, Complaint.id, ascending=False)
        .limit(max(page, 1) * PAGE_SIZE)
    )
    listed = [*active, *(complaint_read(row, now, near) for row in finished_rows)]
    return listed[(max(page, 1) - 1) * PAGE_SIZE :][:PAGE_SIZE]


def _filtered(filters: ComplaintFilter, statuses: set[str]) -> Select:
    query = Complaint.select(*COMPLAINT_COLUMNS).where(Complaint.status.is_in(sorted(statuses) or [""]))
    if filters.severity:
        query = query.where(Complaint.severity == filters.severity.value)
    if filters.customer_id:
        query = query.where(Complaint.customer == filters.customer_id)
    return query


def _urgency(complaint: ComplaintRead) -> tuple[bool, datetime]:
    """Overdue first, then the nearest commitment still running (acknowledge, else resolve)."""
    clock_ = complaint.resolution if complaint.acknowledgement.done else complaint.acknowledgement
    return (not complaint.overdue, clock_.due or complaint.received_at)


async def get_complaint(complaint_id: int) -> ComplaintRead:
    row = await Complaint.select(*COMPLAINT_COLUMNS).where(Complaint.id == complaint_id).first()
    if row is None:
        raise NotFound("Complaint {id} not found.", id=complaint_id)
    return complaint_read(row, clock.now(), (await loop_settings.current()).near_breach_percent)


async def complaint_timeline(
    complaint: ComplaintRead, actions: list[CorrectiveActionRead]
) -> list[TimelineEntry]:
    """The complaint's milestones and its corrective actions (at the moments their events were recorded)."""
    entries = [TimelineEntry(at=complaint.received_at, what=N_("Received"), detail=complaint.description)]
    if complaint.acknowledgement.done:
        entries.append(_entry(complaint.acknowledgement.done, N_("Acknowledged"), complaint.handler_name))
    if complaint.escalated_at:
        entries.append(_entry(complaint.escalated_at, N_("Escalated"), str(complaint.escalation_level)))
    moments = await _action_moments([action.id for action in actions])
    for action in actions:
        opened = moments.get((action.id, events.CORRECTIVE_ACTION_OPENED)) or local_midnight(action.opened_on)
        entries.append(_entry(opened, N_("Corrective action opened"), action.number))
        if action.closed_on:
            closed = moments.get((action.id, events.CORRECTIVE_ACTION_CLOSED)) or local_midnight(
                action.closed_on
            )
            entries.append(_entry(closed, N_("Corrective action closed"), action.number))
    if complaint.resolution.done:
        entries.append(
            TimelineEntry(at=complaint.resolution.done, what=N_("Resolved"), detail=complaint.resolution_note)
        )
    if complaint.customer_answered_at:
        answer = (
            N_("Customer accepted the outcome")
            if complaint.customer_accepted
            else N_("Customer did not accept the outcome")
        )
        entries.append(TimelineEntry(at=complaint.customer_answered_at, what=answer))
    if complaint.closed_at:
        entries.append(TimelineEntry(at=complaint.closed_at, what=N_("Closed")))
    return sorted(entries, key=lambda entry: entry.at)


def _entry(at: datetime, what: str, detail: str | None = None) -> TimelineEntry:
    return TimelineEntry(at=at, what=what, detail=detail or "")


async def _action_moments(action_ids: list[int]) -> dict[tuple[int, str], datetime]:
    """When each corrective action was opened and closed (its date alone says too little)."""
    if not action_ids:
        return {}
    rows = await AuditEvent.select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.at).where(
        (AuditEvent.entity == "corrective_action")
        & AuditEvent.entity_id.is_in([str(action_id) for action_id in action_ids])
        & AuditEvent.action.is_in([events.CORRECTIVE_ACTION_OPENED, events.CORRECTIVE_ACTION_CLOSED])
    )
    return {(int(row["entity_id"]), row["action"]): row["at"] for row in rows}
