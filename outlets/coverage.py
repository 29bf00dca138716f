"""Coverage over the region tree: an outlet covers the regions it lists and all their descendants."""

from __future__ import annotations

from datetime import date

from outlets.tables import OutletCoverage
from service_ops.queries import region_read
from service_ops.schemas import RegionRead
from service_ops.tables import Region


def agreement_current(kind: str, agreement_expires: date | None, on: date) -> bool:
    """An own outlet needs no agreement; an authorised one's must not have expired (blank: open-ended)."""
    return kind != "authorised" or agreement_expires is None or agreement_expires >= on


async def uncovered_sales_regions(on: date) -> list[RegionRead]:
    """Sales regions that no active outlet with a current agreement covers (kpis.md outlet_coverage_rate)."""
    regions = await Region.select().order_by(Region.code)
    parents = {row["id"]: row["parent"] for row in regions}
    covered_roots = await _regions_listed_by_serving_outlets(on)
    memo: dict[int, bool] = {}

    def covered(region_id: int | None, depth: int = 0) -> bool:
        if region_id is None or depth > 32:
            return False
        if region_id not in memo:
            memo[region_id] = region_id in covered_roots or covered(parents.get(region_id), depth + 1)
        return memo[region_id]

    return [region_read(row) for row in regions if row["is_sales_region"] and not covered(row["id"])]


async def _regions_listed_by_serving_outlets(on: date) -> set[int]:
    rows = await OutletCoverage.select(
        OutletCoverage.region,
        OutletCoverage.outlet.kind.as_alias("kind"),
        OutletCoverage.outlet.agreement_expires.as_alias("agreement_expires"),
    ).where(OutletCoverage.outlet._.is_active.eq(True))
    return {row["region"] for row in rows if agreement_current(row["kind"], row["agreement_expires"], on)}
