"""Audit scenarios for outlets.services (see tests/audit_scenarios.py)."""

from __future__ import annotations

from typing import Any

from outlets import services
from outlets.schemas import MembershipCreate, OutletCreate
from tests.audit_scenarios import Scenarios
from tests.conftest import unique


async def new_outlet(ctx: dict[str, Any]) -> int:
    return await services.create_outlet(
        ctx["system"],
        OutletCreate(code=unique("O"), name="网点", address="路", region_code=ctx["world"]["region_code"]),
    )


async def _member(ctx: dict[str, Any]) -> int:
    outlet_id = await new_outlet(ctx)
    technician = await ctx["make_user"]("technician")
    return await services.add_member(ctx["system"], outlet_id, MembershipCreate(username=technician.username))


SCENARIOS: Scenarios = {
    "outlets.services.create_outlet": ("outlets.outlet_created", new_outlet),
    "outlets.services.add_member": ("outlets.member_added", _member),
}
