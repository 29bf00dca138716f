"""Audit scenarios for outlets.services (see tests/audit_scenarios.py)."""

from __future__ import annotations

from typing import Any

from outlets import events, services
from outlets.schemas import InspectionCreate, MembershipCreate, OutletCreate, OutletUpdate
from service_ops import clock
from tests.audit_scenarios import Scenarios, then
from tests.conftest import unique


async def new_outlet(ctx: dict[str, Any]) -> int:
    return await services.create_outlet(
        ctx["system"],
        OutletCreate(
            code=unique("O"),
            name="网点",
            address="路",
            region_code=ctx["world"]["region_code"],
            region_codes=[ctx["world"]["region_code"]],
            categories=["air_conditioner"],
        ),
    )


async def _member(ctx: dict[str, Any]) -> int:
    outlet_id = await new_outlet(ctx)
    technician = await ctx["make_user"]("technician")
    return await services.add_member(ctx["system"], outlet_id, MembershipCreate(username=technician.username))


async def _inspection(ctx: dict[str, Any]) -> int:
    manager = await ctx["make_user"]("service_manager")
    return await services.record_inspection(
        manager, await new_outlet(ctx), InspectionCreate(inspected_on=clock.today(), score=90, findings="好")
    )


async def _reactivated(ctx: dict[str, Any]) -> None:
    outlet_id = await new_outlet(ctx)
    await services.deactivate_outlet(ctx["system"], outlet_id, "暂停")
    await services.activate_outlet(ctx["system"], outlet_id, "恢复")


SCENARIOS: Scenarios = {
    "outlets.services.create_outlet": (events.OUTLET_CREATED, new_outlet),
    "outlets.services.update_outlet": (
        events.OUTLET_UPDATED,
        lambda ctx: then(
            new_outlet(ctx),
            lambda o: services.update_outlet(ctx["system"], o, OutletUpdate(daily_capacity=20)),
        ),
    ),
    "outlets.services.set_coverage": (
        events.COVERAGE_SET,
        lambda ctx: then(new_outlet(ctx), lambda o: services.set_coverage(ctx["system"], o, [])),
    ),
    "outlets.services.set_categories": (
        events.CATEGORIES_SET,
        lambda ctx: then(
            new_outlet(ctx), lambda o: services.set_categories(ctx["system"], o, ["television"])
        ),
    ),
    "outlets.services.deactivate_outlet": (
        events.OUTLET_DEACTIVATED,
        lambda ctx: then(new_outlet(ctx), lambda o: services.deactivate_outlet(ctx["system"], o, "停业")),
    ),
    "outlets.services.activate_outlet": (events.OUTLET_ACTIVATED, _reactivated),
    "outlets.services.add_member": (events.MEMBER_ADDED, _member),
    "outlets.services.end_membership": (
        events.MEMBERSHIP_ENDED,
        lambda ctx: then(_member(ctx), lambda m: services.end_membership(ctx["system"], m)),
    ),
    "outlets.services.record_inspection": (events.INSPECTION_RECORDED, _inspection),
}
