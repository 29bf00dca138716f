"""The SLA monitor: finds commitments near breach or breached and tells their owners, once per level.

Every commitment of the service loop is scanned the same way: an open record with a start, a due
time and owners. Near breach = the configured share of the window has passed; breach = the due
time has passed. One `SlaAlert` row per (record, commitment, level) — a unique index — makes the
monitor idempotent and safe to run twice, even concurrently.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from piccolo.columns import Column

from outlets import queries as outlet_queries
from service_ops import clock
from service_ops import queries as core_queries
from service_ops import services as core_services
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import N_
from service_ops.uow import unit_of_work
from tickets import events, loop_settings
from tickets.choices import ComplaintStatus, TicketStatus, WorkOrderStatus
from tickets.services import complaints
from tickets.tables import (
    Complaint,
    CorrectiveAction,
    Followup,
    GuaranteeRequest,
    SlaAlert,
    Ticket,
    WorkOrder,
)
from tickets.transitions import OPEN_STATUSES

__all__ = ["raise_sla_alerts"]

NEAR_BREACH = "near_breach"
BREACH = "breach"
MONITOR_ROLES = (Role.ADMIN, Role.SERVICE_MANAGER)


@dataclass(frozen=True)
class OpenCommitment:
    """One record's running commitment, as the monitor sees it."""

    entity: str
    entity_id: int
    number: str
    start: datetime
    due: datetime
    owner_ids: tuple[int, ...]
    outlet_id: int | None = None

    def level(self, now: datetime, near_share: float) -> str | None:
        if now > self.due:
            return BREACH
        if now >= self.start + (self.due - self.start) * near_share:
            return NEAR_BREACH
        return None


Scanner = Callable[[], Awaitable[list[OpenCommitment]]]
OnBreach = Callable[[Actor, OpenCommitment], Awaitable[object]]


@dataclass(frozen=True)
class CommitmentKind:
    name: str
    scan: Scanner
    messages: dict[str, str]
    breach_roles: tuple[Role, ...] = (Role.SERVICE_MANAGER,)
    on_breach: OnBreach | None = None


def _ids(*values: int | None) -> tuple[int, ...]:
    return tuple(sorted({value for value in values if value is not None}))


async def _open_tickets() -> list[dict[str, Any]]:
    return await Ticket.select(
        Ticket.id,
        Ticket.number,
        Ticket.status,
        Ticket.created_at,
        Ticket.created_by,
        Ticket.outlet,
        Ticket.technician,
        Ticket.response_due,
        Ticket.first_response_at,
        Ticket.resolve_due,
        Ticket.dispatched_at,
        Ticket.accept_due,
    ).where(Ticket.status.is_in([status.value for status in OPEN_STATUSES]))


async def _scan_response() -> list[OpenCommitment]:
    return [
        OpenCommitment(
            "ticket", t["id"], t["number"], t["created_at"], t["response_due"], _ids(t["created_by"])
        )
        for t in await _open_tickets()
        if t["response_due"] is not None and t["first_response_at"] is None
    ]


async def _scan_acceptance() -> list[OpenCommitment]:
    found = []
    for t in await _open_tickets():
        if t["status"] == TicketStatus.DISPATCHED.value and t["accept_due"] is not None:
            managers = await outlet_queries.outlet_manager_ids(t["outlet"])
            found.append(
                OpenCommitment(
                    "ticket",
                    t["id"],
                    t["number"],
                    t["dispatched_at"],
                    t["accept_due"],
                    _ids(*managers),
                    t["outlet"],
                )
            )
    return found


async def _scan_resolution() -> list[OpenCommitment]:
    found = []
    for t in await _open_tickets():
        if t["resolve_due"] is None:
            continue
        owners = await outlet_queries.outlet_manager_ids(t["outlet"]) if t["outlet"] else [t["created_by"]]
        found.append(
            OpenCommitment(
                "ticket", t["id"], t["number"], t["created_at"], t["resolve_due"], _ids(*owners), t["outlet"]
            )
        )
    return found


async def _scan_arrival() -> list[OpenCommitment]:
    rows = await WorkOrder.select(
        WorkOrder.id,
        WorkOrder.number,
        WorkOrder.created_at,
        WorkOrder.arrival_due,
        WorkOrder.technician,
        WorkOrder.outlet,
    ).where(
        WorkOrder.status.is_in([WorkOrderStatus.ASSIGNED.value, WorkOrderStatus.EN_ROUTE.value])
        & WorkOrder.arrival_due.is_not_null()
    )
    return [
        OpenCommitment(
            "work_order",
            r["id"],
            r["number"],
            r["created_at"],
            r["arrival_due"],
            _ids(r["technician"]),
            r["outlet"],
        )
        for r in rows
    ]


async def _scan_followups() -> list[OpenCommitment]:
    rows = await Followup.select(
        Followup.id, Followup.ticket.number, Followup.created_at, Followup.due_at
    ).where(Followup.done_at.is_null())
    agents = await core_queries.active_user_ids(Role.SERVICE_MANAGER)
    return [
        OpenCommitment("followup", r["id"], r["ticket.number"], r["created_at"], r["due_at"], _ids(*agents))
        for r in rows
    ]


async def _complaint_owners(handler: int | None) -> tuple[int, ...]:
    if handler is not None:
        return _ids(handler)
    return _ids(*await core_queries.active_user_ids(Role.SERVICE_MANAGER))


async def _open_complaints(
    due: Column, statuses: list[ComplaintStatus], done: Column
) -> list[OpenCommitment]:
    """Complaints in these statuses whose `done` time is not set yet, against the `due` commitment."""
    rows = await Complaint.select(
        Complaint.id, Complaint.number, Complaint.received_at, due.as_alias("due"), Complaint.handler
    ).where(Complaint.status.is_in([status.value for status in statuses]) & done.is_null())
    return [
        OpenCommitment(
            "complaint",
            r["id"],
            r["number"],
            r["received_at"],
            r["due"],
            await _complaint_owners(r["handler"]),
        )
        for r in rows
    ]


async def _scan_complaint_ack() -> list[OpenCommitment]:
    return await _open_complaints(Complaint.ack_due, [ComplaintStatus.OPEN], Complaint.acknowledged_at)


async def _scan_complaint_resolve() -> list[OpenCommitment]:
    return await _open_complaints(
        Complaint.resolve_due, [ComplaintStatus.OPEN, ComplaintStatus.ACKNOWLEDGED], Complaint.resolved_at
    )


async def _scan_guarantees() -> list[OpenCommitment]:
    rows = await GuaranteeRequest.select(
        GuaranteeRequest.id, GuaranteeRequest.number, GuaranteeRequest.requested_at, GuaranteeRequest.due_at
    ).where(GuaranteeRequest.decided_at.is_null())
    managers = await core_queries.active_user_ids(Role.SERVICE_MANAGER)
    return [
        OpenCommitment("guarantee", r["id"], r["number"], r["requested_at"], r["due_at"], _ids(*managers))
        for r in rows
    ]


def _end_of_day(day: date) -> datetime:
    """A date commitment falls due at the end of that day in the organisation's zone."""
    return datetime.combine(day, time.max).replace(tzinfo=clock.org_zone()).astimezone(UTC)


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min).replace(tzinfo=clock.org_zone()).astimezone(UTC)


async def _scan_corrective_actions() -> list[OpenCommitment]:
    rows = await CorrectiveAction.select(
        CorrectiveAction.id,
        CorrectiveAction.number,
        CorrectiveAction.opened_on,
        CorrectiveAction.due_on,
        CorrectiveAction.owner,
    ).where(CorrectiveAction.closed_on.is_null())
    return [
        OpenCommitment(
            "corrective_action",
            r["id"],
            r["number"],
            _start_of_day(r["opened_on"]),
            _end_of_day(r["due_on"]),
            _ids(r["owner"]),
        )
        for r in rows
    ]


def _escalation(level: int) -> OnBreach:
    async def escalate(actor: Actor, item: OpenCommitment) -> object:
        return await complaints.escalate_complaint(
            actor, item.entity_id, level, "SLA monitor: commitment breached"
        )

    return escalate


async def _notify_outlet_managers(actor: Actor, item: OpenCommitment) -> object:
    """A late arrival is the outlet's business too, not only the technician's."""
    if item.outlet_id is None:
        return None
    for user_id in await outlet_queries.outlet_manager_ids(item.outlet_id):
        await core_services.notify(
            actor,
            user_id,
            N_("Work order {number}: the technician has not arrived; the arrival was due at {due}."),
            item.entity,
            item.entity_id,
            number=item.number,
            due=_shown(item.due),
        )
    return None


COMMITMENTS: tuple[CommitmentKind, ...] = (
    CommitmentKind(
        "response",
        _scan_response,
        {
            NEAR_BREACH: N_("Ticket {number}: the first response is due at {due}."),
            BREACH: N_("Ticket {number}: the first response was due at {due} and is overdue."),
        },
    ),
    CommitmentKind(
        "acceptance",
        _scan_acceptance,
        {
            NEAR_BREACH: N_("Ticket {number}: accept or refuse it by {due}."),
            BREACH: N_("Ticket {number}: the outlet has not answered; acceptance was due at {due}."),
        },
        breach_roles=(Role.DISPATCHER,),
    ),
    CommitmentKind(
        "arrival",
        _scan_arrival,
        {
            NEAR_BREACH: N_("Work order {number}: arrival on site is due at {due}."),
            BREACH: N_("Work order {number}: arrival on site was due at {due} and is overdue."),
        },
        breach_roles=(),
        on_breach=_notify_outlet_managers,
    ),
    CommitmentKind(
        "resolution",
        _scan_resolution,
        {
            NEAR_BREACH: N_("Ticket {number}: resolution is due at {due}."),
            BREACH: N_("Ticket {number}: resolution was due at {due} and is overdue."),
        },
    ),
    CommitmentKind(
        "followup",
        _scan_followups,
        {
            NEAR_BREACH: N_("Follow-up call for ticket {number} is due at {due}."),
            BREACH: N_("Follow-up call for ticket {number} was due at {due} and is overdue."),
        },
        breach_roles=(),
    ),
    CommitmentKind(
        "complaint_ack",
        _scan_complaint_ack,
        {
            NEAR_BREACH: N_("Complaint {number}: acknowledge it by {due}."),
            BREACH: N_("Complaint {number}: acknowledgement was due at {due} and is overdue."),
        },
        breach_roles=(),
        on_breach=_escalation(1),
    ),
    CommitmentKind(
        "complaint_resolve",
        _scan_complaint_resolve,
        {
            NEAR_BREACH: N_("Complaint {number}: resolution is due at {due}."),
            BREACH: N_("Complaint {number}: resolution was due at {due} and is overdue."),
        },
        breach_roles=(),
        on_breach=_escalation(2),
    ),
    CommitmentKind(
        "guarantee",
        _scan_guarantees,
        {
            NEAR_BREACH: N_("三包 request {number}: decide it by {due}."),
            BREACH: N_("三包 request {number}: the decision was due at {due} and is overdue."),
        },
        breach_roles=(Role.HQ_MANAGER,),
    ),
    CommitmentKind(
        "corrective_action",
        _scan_corrective_actions,
        {
            NEAR_BREACH: N_("Corrective action {number} is due on {due}."),
            BREACH: N_("Corrective action {number} was due on {due} and is overdue."),
        },
    ),
)


def _shown(moment: datetime) -> str:
    return moment.astimezone(clock.org_zone()).strftime("%Y-%m-%d %H:%M")


class _AlreadyRaised(Exception):
    """A concurrent monitor raised the same alert first; this transaction rolls back."""


async def _raised_levels(commitment: str, items: list[OpenCommitment]) -> set[tuple[str, int, str]]:
    if not items:
        return set()
    rows = await SlaAlert.select(SlaAlert.entity, SlaAlert.entity_id, SlaAlert.level).where(
        (SlaAlert.commitment == commitment) & SlaAlert.entity_id.is_in([item.entity_id for item in items])
    )
    return {(row["entity"], row["entity_id"], row["level"]) for row in rows}


async def _raise(actor: Actor, kind: CommitmentKind, item: OpenCommitment, level: str) -> None:
    """One alert: the row, its event, the owners' notifications and any escalation, in one transaction."""
    owners = set(item.owner_ids)
    if level == BREACH and kind.breach_roles:
        owners |= set(await core_queries.active_user_ids(*kind.breach_roles))
    async with unit_of_work(actor) as uow:
        moment = clock.now()
        inserted = await SlaAlert.raw(
            "INSERT INTO sla_alert"
            " (entity, entity_id, commitment, level, due_at, raised_at, notified_user_ids)"
            " VALUES ({}, {}, {}, {}, {}, {}, {}) "
            "ON CONFLICT (entity, entity_id, commitment, level) DO NOTHING RETURNING id",
            item.entity,
            item.entity_id,
            kind.name,
            level,
            item.due,
            moment,
            ",".join(str(user_id) for user_id in sorted(owners)),
        )
        if not inserted:
            raise _AlreadyRaised
        uow.record(
            events.SLA_ALERT_RAISED,
            item.entity,
            item.entity_id,
            after={"commitment": kind.name, "level": level, "due_at": item.due, "notified": sorted(owners)},
        )
        for user_id in sorted(owners):
            await core_services.notify(
                actor,
                user_id,
                kind.messages[level],
                item.entity,
                item.entity_id,
                number=item.number,
                due=_shown(item.due),
            )
        if level == BREACH and kind.on_breach is not None:
            await kind.on_breach(actor, item)


async def raise_sla_alerts(actor: Actor) -> int:
    """Scan every commitment and raise the alerts not yet raised; returns how many were raised."""
    check_role(actor, MONITOR_ROLES)
    near_share = (await loop_settings.current()).near_breach_percent / 100
    now = clock.now()
    raised = 0
    for kind in COMMITMENTS:
        items = await kind.scan()
        done = await _raised_levels(kind.name, items)
        for item in items:
            level = item.level(now, near_share)
            if level is None or (item.entity, item.entity_id, level) in done:
                continue
            if level == NEAR_BREACH and (item.entity, item.entity_id, BREACH) in done:
                continue
            try:
                await _raise(actor, kind, item, level)
            except _AlreadyRaised:
                continue
            raised += 1
    return raised
