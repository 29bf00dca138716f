"""Demo network: coverage, categories and inspections of the demo outlets (through the services).

Called by service_ops.demo after the demo regions, staff and outlets (with their members) exist. A
repair ticket for an air conditioner in 南山区 then has two eligible outlets (SZ-NS01 via 深圳市,
SZ-BA01 directly) once training has certified their technicians (tech_ns1/2, tech_ba1); 肇庆市 stays
uncovered, so the coverage page shows a gap.
"""

from __future__ import annotations

from datetime import timedelta

from outlets import services
from outlets.schemas import InspectionCreate
from outlets.tables import Outlet, OutletCoverage
from service_ops import clock
from service_ops.actor import Actor
from service_ops.choices import ProductCategory, Role
from service_ops.tables import User

AC = ProductCategory.AIR_CONDITIONER.value
WASHER = ProductCategory.WASHING_MACHINE.value
FRIDGE = ProductCategory.REFRIGERATOR.value
HEATER = ProductCategory.WATER_HEATER.value

NETWORK = {
    "SZ-NS01": (["440300"], [AC, WASHER, FRIDGE, HEATER]),
    "GZ-TH01": (["440100"], [AC, FRIDGE]),
    "SZ-BA01": (["440306", "440305"], [AC, WASHER]),
}
INSPECTIONS = [
    ("SZ-NS01", 30, 92, "工具齐全，备件台账清晰；建议补充新员工上岗证复印件。"),
    ("GZ-TH01", 12, 78, "服务承诺未在前台张贴；两单回访记录缺失，限期一周整改。"),
]


async def load_network_demo(system: Actor) -> dict[str, int]:
    """Coverage and categories of the demo outlets and two inspections; once only."""
    if await OutletCoverage.count() > 0:
        return {}
    outlet_ids = {row["code"]: row["id"] for row in await Outlet.select(Outlet.id, Outlet.code)}
    for code, (regions, categories) in NETWORK.items():
        await services.set_coverage(system, outlet_ids[code], regions)
        await services.set_categories(system, outlet_ids[code], categories)
    inspector = await User.select(User.username).where(User.role == Role.SERVICE_MANAGER.value).first()
    for code, days_ago, score, findings in INSPECTIONS:
        await services.record_inspection(
            system,
            outlet_ids[code],
            InspectionCreate(
                inspected_on=clock.today() - timedelta(days=days_ago),
                score=score,
                findings=findings,
                inspector_username=inspector["username"] if inspector else None,
            ),
        )
    return {"outlets_with_coverage": len(NETWORK), "inspections": len(INSPECTIONS)}
