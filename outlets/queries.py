"""Read-only queries over outlets, for pages, the API and other domains (dispatch, auth, jobs)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from outlets.coverage import uncovered_sales_regions
from outlets.ranking import OutletCandidate, Reason, rank_outlets
from outlets.schemas import InspectionRead, MemberRead, OutletRead
from outlets.tables import Outlet, OutletCategory, OutletCoverage, OutletInspection, OutletMembership
from service_ops import clock
from service_ops.choices import Role
from service_ops.errors import NotFound
from service_ops.queries import region_read
from service_ops.schemas import RegionRead
from training import queries as training

__all__ = [
    "OutletCandidate",
    "Reason",
    "TechnicianOption",
    "coverage_of",
    "get_inspection",
    "get_outlet",
    "inspections_of",
    "list_outlets",
    "members_of",
    "outlet_ids_of_user",
    "outlet_manager_ids",
    "rank_outlets",
    "technicians_for",
    "uncovered_sales_regions",
]


@dataclass(frozen=True, slots=True)
class TechnicianOption:
    user_id: int
    name: str
    qualified: bool
    missing: list[str]
    """Course codes training says are missing, empty when qualified."""
    reason: str | None


def _current(on: date) -> Any:
    return (OutletMembership.since <= on) & (
        OutletMembership.until.is_null() | (OutletMembership.until >= on)
    )


async def outlet_ids_of_user(user_id: int) -> frozenset[int]:
    """Outlets a person works at today: the scope of outlet managers and technicians."""
    today = clock.today()
    rows = await OutletMembership.select(OutletMembership.outlet, OutletMembership.until).where(
        (OutletMembership.user == user_id) & (OutletMembership.since <= today)
    )
    return frozenset(row["outlet"] for row in rows if row["until"] is None or row["until"] >= today)


async def list_outlets() -> list[OutletRead]:
    return await _outlets(await Outlet.select().order_by(Outlet.code))


async def get_outlet(outlet_id: int) -> OutletRead:
    rows = await Outlet.select().where(Outlet.id == outlet_id)
    if not rows:
        raise NotFound("Outlet {id} not found.", id=outlet_id)
    return (await _outlets(rows))[0]


async def _outlets(rows: list[dict[str, Any]]) -> list[OutletRead]:
    """Outlets with their coverage codes, categories and today's staff count (three more queries)."""
    ids = [row["id"] for row in rows] or [0]
    coverage: dict[int, list[str]] = {}
    for row in await OutletCoverage.select(
        OutletCoverage.outlet, OutletCoverage.region.code.as_alias("code")
    ).where(OutletCoverage.outlet.is_in(ids)):
        coverage.setdefault(row["outlet"], []).append(row["code"])
    categories: dict[int, list[str]] = {}
    for row in await OutletCategory.select(OutletCategory.outlet, OutletCategory.category).where(
        OutletCategory.outlet.is_in(ids)
    ):
        categories.setdefault(row["outlet"], []).append(row["category"])
    staff: dict[int, int] = {}
    for row in await OutletMembership.select(OutletMembership.outlet).where(
        OutletMembership.outlet.is_in(ids) & _current(clock.today())
    ):
        staff[row["outlet"]] = staff.get(row["outlet"], 0) + 1
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
            phone=r["phone"],
            contact_name=r["contact_name"],
            agreement_number=r["agreement_number"],
            agreement_expires=r["agreement_expires"],
            coverage=sorted(coverage.get(r["id"], [])),
            categories=sorted(categories.get(r["id"], [])),
            staff_count=staff.get(r["id"], 0),
        )
        for r in rows
    ]


async def coverage_of(outlet_id: int) -> list[RegionRead]:
    """The regions an outlet lists (each also covers its descendants), by code."""
    rows = await OutletCoverage.select(
        OutletCoverage.region.id.as_alias("id"),
        OutletCoverage.region.code.as_alias("code"),
        OutletCoverage.region.name.as_alias("name"),
        OutletCoverage.region.level.as_alias("level"),
        OutletCoverage.region.parent.as_alias("parent"),
        OutletCoverage.region.is_sales_region.as_alias("is_sales_region"),
        OutletCoverage.region.service_class.as_alias("service_class"),
    ).where(OutletCoverage.outlet == outlet_id)
    return sorted((region_read(row) for row in rows), key=lambda region: region.code)


async def members_of(outlet_id: int, on: date | None = None) -> list[MemberRead]:
    """The people working at an outlet on a day (default today): managers first, then by name."""
    rows = await OutletMembership.select(
        OutletMembership.id,
        OutletMembership.user,
        OutletMembership.user.display_name.as_alias("name"),
        OutletMembership.user.role.as_alias("role"),
        OutletMembership.is_manager,
        OutletMembership.since,
        OutletMembership.until,
    ).where((OutletMembership.outlet == outlet_id) & _current(on or clock.today()))
    members = [
        MemberRead(
            membership_id=r["id"],
            user_id=r["user"],
            name=r["name"],
            role=r["role"],
            is_manager=r["is_manager"],
            since=r["since"],
            until=r["until"],
        )
        for r in rows
    ]
    return sorted(members, key=lambda m: (not m.is_manager, m.name, m.user_id))


async def outlet_manager_ids(outlet_id: int) -> list[int]:
    """Users managing the outlet today (memberships marked as manager, active accounts)."""
    rows = await OutletMembership.select(OutletMembership.user).where(
        (OutletMembership.outlet == outlet_id)
        & OutletMembership.is_manager.eq(True)
        & OutletMembership.user._.is_active.eq(True)
        & _current(clock.today())
    )
    return sorted({row["user"] for row in rows})


async def manager_ids_of_people(user_ids: Collection[int], on: date) -> dict[int, set[int]]:
    """For each person, the managers of the outlets they work at on `on` (for notifications)."""
    if not user_ids:
        return {}
    rows = await OutletMembership.select(OutletMembership.user, OutletMembership.outlet).where(
        OutletMembership.user.is_in(list(user_ids)) & _current(on)
    )
    outlets_of: dict[int, set[int]] = {}
    for row in rows:
        outlets_of.setdefault(row["user"], set()).add(row["outlet"])
    all_outlets = {outlet for outlets in outlets_of.values() for outlet in outlets}
    managers: dict[int, set[int]] = {}
    for row in await OutletMembership.select(OutletMembership.outlet, OutletMembership.user).where(
        OutletMembership.outlet.is_in(list(all_outlets) or [0])
        & OutletMembership.is_manager.eq(True)
        & OutletMembership.user._.is_active.eq(True)
        & _current(on)
    ):
        managers.setdefault(row["outlet"], set()).add(row["user"])
    return {
        person: {m for outlet in outlets for m in managers.get(outlet, set())}
        for person, outlets in outlets_of.items()
    }


async def technicians_for(outlet_id: int, category: str, on: date) -> list[TechnicianOption]:
    """The outlet's technicians on `on` with training's verdict for the category: qualified first."""
    rows = await OutletMembership.select(
        OutletMembership.user, OutletMembership.user.display_name.as_alias("name")
    ).where(
        (OutletMembership.outlet == outlet_id)
        & (OutletMembership.user.role == Role.TECHNICIAN.value)
        & OutletMembership.user._.is_active.eq(True)
        & _current(on)
    )
    people = {row["user"]: row["name"] for row in rows}
    qualified = await training.qualified_user_ids(people, category, on)
    options = []
    for user_id, name in people.items():
        if user_id in qualified:
            options.append(TechnicianOption(user_id, name, True, [], None))
        else:
            verdict = await training.qualification(user_id, category, on)
            options.append(
                TechnicianOption(user_id, name, verdict.qualified, verdict.missing, verdict.reason)
            )
    return sorted(options, key=lambda option: (not option.qualified, option.name, option.user_id))


async def inspections_of(outlet_id: int) -> list[InspectionRead]:
    """The outlet's inspection register, newest first."""
    return await _inspections(OutletInspection.outlet == outlet_id)


async def get_inspection(inspection_id: int) -> InspectionRead:
    found = await _inspections(OutletInspection.id == inspection_id)
    if not found:
        raise NotFound("Inspection {id} not found.", id=inspection_id)
    return found[0]


async def _inspections(where: Any) -> list[InspectionRead]:
    rows = await OutletInspection.select(
        *OutletInspection.all_columns(),
        OutletInspection.inspector.display_name.as_alias("inspector_name"),
    ).where(where)
    rows.sort(key=lambda r: (r["inspected_on"], r["id"]), reverse=True)
    return [
        InspectionRead(
            id=r["id"],
            outlet_id=r["outlet"],
            inspected_on=r["inspected_on"],
            inspector_id=r["inspector"],
            inspector_name=r["inspector_name"],
            score=r["score"],
            findings=r["findings"],
            created_at=r["created_at"],
        )
        for r in rows
    ]
