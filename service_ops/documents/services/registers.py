"""Service targets (long, medium, annual) and management reviews: recorded, and amended with a reason."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from service_ops import clock, idempotency
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.documents import events, kpi_codes
from service_ops.documents.choices import Horizon
from service_ops.documents.schemas import ManagementReviewWrite, ServiceTargetWrite
from service_ops.documents.services.common import WRITE_ROLES, existing_user
from service_ops.documents.tables import ManagementReview, ServiceTarget
from service_ops.errors import Conflict, Invalid, NotFound
from service_ops.uow import lock_row, unit_of_work
from service_ops.validation import required_text

T = ServiceTarget
MAX_TEXT = 20_000
MAX_ATTENDEES = 100
MAX_YEARS = 20
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def _target_values(data: ServiceTargetWrite) -> dict[str, Any]:
    kpi = kpi_codes.kpi_code(data.kpi_code)
    horizon = Horizon(data.horizon)
    if data.period_to < data.period_from:
        raise Invalid("The period ends on or after the day it starts.", field="period_to")
    if data.period_from < EARLIEST_DATE or data.period_to > LATEST_DATE:
        raise Invalid(
            "A target's period lies between {first} and {last}.",
            field="period_from",
            first=EARLIEST_DATE.isoformat(),
            last=LATEST_DATE.isoformat(),
        )
    if (data.period_to - data.period_from).days > 366 * MAX_YEARS:
        raise Invalid("A target's period lies within {years} years.", field="period_to", years=MAX_YEARS)
    year_end = clock.add_months(data.period_from, 12) - timedelta(days=1)
    if horizon == Horizon.ANNUAL and data.period_to > year_end:
        raise Invalid("An annual target covers at most one year.", field="period_to")
    note = (data.note or "").strip()
    if len(note) > 2000:
        raise Invalid("The field “{field}” is too long (at most {max} characters).", field="note", max=2000)
    return {
        "horizon": horizon.value,
        "period_from": data.period_from,
        "period_to": data.period_to,
        "kpi_code": kpi.code,
        "target": kpi_codes.target_comparison(data.target, kpi),
        "owner": data.owner_id,
        "note": note,
    }


async def _check_overlap(values: dict[str, Any], target_id: int | None = None) -> None:
    where = (
        (T.horizon == values["horizon"])
        & (T.kpi_code == values["kpi_code"])
        & (T.period_from <= values["period_to"])
        & (T.period_to >= values["period_from"])
    )
    if target_id is not None:
        where &= T.id != target_id
    clash = await T.select(T.id).where(where).first()
    if clash is not None:
        raise Conflict(
            "Target {id} already sets {kpi} for part of this period at this horizon.",
            field="period_from",
            id=clash["id"],
            kpi=values["kpi_code"],
        )


async def create_service_target(
    actor: Actor, data: ServiceTargetWrite, idempotency_key: str | None = None
) -> int:
    """Set a numbered target for a KPI over a period; one per (horizon, KPI) at any day."""
    check_role(actor, WRITE_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "create_service_target", idempotency_key)
    if replayed is not None:
        return int(replayed)
    values = _target_values(data)
    async with unit_of_work(actor) as uow:
        await existing_user(data.owner_id, "owner_id", active=True)
        await _check_overlap(values)
        target = T(**values, created_by=actor.user_id, created_at=clock.now())
        await target.save()
        uow.record(events.TARGET_CREATED, "service_target", target.id, after=values)
        await idempotency.remember(
            actor, "create_service_target", idempotency_key, "service_target", target.id
        )
        return int(target.id)


async def amend_service_target(actor: Actor, target_id: int, data: ServiceTargetWrite, reason: str) -> None:
    """Revise a target (5.1.5.2: targets are revised); the audit trail keeps what it was and why."""
    check_role(actor, WRITE_ROLES)
    why = required_text(reason, "reason", 1000)
    values = _target_values(data)
    async with unit_of_work(actor) as uow:
        await lock_row(T, target_id)
        before = await T.select(*[getattr(T, key) for key in values]).where(T.id == target_id).first()
        if before is None:
            raise NotFound("Service target {id} not found.", id=target_id)
        if before["owner"] != data.owner_id:
            await existing_user(data.owner_id, "owner_id", active=True)
        await _check_overlap(values, target_id)
        await T.update({getattr(T, key): value for key, value in values.items()}).where(T.id == target_id)
        uow.record(
            events.TARGET_AMENDED, "service_target", target_id, before=before, after=values, reason=why
        )


def _review_values(data: ManagementReviewWrite) -> dict[str, Any]:
    if not EARLIEST_DATE <= data.held_on <= clock.today():
        raise Invalid("A management review is recorded once it has been held.", field="held_on")
    attendees = [name.strip() for name in data.attendees if name.strip()]
    if not attendees:
        raise Invalid("The field “{field}” is required.", field="attendees")
    if len(attendees) > MAX_ATTENDEES or any(len(name) > 100 or "\n" in name for name in attendees):
        raise Invalid(
            "List at most {max} attendees, one name (up to 100 characters) per line.",
            field="attendees",
            max=MAX_ATTENDEES,
        )
    return {
        "held_on": data.held_on,
        "attendees": "\n".join(attendees),
        "inputs": required_text(data.inputs, "inputs", MAX_TEXT),
        "decisions": required_text(data.decisions, "decisions", MAX_TEXT),
        "actions": required_text(data.actions, "actions", MAX_TEXT),
    }


async def record_management_review(
    actor: Actor, data: ManagementReviewWrite, idempotency_key: str | None = None
) -> int:
    """Record a management review that was held: attendees, inputs, decisions and actions."""
    check_role(actor, WRITE_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "record_management_review", idempotency_key)
    if replayed is not None:
        return int(replayed)
    values = _review_values(data)
    async with unit_of_work(actor) as uow:
        review = ManagementReview(**values, created_by=actor.user_id, created_at=clock.now())
        await review.save()
        uow.record(events.REVIEW_RECORDED, "management_review", review.id, after=values)
        await idempotency.remember(
            actor, "record_management_review", idempotency_key, "management_review", review.id
        )
        return int(review.id)


async def amend_management_review(
    actor: Actor, review_id: int, data: ManagementReviewWrite, reason: str
) -> None:
    """Correct the minutes of a review; the audit trail keeps the earlier text and the reason."""
    check_role(actor, WRITE_ROLES)
    why = required_text(reason, "reason", 1000)
    values = _review_values(data)
    async with unit_of_work(actor) as uow:
        await lock_row(ManagementReview, review_id)
        columns = [getattr(ManagementReview, key) for key in values]
        before = await ManagementReview.select(*columns).where(ManagementReview.id == review_id).first()
        if before is None:
            raise NotFound("Management review {id} not found.", id=review_id)
        await ManagementReview.update(
            {getattr(ManagementReview, key): value for key, value in values.items()}
        ).where(ManagementReview.id == review_id)
        uow.record(
            events.REVIEW_AMENDED, "management_review", review_id, before=before, after=values, reason=why
        )
