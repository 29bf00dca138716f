"""Calls: taken by an agent, or reported by the telephony system with its own times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from service_ops import clock
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.errors import Invalid, InvalidTransition, NotFound
from service_ops.tables import Customer
from service_ops.uow import unit_of_work
from service_ops.validation import normalise_phone
from tickets import events
from tickets.schemas import CallRecord, CallStart
from tickets.services.common import HOTLINE_ROLES
from tickets.tables import Call

CLOCK_SKEW = timedelta(minutes=5)


async def start_call(actor: Actor, data: CallStart) -> int:
    """The agent takes a call: received and answered now, by this agent."""
    check_role(actor, HOTLINE_ROLES)
    phone = normalise_phone(data.phone)
    async with unit_of_work(actor) as uow:
        customer_id = await _existing_customer(data.customer_id)
        moment = clock.now()
        call = Call(
            direction="inbound",
            phone=phone,
            customer=customer_id,
            agent=actor.user_id,
            received_at=moment,
            answered_at=moment,
        )
        await call.save()
        uow.record(events.CALL_STARTED, "call", call.id, after=_call_snapshot(call))
        return int(call.id)


async def record_call(actor: Actor, data: CallRecord) -> int:
    """A call reported by the telephony system, with the switch's own timestamps."""
    check_role(actor, HOTLINE_ROLES)
    phone = normalise_phone(data.phone)
    _check_call_times(data.received_at, data.answered_at, data.ended_at)
    async with unit_of_work(actor) as uow:
        call = Call(
            direction="inbound",
            phone=phone,
            customer=await _existing_customer(data.customer_id),
            agent=actor.user_id,
            received_at=data.received_at,
            answered_at=data.answered_at,
            ended_at=data.ended_at,
            notes=data.notes[:2000],
        )
        await call.save()
        uow.record(events.CALL_RECORDED, "call", call.id, after=_call_snapshot(call))
        return int(call.id)


def _check_call_times(received: datetime, answered: datetime | None, ended: datetime | None) -> None:
    if received.tzinfo is None:
        raise Invalid("Times must carry a time zone (e.g. 2026-11-23T09:30:00+08:00).", field="received_at")
    if received > clock.now() + CLOCK_SKEW:
        raise Invalid("A call cannot be received in the future.", field="received_at")
    if answered is not None and answered < received:
        raise Invalid("A call cannot be answered before it was received.", field="answered_at")
    if ended is not None and ended < (answered or received):
        raise Invalid("A call cannot end before it started.", field="ended_at")


async def end_call(actor: Actor, call_id: int, notes: str = "") -> None:
    check_role(actor, HOTLINE_ROLES)
    async with unit_of_work(actor) as uow:
        call = await Call.objects().get(Call.id == call_id)
        if call is None:
            raise NotFound("Call {id} not found.", id=call_id)
        if call.ended_at is not None:
            raise InvalidTransition("This call has already ended.")
        before = _call_snapshot(call)
        call.ended_at = clock.now()
        call.notes = (notes or call.notes)[:2000]
        await call.save([Call.ended_at, Call.notes])
        uow.record(events.CALL_ENDED, "call", call_id, before=before, after=_call_snapshot(call))


def _call_snapshot(call: Call) -> dict[str, Any]:
    return {
        "phone": call.phone,
        "customer": call.customer,
        "agent": call.agent,
        "received_at": call.received_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "notes": call.notes,
    }


async def _existing_customer(customer_id: int | None) -> int | None:
    if customer_id is None:
        return None
    if not await Customer.exists().where(Customer.id == customer_id):
        raise Invalid("Unknown customer {id}.", field="customer_id", id=customer_id)
    return customer_id
