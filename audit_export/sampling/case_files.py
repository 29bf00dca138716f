"""A drawn case's file: everything the records say about it, read through the domains' queries.

For a ticket: its call, the ticket with its SLA clocks, the dispatch offers, every visit (steps,
parts, photos, signature, confirmation), the follow-up, complaints with their corrective actions,
三包 requests, and the audit events of all of those. A work order's file is its ticket's file with
that visit in focus; a complaint's file is the complaint with its corrective actions and, when it
names one, its ticket's file. Read-only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from audit_export.sampling.frame import SampleEntity
from audit_export.sampling.queries import CaseRead
from service_ops.errors import N_, NotFound
from service_ops.tables import AuditEvent
from tickets import dispatch_queries, field_queries, loop_queries, queries
from tickets.field_schemas import WorkOrderRead
from tickets.loop_schemas import ComplaintRead, CorrectiveActionRead, FollowupRead, GuaranteeRead
from tickets.schemas import CallRead, TicketRead
from tickets.tables import Complaint, Followup, GuaranteeRequest, Ticket, WorkOrder


class DispatchRead(msgspec.Struct, kw_only=True):
    outlet_code: str
    outlet_name: str
    mode: str
    rank: int | None
    dispatched_at: datetime
    dispatched_by: str
    accept_due: datetime
    decided_at: datetime | None
    decision: str | None
    decided_by: str | None
    reason: str


class SignatureRead(msgspec.Struct, kw_only=True):
    sha256: str
    href: str


class JobFile(msgspec.Struct, kw_only=True):
    work_order: WorkOrderRead
    signature: SignatureRead | None
    focus: bool


class ComplaintFile(msgspec.Struct, kw_only=True):
    complaint: ComplaintRead
    corrective_actions: list[CorrectiveActionRead]
    focus: bool


class TicketFile(msgspec.Struct, kw_only=True):
    ticket: TicketRead
    calls: list[CallRead]
    dispatches: list[DispatchRead]
    jobs: list[JobFile]
    followup: FollowupRead | None
    guarantees: list[GuaranteeRead]


class EventRead(msgspec.Struct, kw_only=True):
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    reason: str | None


class CaseFile(msgspec.Struct, kw_only=True):
    case: CaseRead
    ticket_file: TicketFile | None
    complaints: list[ComplaintFile]
    events: list[EventRead]


def signature_href(work_order_id: int) -> str:
    return f"/auditor/signatures/{work_order_id}"


async def _dispatches(ticket_id: int) -> list[DispatchRead]:
    return [
        DispatchRead(
            outlet_code=row["outlet_code"] or "",
            outlet_name=row["outlet_name"] or "",
            mode=row["mode"],
            rank=row["rank"],
            dispatched_at=row["dispatched_at"],
            dispatched_by=row["dispatched_by"],
            accept_due=row["accept_due"],
            decided_at=row["decided_at"],
            decision=row["decision"],
            decided_by=row["decided_by_name"],
            reason=row["reason"],
        )
        for row in await dispatch_queries.dispatch_history(ticket_id)
    ]


async def _jobs(ticket_id: int, focus_id: int | None) -> list[JobFile]:
    rows = await (
        WorkOrder.select(WorkOrder.id, WorkOrder.signature_path, WorkOrder.signature_sha256)
        .where(WorkOrder.ticket == ticket_id)
        .order_by(WorkOrder.visit_no)
        .order_by(WorkOrder.id)
    )
    return [
        JobFile(
            work_order=await field_queries.get_work_order(row["id"]),
            signature=SignatureRead(sha256=row["signature_sha256"], href=signature_href(row["id"]))
            if row["signature_path"]
            else None,
            focus=row["id"] == focus_id,
        )
        for row in rows
    ]


async def _followup(ticket_id: int) -> FollowupRead | None:
    row = await Followup.select(Followup.id).where(Followup.ticket == ticket_id).first()
    return await loop_queries.get_followup(row["id"]) if row else None


async def _guarantees(ticket_id: int) -> list[GuaranteeRead]:
    rows = await (
        GuaranteeRequest.select(GuaranteeRequest.id)
        .where(GuaranteeRequest.ticket == ticket_id)
        .order_by(GuaranteeRequest.id)
    )
    return [await loop_queries.get_guarantee(row["id"]) for row in rows]


async def ticket_file(ticket_id: int, focus_work_order_id: int | None = None) -> TicketFile:
    ticket = await queries.get_ticket(ticket_id)
    return TicketFile(
        ticket=ticket,
        calls=[await queries.get_call(ticket.call_id)] if ticket.call_id else [],
        dispatches=await _dispatches(ticket_id),
        jobs=await _jobs(ticket_id, focus_work_order_id),
        followup=await _followup(ticket_id),
        guarantees=await _guarantees(ticket_id),
    )


async def _complaint_file(complaint_id: int, focus_id: int | None) -> ComplaintFile:
    return ComplaintFile(
        complaint=await loop_queries.get_complaint(complaint_id),
        corrective_actions=await loop_queries.corrective_actions_of_complaint(complaint_id),
        focus=complaint_id == focus_id,
    )


async def _complaints_of_ticket(ticket_id: int, focus_id: int | None) -> list[ComplaintFile]:
    rows = await Complaint.select(Complaint.id).where(Complaint.ticket == ticket_id).order_by(Complaint.id)
    return [await _complaint_file(row["id"], focus_id) for row in rows]


async def _events(file: TicketFile | None, complaints: list[ComplaintFile]) -> list[EventRead]:
    """The audit events of every record in the file, in the order they were recorded."""
    ids: dict[str, set[int]] = {}
    if file is not None:
        ids["ticket"] = {file.ticket.id}
        ids["call"] = {call.id for call in file.calls}
        ids["work_order"] = {job.work_order.id for job in file.jobs}
        ids["followup"] = {file.followup.id} if file.followup else set()
        ids["guarantee_request"] = {guarantee.id for guarantee in file.guarantees}
    ids["complaint"] = {entry.complaint.id for entry in complaints}
    ids["corrective_action"] = {action.id for entry in complaints for action in entry.corrective_actions}
    condition: Any = None
    for entity, entity_ids in ids.items():
        if entity_ids:
            part = (AuditEvent.entity == entity) & AuditEvent.entity_id.is_in(sorted(map(str, entity_ids)))
            condition = part if condition is None else condition | part
    imported = await _import_event_condition(file)
    if imported is not None:
        condition = imported if condition is None else condition | imported
    if condition is None:
        return []
    rows = (
        await AuditEvent.select(
            AuditEvent.seq,
            AuditEvent.at,
            AuditEvent.actor,
            AuditEvent.action,
            AuditEvent.entity,
            AuditEvent.entity_id,
            AuditEvent.reason,
        )
        .where(condition)
        .order_by(AuditEvent.seq)
    )
    return [EventRead(**row) for row in rows]


async def _import_event_condition(file: TicketFile | None) -> Any:
    """An imported ticket's history begins with the import that brought it (its origin is the
    import event's reason, `import:<bundle sha256>`)."""
    if file is None:
        return None
    row = await Ticket.select(Ticket.origin).where(Ticket.id == file.ticket.id).first()
    if not row or not row["origin"]:
        return None
    return (AuditEvent.action == "audit_export.history_imported") & (AuditEvent.reason == row["origin"])


async def _ticket_of(entity: SampleEntity, entity_id: int) -> int | None:
    table: Any = WorkOrder if entity == SampleEntity.WORK_ORDER else Complaint
    row = await table.select(table.ticket).where(table.id == entity_id).first()
    if row is None:
        raise NotFound(
            N_("The drawn record {entity} {id} no longer exists."), entity=entity.value, id=entity_id
        )
    ticket_id: int | None = row["ticket"]
    return ticket_id


async def case_file(case: CaseRead) -> CaseFile:
    """The file of one drawn case (see the module's docstring for what it holds)."""
    focus_job = case.entity_id if case.entity == SampleEntity.WORK_ORDER else None
    focus_complaint = case.entity_id if case.entity == SampleEntity.COMPLAINT else None
    ticket_id = (
        case.entity_id
        if case.entity == SampleEntity.TICKET
        else await _ticket_of(case.entity, case.entity_id)
    )
    file = await ticket_file(ticket_id, focus_job) if ticket_id else None
    complaints = await _complaints_of_ticket(ticket_id, focus_complaint) if ticket_id else []
    if focus_complaint is not None and not any(entry.focus for entry in complaints):
        complaints.insert(0, await _complaint_file(focus_complaint, focus_complaint))
    complaints.sort(key=lambda entry: not entry.focus)
    return CaseFile(
        case=case, ticket_file=file, complaints=complaints, events=await _events(file, complaints)
    )
