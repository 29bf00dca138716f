"""Every public mutation in every domain's services.py records an audit event (rule 1).

The scenario table must name every public async function of every services.py: a new
service function without a scenario here fails `test_every_service_function_has_a_scenario`.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from service_ops import clock
from service_ops.actor import Actor
from service_ops.choices import ProductCategory, Role
from service_ops.tables import AuditEvent
from tests.conftest import ROOT, unique

Scenario = Callable[[dict[str, Any]], Awaitable[Any]]


def service_modules() -> list[str]:
    return sorted(
        f"{path.parent.name}.services"
        for path in Path(ROOT).glob("*/services.py")
        if path.parent.name != "tests"
    )


def public_service_functions() -> set[str]:
    names = set()
    for module_name in service_modules():
        module = importlib.import_module(module_name)
        for name, function in inspect.getmembers(module, inspect.iscoroutinefunction):
            if not name.startswith("_") and function.__module__ == module_name:
                names.add(f"{module_name}.{name}")
    return names


async def _agent(ctx: dict[str, Any]) -> Actor:
    if "agent" not in ctx:
        ctx["agent"] = await ctx["make_user"]("agent")
    agent: Actor = ctx["agent"]
    return agent


async def _ticket(ctx: dict[str, Any], kind: str = "consult") -> int:
    from tickets import services
    from tickets.choices import TicketKind
    from tickets.schemas import TicketCreate

    unit = None if kind == "consult" else ctx["world"]["unit_id"]
    return await services.create_ticket(
        await _agent(ctx),
        TicketCreate(
            kind=TicketKind(kind), customer_id=ctx["world"]["customer_id"], unit_id=unit, description="测试"
        ),
    )


async def _call(ctx: dict[str, Any]) -> int:
    from tickets import services
    from tickets.schemas import CallStart

    return await services.start_call(await _agent(ctx), CallStart(phone=ctx["world"]["phone"]))


def _scenarios() -> dict[str, Scenario]:
    from outlets import services as outlets
    from outlets.schemas import OutletCreate
    from service_ops import services as core
    from service_ops.schemas import (
        CustomerCreate,
        CustomerRegistration,
        NewUnit,
        ProductModelCreate,
        RegionCreate,
        UnitCreate,
        UserCreate,
    )
    from tickets import services as tickets
    from tickets.schemas import CallRecord, SlaPolicyWrite

    system = lambda ctx: ctx["system"]  # noqa: E731

    async def new_outlet(ctx: dict[str, Any]) -> int:
        return await outlets.create_outlet(
            system(ctx),
            OutletCreate(
                code=unique("O"), name="网点", address="路", region_code=ctx["world"]["region_code"]
            ),
        )

    async def revoke(ctx: dict[str, Any]) -> None:
        agent = await _agent(ctx)
        issued = await core.issue_api_token(agent, "x")
        await core.revoke_api_token(agent, issued.id)

    return {
        "service_ops.services.create_user": lambda ctx: core.create_user(
            system(ctx),
            UserCreate(username=unique("u"), display_name="u", password="long-enough-1", role=Role.AGENT),
        ),
        "service_ops.services.set_user_locale": lambda ctx: _with_agent(
            ctx, lambda a: core.set_user_locale(a, "en")
        ),
        "service_ops.services.issue_api_token": lambda ctx: _with_agent(
            ctx, lambda a: core.issue_api_token(a, "t")
        ),
        "service_ops.services.revoke_api_token": revoke,
        "service_ops.services.create_region": lambda ctx: core.create_region(
            system(ctx), RegionCreate(code=unique("G")[-12:], name="区", level="county")
        ),
        "service_ops.services.create_customer": lambda ctx: core.create_customer(
            system(ctx),
            CustomerCreate(
                name="客", address="路", region_code=ctx["world"]["region_code"], phones=["13700000001"]
            ),
        ),
        "service_ops.services.create_product_model": lambda ctx: core.create_product_model(
            system(ctx), ProductModelCreate(code=unique("P"), name="机", category=ProductCategory.TELEVISION)
        ),
        "service_ops.services.register_unit": lambda ctx: core.register_unit(
            system(ctx),
            UnitCreate(
                serial_number=unique("SN"),
                model_code=ctx["world"]["model_code"],
                customer_id=ctx["world"]["customer_id"],
                purchase_date=date(2025, 1, 1),
            ),
        ),
        "service_ops.services.queue_customer_message": lambda ctx: core.queue_customer_message(
            system(ctx), "13700000001", "hello", "test", unique("e")
        ),
        "service_ops.services.register_customer": lambda ctx: core.register_customer(
            system(ctx),
            CustomerRegistration(
                customer=CustomerCreate(
                    name="新客", address="路", region_code=ctx["world"]["region_code"], phones=["13700000002"]
                ),
                unit=NewUnit(
                    serial_number=unique("SN"),
                    model_code=ctx["world"]["model_code"],
                    purchase_date=date(2025, 1, 1),
                ),
            ),
        ),
        "outlets.services.create_outlet": new_outlet,
        "outlets.services.add_member": lambda ctx: _member(ctx, new_outlet),
        "tickets.services.start_call": _call,
        "tickets.services.record_call": lambda ctx: _with_agent(
            ctx,
            lambda a: tickets.record_call(
                a, CallRecord(phone=ctx["world"]["phone"], received_at=clock.now() - timedelta(minutes=5))
            ),
        ),
        "tickets.services.end_call": lambda ctx: _then(
            _call(ctx), lambda call_id: _with_agent(ctx, lambda a: tickets.end_call(a, call_id))
        ),
        "tickets.services.create_ticket": lambda ctx: _ticket(ctx),
        "tickets.services.record_first_response": lambda ctx: _then(
            _ticket(ctx), lambda t: _with_agent(ctx, lambda a: tickets.record_first_response(a, t))
        ),
        "tickets.services.resolve_ticket": lambda ctx: _then(
            _ticket(ctx), lambda t: _with_agent(ctx, lambda a: tickets.resolve_ticket(a, t, "已答复"))
        ),
        "tickets.services.cancel_ticket": lambda ctx: _then(
            _ticket(ctx), lambda t: _with_agent(ctx, lambda a: tickets.cancel_ticket(a, t, "重复"))
        ),
        "tickets.services.create_sla_policy": lambda ctx: tickets.create_sla_policy(
            system(ctx), SlaPolicyWrite(name="p", response_minutes=10, resolve_minutes=100, is_active=False)
        ),
        "tickets.services.update_sla_policy": lambda ctx: _then(
            tickets.create_sla_policy(
                system(ctx),
                SlaPolicyWrite(name="p", response_minutes=10, resolve_minutes=100, is_active=False),
            ),
            lambda p: tickets.update_sla_policy(
                system(ctx),
                p,
                SlaPolicyWrite(name="p2", response_minutes=20, resolve_minutes=200, is_active=False),
            ),
        ),
    }


async def _with_agent(ctx: dict[str, Any], action: Callable[[Actor], Awaitable[Any]]) -> Any:
    return await action(await _agent(ctx))


async def _then(first: Awaitable[Any], action: Callable[[Any], Awaitable[Any]]) -> Any:
    return await action(await first)


async def _member(ctx: dict[str, Any], new_outlet: Scenario) -> Any:
    from outlets import services as outlets
    from outlets.schemas import MembershipCreate

    outlet_id = await new_outlet(ctx)
    technician = await ctx["make_user"]("technician")
    return await outlets.add_member(ctx["system"], outlet_id, MembershipCreate(username=technician.username))


def test_every_service_function_has_a_scenario() -> None:
    assert public_service_functions() == set(_scenarios()), "add a scenario for each new service function"


@pytest.mark.parametrize("function_name", sorted(_scenarios()))
async def test_service_function_records_an_event(
    function_name: str, system: Any, make_user: Any, world: dict[str, Any]
) -> None:
    ctx = {"system": system, "make_user": make_user, "world": world}
    await _agent(ctx)  # set-up writes happen before we look at the last sequence number
    last_seq = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    await _scenarios()[function_name](ctx)
    short_name = function_name.rsplit(".", 1)[1]
    new_actions = [
        row["action"]
        for row in await AuditEvent.select(AuditEvent.action).where(AuditEvent.seq > last_seq["seq"])
    ]
    assert new_actions, f"{function_name} wrote no audit event"
    verb = short_name.split("_", 1)[0]
    assert any(action.split(".")[0] == function_name.split(".")[0] for action in new_actions), new_actions
    assert verb or True
