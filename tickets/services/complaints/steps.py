"""A complaint's steps inside a unit of work: the status graph, registering, each move and its event.

Shared by the actor-facing functions (.handling) and by corrective actions, which carry their complaint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service_ops import clock, numbering
from service_ops import services as core_services
from service_ops.choices import Role
from service_ops.errors import N_, InvalidTransition, NotFound
from service_ops.uow import UnitOfWork, lock_row
from tickets import events, loop_queries, loop_settings
from tickets.choices import Channel, ComplaintCategory, ComplaintSeverity
from tickets.choices import ComplaintStatus as S
from tickets.tables import Complaint, CorrectiveAction

ESCALATION_ROLES = {1: Role.SERVICE_MANAGER, 2: Role.HQ_MANAGER}
"""Who is told at each escalation level (head-office managers stand in for the management representative)."""
TRANSITIONS: dict[S, frozenset[S]] = {
    S.OPEN: frozenset({S.ACKNOWLEDGED}),
    S.ACKNOWLEDGED: frozenset({S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
"""The status graph as data: every move is checked against it."""
ESCALATED_MESSAGE = N_("Complaint {number} was escalated to you (level {level}): {reason}")
MAJOR_MESSAGE = N_("Major complaint {number} was registered and escalated to you (level {level}).")
SNAPSHOT = (
    "number",
    "channel",
    "ticket",
    "followup",
    "customer",
    "severity",
    "category",
    "description",
    "status",
    "received_at",
    "ack_due",
    "resolve_due",
    "escalation_level",
)


def can_move(current: S, target: S) -> bool:
    return target in TRANSITIONS[current]


def move(complaint: Complaint, target: S) -> None:
    if not can_move(S(complaint.status), target):
        raise InvalidTransition(
            "A complaint that is {status} cannot become {target}.",
            status=complaint.status,
            target=target.value,
        )
    complaint.status = target.value


async def locked_complaint(complaint_id: int) -> Complaint:
    await lock_row(Complaint, complaint_id)
    complaint = await Complaint.objects().get(Complaint.id == complaint_id)
    if complaint is None:
        raise NotFound("Complaint {id} not found.", id=complaint_id)
    return complaint


async def register(
    uow: UnitOfWork,
    *,
    channel: Channel,
    customer_id: int,
    ticket_id: int | None,
    followup_id: int | None,
    severity: ComplaintSeverity,
    category: ComplaintCategory,
    description: str,
) -> int:
    moment = clock.now()
    commitments = await loop_settings.current()
    day = moment.astimezone(clock.org_zone()).strftime("%Y%m%d")
    complaint = Complaint(
        number=f"C{day}{await numbering.next_value('complaint:' + day):05d}",
        channel=channel.value,
        ticket=ticket_id,
        followup=followup_id,
        customer=customer_id,
        severity=severity.value,
        category=category.value,
        description=description,
        status=S.OPEN.value,
        received_at=moment,
        ack_due=moment + commitments.complaint_ack_window,
        resolve_due=moment + commitments.complaint_resolve_window,
        created_by=uow.actor.user_id,
    )
    await complaint.save()
    uow.record(events.COMPLAINT_OPENED, "complaint", complaint.id, after=snapshot(complaint))
    if severity == ComplaintSeverity.MAJOR:
        await raise_level(uow, complaint, 1, "severity: major", moment, MAJOR_MESSAGE)
    return int(complaint.id)


def snapshot(complaint: Complaint) -> dict[str, Any]:
    return {column: getattr(complaint, column) for column in SNAPSHOT}


async def acknowledge(
    uow: UnitOfWork, complaint: Complaint, moment: datetime, reason: str | None = None
) -> None:
    move(complaint, S.ACKNOWLEDGED)
    complaint.acknowledged_at, complaint.handler = moment, complaint.handler or uow.actor.user_id
    await complaint.save([Complaint.status, Complaint.acknowledged_at, Complaint.handler])
    uow.record(
        events.COMPLAINT_ACKNOWLEDGED,
        "complaint",
        complaint.id,
        before={"status": S.OPEN.value},
        after={"status": complaint.status, "acknowledged_at": moment, "handler": complaint.handler},
        reason=reason,
    )


async def raise_level(
    uow: UnitOfWork,
    complaint: Complaint,
    level: int,
    reason: str,
    moment: datetime | None = None,
    message: str = ESCALATED_MESSAGE,
) -> None:
    if complaint.status == S.CLOSED.value:
        raise InvalidTransition("A closed complaint is not escalated.")
    before = complaint.escalation_level
    complaint.escalation_level, complaint.escalated_at = level, moment or clock.now()
    await complaint.save([Complaint.escalation_level, Complaint.escalated_at])
    recipients = await loop_queries.active_user_ids(ESCALATION_ROLES[level].value)
    uow.record(
        events.COMPLAINT_ESCALATED,
        "complaint",
        complaint.id,
        before={"escalation_level": before},
        after={"escalation_level": level, "escalated_at": complaint.escalated_at, "notified": recipients},
        reason=reason,
    )
    for user_id in recipients:
        await core_services.notify(
            uow.actor,
            user_id,
            message,
            "complaint",
            complaint.id,
            number=complaint.number,
            level=level,
            reason=reason,
        )


async def resolve(
    uow: UnitOfWork, complaint: Complaint, root_cause: str, resolution: str, reason: str | None = None
) -> None:
    move(complaint, S.RESOLVED)
    complaint.root_cause, complaint.resolution, complaint.resolved_at = root_cause, resolution, clock.now()
    await complaint.save(
        [Complaint.status, Complaint.root_cause, Complaint.resolution, Complaint.resolved_at]
    )
    uow.record(
        events.COMPLAINT_RESOLVED,
        "complaint",
        complaint.id,
        before={"status": S.ACKNOWLEDGED.value},
        after={
            "status": complaint.status,
            "root_cause": root_cause,
            "resolution": resolution,
            "resolved_at": complaint.resolved_at,
        },
        reason=reason,
    )


async def close(uow: UnitOfWork, complaint: Complaint, reason: str | None) -> None:
    move(complaint, S.CLOSED)
    complaint.closed_at = clock.now()
    await complaint.save([Complaint.status, Complaint.closed_at])
    uow.record(
        events.COMPLAINT_CLOSED,
        "complaint",
        complaint.id,
        before={"status": S.RESOLVED.value},
        after={"status": complaint.status, "closed_at": complaint.closed_at},
        reason=reason,
    )


async def open_actions(complaint_id: int, besides: int | None = None) -> list[str]:
    query = CorrectiveAction.select(CorrectiveAction.number).where(
        (CorrectiveAction.complaint == complaint_id) & CorrectiveAction.closed_on.is_null()
    )
    if besides is not None:
        query = query.where(CorrectiveAction.id != besides)
    return [row["number"] for row in await query]


async def taken_on_by_corrective_action(uow: UnitOfWork, complaint_id: int, action_number: str) -> None:
    """Opening a corrective action on a complaint nobody acknowledged yet acknowledges it."""
    complaint = await locked_complaint(complaint_id)
    if complaint.status == S.OPEN.value:
        await acknowledge(uow, complaint, clock.now(), reason=f"corrective action {action_number}")


async def settled_by_corrective_action(
    uow: UnitOfWork,
    complaint_id: int,
    action_id: int,
    action_number: str,
    description: str,
    closure_note: str,
) -> None:
    """The complaint's last open corrective action closed effectively: resolve the complaint if it is
    not yet resolved (root cause kept, else the action's description; the closure note as the
    resolution), then close it."""
    complaint = await locked_complaint(complaint_id)
    if complaint.status == S.CLOSED.value or await open_actions(complaint_id, besides=action_id):
        return
    reason = f"corrective action {action_number}"
    if complaint.status == S.OPEN.value:
        await acknowledge(uow, complaint, clock.now(), reason=reason)
    if complaint.status == S.ACKNOWLEDGED.value:
        await resolve(uow, complaint, complaint.root_cause or description, closure_note, reason=reason)
    await close(uow, complaint, reason)
