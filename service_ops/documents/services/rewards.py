"""Rewards and penalties (奖惩) for a person or an outlet; corrected by a new record, never edited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service_ops import clock, idempotency, outlet_directory
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.documents import events
from service_ops.documents.choices import RewardKind
from service_ops.documents.schemas import RewardPenaltyWrite
from service_ops.documents.services.common import WRITE_ROLES, existing_user
from service_ops.documents.services.registers import EARLIEST_DATE
from service_ops.documents.tables import RewardPenalty
from service_ops.errors import Conflict, Invalid, NotFound
from service_ops.uow import UnitOfWork, lock_row, unit_of_work
from service_ops.validation import required_text

R = RewardPenalty
MAX_AMOUNT = Decimal("9999999999.99")


def _amount_fen(value: Decimal | None) -> int | None:
    """Yuan with at most two decimals, as whole fen."""
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise Invalid(
            "The amount is a sum in yuan from 0 to {max}, with at most two decimals.",
            field="amount",
            max=str(MAX_AMOUNT),
        )
    return int(value * 100)


async def _values(data: RewardPenaltyWrite) -> dict[str, Any]:
    if not EARLIEST_DATE <= data.decided_on <= clock.today():
        raise Invalid("The decision date cannot be in the future.", field="decided_on")
    if (data.person_id is None) == (data.outlet_id is None):
        raise Invalid("Name either a person or an outlet.", field="person_id")
    if data.person_id is not None:
        subject = await existing_user(data.person_id, "person_id")
    else:
        assert data.outlet_id is not None
        found = (await outlet_directory.outlet_names() or {}).get(data.outlet_id)
        if found is None:
            raise Invalid("Unknown outlet {id}.", field="outlet_id", id=data.outlet_id)
        subject = found
    return {
        "decided_on": data.decided_on,
        "kind": RewardKind(data.kind).value,
        "person": data.person_id,
        "outlet_id": data.outlet_id,
        "subject_name": subject[:200],
        "reason": required_text(data.reason, "reason", 4000),
        "amount_fen": _amount_fen(data.amount),
    }


async def _insert(uow: UnitOfWork, values: dict[str, Any], corrects: int | None = None) -> RewardPenalty:
    record = R(**values, corrects=corrects, created_by=uow.actor.user_id, created_at=clock.now())
    await record.save()
    return record


async def record_reward_penalty(
    actor: Actor, data: RewardPenaltyWrite, idempotency_key: str | None = None
) -> int:
    """Record a reward or a penalty given to a person or an outlet."""
    check_role(actor, WRITE_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "record_reward_penalty", idempotency_key)
    if replayed is not None:
        return int(replayed)
    async with unit_of_work(actor) as uow:
        values = await _values(data)
        record = await _insert(uow, values)
        uow.record(events.REWARD_RECORDED, "reward_penalty", record.id, after=values)
        await idempotency.remember(
            actor, "record_reward_penalty", idempotency_key, "reward_penalty", record.id
        )
        return int(record.id)


async def correct_reward_penalty(actor: Actor, record_id: int, data: RewardPenaltyWrite, reason: str) -> int:
    """Replace a wrong record by a new one that refers to it; the old one stays, marked corrected."""
    check_role(actor, WRITE_ROLES)
    why = required_text(reason, "reason", 1000)
    async with unit_of_work(actor) as uow:
        await lock_row(R, record_id)
        old = await R.select().where(R.id == record_id).first()
        if old is None:
            raise NotFound("Reward or penalty {id} not found.", id=record_id)
        if old["corrected_by"] is not None:
            raise Conflict(
                "This record was already corrected by record {id}; correct that one instead.",
                id=old["corrected_by"],
            )
        values = await _values(data)
        record = await _insert(uow, values, corrects=record_id)
        await R.update({R.corrected_by: record.id}).where(R.id == record_id)
        uow.record(
            events.REWARD_CORRECTED,
            "reward_penalty",
            record_id,
            before={key: old[key] for key in values},
            after={**values, "corrected_by": record.id},
            reason=why,
        )
        return int(record.id)
