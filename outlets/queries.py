"""Read-only queries over outlets, for pages, the API and other domains."""

from __future__ import annotations

from outlets.schemas import OutletRead
from outlets.tables import Outlet, OutletMembership
from service_ops import clock


async def outlet_ids_of_user(user_id: int) -> frozenset[int]:
    """Outlets a person works at today: the scope of outlet managers and technicians."""
    today = clock.today()
    rows = await OutletMembership.select(OutletMembership.outlet, OutletMembership.until).where(
        (OutletMembership.user == user_id) & (OutletMembership.since <= today)
    )
    return frozenset(row["outlet"] for row in rows if row["until"] is None or row["until"] >= today)


async def list_outlets() -> list[OutletRead]:
    rows = await Outlet.select().order_by(Outlet.code)
    return [
        OutletRead(
            id=r["id"],
            code=r["code"],
            name=r["name"],
            kind=r["kind"],
            address=r["address"],
            region_id=r["region"],
            daily_capacity=r["daily_capacity"],
            is_active=r["is_active"],
        )
        for r in rows
    ]
