"""Corrective actions (整改, CAPA) from complaints, surveys, inspections and reviews.

An action taken on a complaint carries the complaint with it: opening one acknowledges a complaint
nobody had acknowledged yet, and closing the complaint's last open action as effective resolves
the complaint (if it was not resolved yet) and closes it.
"""

from __future__ import annotations

from typing import Any

from service_ops import clock, idempotency, numbering
from service_ops import services as core_services
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import N_, Conflict, Invalid, NotFound, PermissionDenied
from service_ops.tables import User
from service_ops.uow import lock_row, unit_of_work
from service_ops.validation import required_text
from tickets import events
from tickets.choices import CapaSource
from tickets.loop_schemas import CorrectiveActionCreate
from tickets.services.complaints.steps import settled_by_corrective_action, taken_on_by_corrective_action
from tickets.tables import Complaint, CorrectiveAction

__all__ = ["close_corrective_action", "open_corrective_action"]

OPEN_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER, Role.OUTLET_MANAGER)
CLOSE_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER)
"""Besides the action's owner."""
SNAPSHOT = ("number", "source", "complaint", "source_ref", "description", "owner", "opened_on", "due_on")


async def open_corrective_action(
    actor: Actor, data: CorrectiveActionCreate, idempotency_key: str | None = None
) -> int:
    """Open an action with an owner and a due date (today or later); one from a complaint names it."""
    check_role(actor, OPEN_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "open_corrective_action", idempotency_key)
    if replayed is not None:
        return int(replayed)
    description, source_ref = _checked(data)
    async with unit_of_work(actor) as uow:
        await _check_owner(data.owner_id)
        if data.complaint_id is not None and not await Complaint.exists().where(
            Complaint.id == data.complaint_id
        ):
            raise Invalid("Unknown complaint {id}.", field="complaint_id", id=data.complaint_id)
        day = clock.now().astimezone(clock.org_zone()).strftime("%Y%m%d")
        action = CorrectiveAction(
            number=f"CA{day}{await numbering.next_value('corrective_action:' + day):04d}",
            source=CapaSource(data.source).value,
            complaint=data.complaint_id,
            source_ref=source_ref,
            description=description,
            owner=data.owner_id,
            opened_on=clock.today(),
            due_on=data.due_on,
            created_by=actor.user_id,
        )
        await action.save()
        await idempotency.remember(
            actor, "open_corrective_action", idempotency_key, "corrective_action", action.id
        )
        uow.record(events.CORRECTIVE_ACTION_OPENED, "corrective_action", action.id, after=_snapshot(action))
        if data.complaint_id is not None:
            await taken_on_by_corrective_action(uow, data.complaint_id, action.number)
        if data.owner_id != actor.user_id:
            await core_services.notify(
                actor,
                data.owner_id,
                N_("Corrective action {number} is yours to carry out by {due}."),
                "corrective_action",
                action.id,
                number=action.number,
                due=data.due_on.isoformat(),
            )
        return int(action.id)


def _checked(data: CorrectiveActionCreate) -> tuple[str, str]:
    """The description and reference; the due date is today or later; a complaint only for that source."""
    description = required_text(data.description, "description", 4000)
    source_ref = (data.source_ref or "").strip()
    if len(source_ref) > 64:
        raise Invalid("The reference is too long (at most {max} characters).", field="source_ref", max=64)
    if data.due_on < clock.today():
        raise Invalid("The due date cannot be in the past.", field="due_on")
    from_complaint = CapaSource(data.source) == CapaSource.COMPLAINT
    if from_complaint and data.complaint_id is None:
        raise Invalid("Choose the complaint this action answers.", field="complaint_id")
    if not from_complaint and data.complaint_id is not None:
        raise Invalid("Only an action from a complaint refers to a complaint.", field="complaint_id")
    return description, source_ref


async def _check_owner(owner_id: int) -> None:
    owner = await User.select(User.role, User.is_active).where(User.id == owner_id).first()
    if owner is None or not owner["is_active"]:
        raise Invalid("The owner must be an active user.", field="owner_id")
    if owner["role"] == Role.AUDITOR.value:
        raise Invalid("An auditor changes nothing, so cannot own a corrective action.", field="owner_id")


def _snapshot(action: CorrectiveAction) -> dict[str, Any]:
    return {column: getattr(action, column) for column in SNAPSHOT}


async def close_corrective_action(
    actor: Actor, action_id: int, closure_note: str, effectiveness_check: str, effective: bool
) -> None:
    """The owner or a service manager closes the action today, saying how its effect was checked."""
    if actor.role == Role.AUDITOR:
        raise PermissionDenied("Your role ({role}) may not do this.", role=actor.role.value)
    note = required_text(closure_note, "closure_note", 4000)
    check = required_text(effectiveness_check, "effectiveness_check", 4000)
    async with unit_of_work(actor) as uow:
        await lock_row(CorrectiveAction, action_id)
        action = await CorrectiveAction.objects().get(CorrectiveAction.id == action_id)
        if action is None:
            raise NotFound("Corrective action {id} not found.", id=action_id)
        if action.owner != actor.user_id and not actor.has_role(*CLOSE_ROLES):
            raise PermissionDenied("Only the action's owner or a service manager may close it.")
        if action.closed_on is not None:
            raise Conflict("This corrective action was already closed.")
        action.closed_on, action.closure_note = clock.today(), note
        action.effectiveness_check, action.effective = check, bool(effective)
        await action.save(
            [
                CorrectiveAction.closed_on,
                CorrectiveAction.closure_note,
                CorrectiveAction.effectiveness_check,
                CorrectiveAction.effective,
            ]
        )
        uow.record(
            events.CORRECTIVE_ACTION_CLOSED,
            "corrective_action",
            action_id,
            before={"closed_on": None},
            after={
                "closed_on": action.closed_on,
                "closure_note": note,
                "effectiveness_check": check,
                "effective": action.effective,
                "on_time": action.closed_on <= action.due_on,
            },
        )
        if action.complaint is not None and action.effective:
            await settled_by_corrective_action(
                uow, action.complaint, action_id, action.number, action.description, note
            )
