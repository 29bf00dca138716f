"""Follow-up calls (回访): one per resolved field ticket, worked from a queue by agents.

Also the loop's configurable commitments (follow-up due days, complaint acknowledge / resolve
windows, near-breach share), changed by a service manager.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from service_ops import clock, idempotency
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import Conflict, Invalid, NotFound, PermissionDenied
from service_ops.uow import UnitOfWork, lock_row, unit_of_work
from tickets import events, loop_settings
from tickets.tables import Followup, LoopSettings, Ticket

__all__ = ["record_followup", "update_loop_settings"]

FOLLOWUP_ROLES = (Role.AGENT, Role.SERVICE_MANAGER)
SETTINGS_ROLES = (Role.SERVICE_MANAGER,)
MAX_COMMENT = 4000
SETTING_LIMITS = {
    "followup_due_days": (1, 90),
    "complaint_ack_minutes": (1, 60 * 24 * 7),
    "complaint_resolve_minutes": (1, 60 * 24 * 90),
    "near_breach_percent": (1, 99),
}


async def open_followup(uow: UnitOfWork, ticket_id: int, resolved_at: datetime) -> int:
    """Inside the resolving unit of work: the follow-up falls due the configured days after resolution."""
    existing = await Followup.select(Followup.id).where(Followup.ticket == ticket_id).first()
    if existing is not None:
        return int(existing["id"])
    commitments = await loop_settings.current()
    followup = Followup(
        ticket=ticket_id, created_at=clock.now(), due_at=resolved_at + commitments.followup_window
    )
    await followup.save()
    uow.record(
        events.FOLLOWUP_CREATED,
        "followup",
        followup.id,
        after={"ticket": ticket_id, "due_at": followup.due_at},
    )
    return int(followup.id)


def checked_score(reached: bool, score: int | None) -> int | None:
    """A reached customer gives a score of 1 to 5; one not reached gives none."""
    if not reached:
        if score is not None:
            raise Invalid("A customer who was not reached cannot give a score.", field="score")
        return None
    if score is None:
        raise Invalid("Enter the customer's score (1 to 5).", field="score")
    if isinstance(score, bool) or not 1 <= score <= 5:
        raise Invalid("The score must be between 1 and 5.", field="score")
    return score


async def record_followup(
    actor: Actor,
    followup_id: int,
    reached: bool,
    score: int | None,
    comment: str = "",
    idempotency_key: str | None = None,
) -> int:
    """Record the call's outcome once; the ticket's own technician may not follow up his own job."""
    check_role(actor, FOLLOWUP_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "record_followup", idempotency_key)
    if replayed is not None:
        return int(replayed)
    score = checked_score(reached, score)
    note = (comment or "").strip()
    if len(note) > MAX_COMMENT:
        raise Invalid("The comment is too long (at most {max} characters).", field="comment", max=MAX_COMMENT)
    async with unit_of_work(actor) as uow:
        await lock_row(Followup, followup_id)
        followup = await Followup.objects().get(Followup.id == followup_id)
        if followup is None:
            raise NotFound("Follow-up {id} not found.", id=followup_id)
        ticket = await Ticket.select(Ticket.technician).where(Ticket.id == followup.ticket).first()
        if actor.user_id is not None and ticket is not None and ticket["technician"] == actor.user_id:
            raise PermissionDenied("You did this job yourself; a colleague must make its follow-up call.")
        if followup.done_at is not None:
            raise Conflict("This follow-up was already recorded; reload to see its outcome.")
        followup.done_at, followup.agent = clock.now(), actor.user_id
        followup.reached, followup.score, followup.comment = reached, score, note
        await followup.save(
            [Followup.done_at, Followup.agent, Followup.reached, Followup.score, Followup.comment]
        )
        await idempotency.remember(actor, "record_followup", idempotency_key, "followup", followup_id)
        uow.record(
            events.FOLLOWUP_RECORDED,
            "followup",
            followup_id,
            before={"done_at": None},
            after={
                "done_at": followup.done_at,
                "agent": actor.user_id,
                "reached": reached,
                "score": score,
                "comment": note,
            },
        )
        return followup_id


async def update_loop_settings(
    actor: Actor,
    followup_due_days: int,
    complaint_ack_minutes: int,
    complaint_resolve_minutes: int,
    near_breach_percent: int,
) -> None:
    """Change the commitments for follow-ups and complaints from now on (existing ones keep theirs)."""
    check_role(actor, SETTINGS_ROLES)
    values = _checked_settings(
        {
            "followup_due_days": followup_due_days,
            "complaint_ack_minutes": complaint_ack_minutes,
            "complaint_resolve_minutes": complaint_resolve_minutes,
            "near_breach_percent": near_breach_percent,
        }
    )
    async with unit_of_work(actor) as uow:
        before = asdict(await loop_settings.current())
        row = await LoopSettings.select(LoopSettings.id).order_by(LoopSettings.id, ascending=False).first()
        if row is None:
            settings = LoopSettings()
            for field, value in values.items():
                setattr(settings, field, value)
            await settings.save()
            settings_id = settings.id
        else:
            settings_id = row["id"]
            await lock_row(LoopSettings, settings_id)
            await LoopSettings.update(
                {getattr(LoopSettings, field): value for field, value in values.items()}
            ).where(LoopSettings.id == settings_id)
        uow.record(events.LOOP_SETTINGS_UPDATED, "loop_settings", settings_id, before=before, after=values)


def _checked_settings(values: dict[str, int]) -> dict[str, int]:
    for field, (low, high) in SETTING_LIMITS.items():
        value = values[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(
                "“{field}” must be a whole number from {low} to {high}.", field=field, low=low, high=high
            )
    if values["complaint_resolve_minutes"] < values["complaint_ack_minutes"]:
        raise Invalid(
            "A complaint cannot be due for resolution before it is due to be acknowledged.",
            field="complaint_resolve_minutes",
        )
    return values
