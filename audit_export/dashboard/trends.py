"""Monthly KPI values for trend charts: read from snapshots, computed only where none exists.

Per month: the frozen snapshot (month close) if there is one, else the latest live snapshot, else
the month computed now. One query reads the snapshots of every month asked; at most `MONTHS`
months are ever computed for one chart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from audit_export.kpis import engine
from audit_export.period import Period, local_date
from audit_export.tables import KpiSnapshot
from service_ops import clock

MONTHS = 12
MonthValues = dict[str, float | None]


def months_up_to(last_day: date, as_of: datetime, count: int = MONTHS) -> list[date]:
    """The first days of the `count` months ending with the one holding `last_day` (never past as_of)."""
    newest = min(last_day, local_date(as_of)).replace(day=1)
    return [clock.add_months(newest, offset) for offset in range(1 - count, 1)]


def _values(figures: dict[str, Any]) -> MonthValues:
    """code → value from a snapshot's canonical JSON ({code: {value, numerator, denominator}})."""
    return {code: (None if f.get("value") is None else float(f["value"])) for code, f in figures.items()}


def _snapshot_values(row: dict[str, Any], outlet_code: str | None) -> MonthValues:
    if outlet_code is None:
        return _values(json.loads(row["kpis"]))
    return _values(json.loads(row["by_outlet"] or "{}").get(outlet_code, {}))


def _best_snapshots(rows: Sequence[dict[str, Any]]) -> dict[date, dict[str, Any]]:
    """Month start → its frozen snapshot, else its latest live one (rows ordered by as_of)."""
    chosen: dict[date, dict[str, Any]] = {}
    for row in rows:
        if row["period_to"] != clock.add_months(row["period_from"], 1):
            continue
        current = chosen.get(row["period_from"])
        if current is None or current["kind"] != "frozen":
            chosen[row["period_from"]] = row
    return chosen


async def monthly_values(
    months: Sequence[date],
    as_of: datetime,
    outlet_code: str | None = None,
    known: dict[date, MonthValues] | None = None,
) -> dict[date, MonthValues]:
    """Month start → code → value, for the organisation or one outlet.

    `known` months (the figures the page computed anyway) are taken as given: the tile and the
    last point of its sparkline then agree even while the month's live snapshot is older.
    """
    rows = (
        await KpiSnapshot.select(
            KpiSnapshot.kind,
            KpiSnapshot.period_from,
            KpiSnapshot.period_to,
            KpiSnapshot.kpis,
            KpiSnapshot.by_outlet,
        )
        .where(KpiSnapshot.period_from.is_in(list(months)))
        .order_by(KpiSnapshot.as_of)
        if months
        else []
    )
    snapshots = _best_snapshots(rows)
    result: dict[date, MonthValues] = {}
    for month in months:
        if known and month in known:
            result[month] = known[month]
        elif month in snapshots:
            result[month] = _snapshot_values(snapshots[month], outlet_code)
        else:
            figures = await engine.compute_kpis(Period.month(month), as_of, outlet_code=outlet_code)
            result[month] = {code: figure.value for code, figure in figures.items()}
    return result


def series(values: dict[date, MonthValues], code: str) -> list[float | None]:
    """One KPI's values in month order (None where the month has no figure)."""
    return [values[month].get(code) for month in sorted(values)]
