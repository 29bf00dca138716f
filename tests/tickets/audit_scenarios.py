"""Audit scenarios for tickets.services (see tests/audit_scenarios.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service_ops import clock
from tests.audit_scenarios import Scenarios, agent, as_agent, then
from tests.tickets.field_audit_scenarios import SCENARIOS as FIELD_SCENARIOS
from tests.tickets.loop_audit_scenarios import SCENARIOS as LOOP_SCENARIOS
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


HOTLINE_SCENARIOS: Scenarios = {
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


async def _with_network(ctx: dict[str, Any], stage: str, action: Any) -> Any:
    """Build the dispatch tests' network, bring a ticket to `stage`, run `action(setup)`, then retire
    the network's course (it would otherwise bind other tests' technicians)."""
    from tests.outlets.network import retire_course
    from tests.tickets.test_dispatch import build_network, new_field_ticket

    setup = await build_network(ctx["system"], ctx["make_user"])
    try:
        setup["ticket_id"] = await new_field_ticket(ctx["make_user"], setup)
        setup["dispatcher"] = await ctx["make_user"]("dispatcher")
        setup["manager"] = await manager_of(setup, "near")
        if stage in ("dispatched", "accepted"):
            await services.dispatch_ticket(setup["dispatcher"], setup["ticket_id"], setup["near"])
        if stage == "accepted":
            await services.accept_dispatch(setup["manager"], setup["ticket_id"])
        return await action(setup)
    finally:
        await retire_course(ctx["system"], setup["course_id"])


async def manager_of(setup: dict[str, Any], name: str) -> Any:
    from service_ops.auth import load_actor

    return await load_actor(setup[f"{name}_manager"].user_id)


HOTLINE_SCENARIOS.update(
    {
        "tickets.services.dispatch_ticket": (
            events.TICKET_DISPATCHED,
            lambda ctx: _with_network(
                ctx, "new", lambda s: services.dispatch_ticket(s["dispatcher"], s["ticket_id"], s["near"])
            ),
        ),
        "tickets.services.auto_dispatch": (
            events.TICKET_DISPATCHED,
            lambda ctx: _with_network(
                ctx, "new", lambda s: services.auto_dispatch(s["dispatcher"], s["ticket_id"])
            ),
        ),
        "tickets.services.accept_dispatch": (
            events.DISPATCH_ACCEPTED,
            lambda ctx: _with_network(
                ctx, "dispatched", lambda s: services.accept_dispatch(s["manager"], s["ticket_id"])
            ),
        ),
        "tickets.services.refuse_dispatch": (
            events.DISPATCH_REFUSED,
            lambda ctx: _with_network(
                ctx, "dispatched", lambda s: services.refuse_dispatch(s["manager"], s["ticket_id"], "满负荷")
            ),
        ),
        "tickets.services.assign_technician": (
            events.TECHNICIAN_ASSIGNED,
            lambda ctx: _with_network(
                ctx,
                "accepted",
                lambda s: services.assign_technician(s["manager"], s["ticket_id"], s["near_tech"].user_id),
            ),
        ),
    }
)


async def _late_ticket_alerted(ctx: dict[str, Any]) -> None:
    ticket_id = await new_ticket(ctx)
    with clock.frozen_at(clock.now() + timedelta(days=30)):
        await services.raise_sla_alerts(ctx["system"])
    assert ticket_id


HOTLINE_SCENARIOS["tickets.services.raise_sla_alerts"] = (events.SLA_ALERT_RAISED, _late_ticket_alerted)


SCENARIOS: Scenarios = {**HOTLINE_SCENARIOS, **FIELD_SCENARIOS, **LOOP_SCENARIOS}
