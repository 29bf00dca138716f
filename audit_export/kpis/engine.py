"""Figures of the KPIs: each KPI's record set (recordsets.py) aggregated in the database.

One statement per KPI; a breakdown groups the same record set by the dimension in SQL, so 500
outlets cost the same number of statements as one organisation.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from audit_export.kpis.definitions import KPIS, KpiDefinition
from audit_export.kpis.figures import TWO_PLACES, KpiFigure, ratio
from audit_export.kpis.recordsets import BUILDERS
from audit_export.kpis.sql import Ctx, context, fetch
from audit_export.period import Period
from outlets.tables import Outlet
from service_ops.errors import N_, Invalid, NotFound

AGGREGATES = "SUM(r.den) AS den, SUM(r.cnt) AS cnt, SUM(r.amt) AS amt, SUM(r.damt) AS damt"

GROUPINGS = {
    "outlet": ("g.code", "JOIN outlet g ON g.id = r.outlet_id"),
    "region": ("g.code", "JOIN region g ON g.id = r.region_id"),
    "category": ("r.category", ""),
}


async def outlet_id(outlet_code: str) -> int:
    """The id of an outlet by its code; an unknown code is refused."""
    row = await Outlet.select(Outlet.id).where(Outlet.code == outlet_code).first()
    if row is None:
        raise NotFound(N_("No outlet has the code {code}."), code=outlet_code)
    return int(row["id"])


def record_set_sql(code: str, ctx: Ctx) -> str:
    try:
        builder = BUILDERS[code]
    except KeyError:
        raise NotFound(N_("There is no KPI {code}."), code=code) from None
    return builder(ctx).sql


def _decimal(value: Any) -> Decimal:
    """A SUM from either engine (int, float on SQLite numerics, Decimal on PostgreSQL), 2 places."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(TWO_PLACES)


def figure(definition: KpiDefinition, row: dict[str, Any]) -> KpiFigure:
    """The figure of one aggregated row, by the KPI's unit."""
    den, cnt = int(row["den"] or 0), int(row["cnt"] or 0)
    if definition.code == "fund_reserve_balance":
        balance = _decimal(row["amt"]) / 100
        return KpiFigure(balance.quantize(TWO_PLACES), None, float(balance))
    if definition.unit == "money":
        return ratio(
            (_decimal(row["amt"]) / 100).quantize(TWO_PLACES),
            (_decimal(row["damt"]) / 100).quantize(TWO_PLACES),
        )
    if definition.unit == "hours":
        return ratio(_decimal(row["amt"]), den)
    if definition.unit == "mean":
        return ratio(int(row["amt"] or 0), den)
    return ratio(cnt, den, 1000 if definition.unit == "per_1000" else 1)


async def compute_kpis(
    period: Period, as_of: datetime, outlet_code: str | None = None
) -> dict[str, KpiFigure]:
    """Every KPI for the organisation, or for one outlet (then only KPIs with the outlet dimension)."""
    ctx = context(period, as_of)
    where = "" if outlet_code is None else f" WHERE r.outlet_id = {await outlet_id(outlet_code)}"
    figures: dict[str, KpiFigure] = {}
    for code, definition in KPIS.items():
        if outlet_code is not None and "outlet" not in definition.dimensions:
            continue
        rows = await fetch(f"SELECT {AGGREGATES} FROM ({record_set_sql(code, ctx)}) r{where}")
        figures[code] = figure(definition, rows[0])
    return figures


async def compute_kpis_by(period: Period, as_of: datetime, dimension: str) -> dict[str, dict[str, KpiFigure]]:
    """key (outlet code / region code / category) → code → figure, for the KPIs with that dimension."""
    if dimension not in GROUPINGS:
        raise Invalid(
            N_("{dimension} is not a dimension: use outlet, region or category."),
            field="dimension",
            dimension=dimension,
        )
    key, join = GROUPINGS[dimension]
    ctx = context(period, as_of)
    result: dict[str, dict[str, KpiFigure]] = {}
    for code, definition in KPIS.items():
        if dimension not in definition.dimensions:
            continue
        rows = await fetch(
            f"SELECT {key} AS dim, {AGGREGATES} FROM ({record_set_sql(code, ctx)}) r {join} "
            f"WHERE {key} IS NOT NULL GROUP BY {key} ORDER BY {key}"
        )
        for row in rows:
            result.setdefault(str(row["dim"]), {})[code] = figure(definition, row)
    return result
