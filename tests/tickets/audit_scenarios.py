"""Audit scenarios for tickets.services (see tests/audit_scenarios.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service_ops import clock
from tests.audit_scenarios import Scenarios, agent, as_agent, then
from tickets import events, services
from tickets.choices import TicketKind
from tickets.schemas import CallRecord, CallStart, SlaPolicyWrite, TicketCreate


async def new_ticket(ctx: dict[str, Any], kind: str = "consult") -> int:
    unit = None if kind == "consult" else ctx["world"]["unit_id"]
    return await services.create_ticket(
        await agent(ctx),
        TicketCreate(
            kind=TicketKind(kind), customer_id=ctx["world"]["customer_id"], unit_id=unit, description="测试"
        ),
    )


async def _call(ctx: dict[str, Any]) -> int:
    return await services.start_call(await agent(ctx), CallStart(phone=ctx["world"]["phone"]))


def _inactive_policy(name: str, minutes: int) -> SlaPolicyWrite:
    return SlaPolicyWrite(name=name, response_minutes=minutes, resolve_minutes=minutes * 10, is_active=False)


SCENARIOS: Scenarios = {
    "tickets.services.start_call": (events.CALL_STARTED, _call),
    "tickets.services.record_call": (
        events.CALL_RECORDED,
        lambda ctx: as_agent(
            ctx,
            lambda a: services.record_call(
                a, CallRecord(phone=ctx["world"]["phone"], received_at=clock.now() - timedelta(minutes=5))
            ),
        ),
    ),
    "tickets.services.end_call": (
        events.CALL_ENDED,
        lambda ctx: then(_call(ctx), lambda call_id: as_agent(ctx, lambda a: services.end_call(a, call_id))),
    ),
    "tickets.services.create_ticket": (events.TICKET_CREATED, new_ticket),
    "tickets.services.record_first_response": (
        events.FIRST_RESPONSE_RECORDED,
        lambda ctx: then(
            new_ticket(ctx), lambda t: as_agent(ctx, lambda a: services.record_first_response(a, t))
        ),
    ),
    "tickets.services.resolve_ticket": (
        events.TICKET_RESOLVED,
        lambda ctx: then(
            new_ticket(ctx), lambda t: as_agent(ctx, lambda a: services.resolve_ticket(a, t, "已答复"))
        ),
    ),
    "tickets.services.cancel_ticket": (
        events.TICKET_CANCELLED,
        lambda ctx: then(
            new_ticket(ctx), lambda t: as_agent(ctx, lambda a: services.cancel_ticket(a, t, "重复"))
        ),
    ),
    "tickets.services.create_sla_policy": (
        events.SLA_POLICY_CREATED,
        lambda ctx: services.create_sla_policy(ctx["system"], _inactive_policy("p", 10)),
    ),
    "tickets.services.update_sla_policy": (
        events.SLA_POLICY_UPDATED,
        lambda ctx: then(
            services.create_sla_policy(ctx["system"], _inactive_policy("p", 10)),
            lambda p: services.update_sla_policy(ctx["system"], p, _inactive_policy("p2", 20)),
        ),
    ),
}
