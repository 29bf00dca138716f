"""What the manager dashboard shows, assembled read-only from the KPI engine, snapshots and targets:
KPI tiles, trends, the outlet league table, one outlet's scorecard and a KPI's records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from audit_export import charts
from audit_export.dashboard import display, trends
from audit_export.kpis import definitions, drilldown, engine
from audit_export.kpis.figures import KpiFigure
from audit_export.period import Period
from audit_export.targets import Target, targets_on
from outlets.tables import Outlet
from service_ops.errors import N_, Invalid, NotFound
from service_ops.i18n import gettext

OUTLET_DIMENSION = "outlet"
PARTS = ("numerator", "denominator")
PAGE_SIZE = 50


@dataclass(frozen=True)
class KpiView:
    """One KPI's figure with what it is judged against, and its monthly trend."""

    code: str
    title: str
    unit: str
    figure: KpiFigure
    target: Target | None
    months: list[date] = field(default_factory=list)
    trend: list[float | None] = field(default_factory=list)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.target.met(self.figure.value)

    @property
    def shown(self) -> str:
        return display.format_value(self.figure.value, self.unit)

    @property
    def target_shown(self) -> str:
        if self.target is None:
            return ""
        return self.target.operator.replace(">=", "≥").replace("<=", "≤") + display.format_value(
            self.target.number, self.unit
        )

    def sparkline(self) -> str:
        return charts.sparkline(self.trend, title=gettext("{title}: last 12 months", title=self.title))

    def chart(self) -> str:
        return charts.line_chart(
            [month.strftime("%Y-%m") for month in self.months],
            self.trend,
            title=self.title,
            target=None if self.target is None else self.target.number,
            format_value=display.value_format(self.unit),
        )


def definition(code: str) -> definitions.KpiDefinition:
    """The KPI's definition, or a 404 naming the code."""
    found = definitions.KPIS.get(code)
    if found is None:
        raise NotFound(N_("There is no KPI “{code}”."), code=code[:60])
    return found


def outlet_kpi_codes() -> list[str]:
    """The KPIs that have an outlet breakdown, in definition order."""
    return [code for code, kpi in definitions.KPIS.items() if OUTLET_DIMENSION in kpi.dimensions]


async def kpi_views(
    period: Period, as_of: datetime, outlet_code: str | None = None, codes: Sequence[str] | None = None
) -> list[KpiView]:
    """The figures of `period` (organisation or one outlet) with targets and 12-month trends."""
    figures = await engine.compute_kpis(period, as_of, outlet_code=outlet_code)
    targets = await targets_on(period.last_day)
    months = trends.months_up_to(period.last_day, as_of)
    known = (
        {months[-1]: {code: f.value for code, f in figures.items()}}
        if period == Period.month(months[-1])
        else {}
    )
    monthly = await trends.monthly_values(months, as_of, outlet_code=outlet_code, known=known)
    views = []
    for code in codes if codes is not None else list(definitions.KPIS):
        if code not in figures:
            continue
        kpi = definitions.KPIS[code]
        views.append(
            KpiView(
                code=code,
                title=gettext(kpi.title),
                unit=display.unit_name(kpi.unit),
                figure=figures[code],
                target=targets.get(code),
                months=months,
                trend=trends.series(monthly, code),
            )
        )
    return views


@dataclass(frozen=True)
class OutletRow:
    code: str
    name: str
    figures: dict[str, KpiFigure]


@dataclass(frozen=True)
class LeagueTable:
    columns: list[str]
    rows: list[OutletRow]
    sort: str
    descending: bool


SORT_BY_OUTLET = "outlet"


def _sort_rows(rows: list[OutletRow], sort: str, descending: bool) -> list[OutletRow]:
    """By outlet code, or by a KPI's value with outlets lacking a value always last."""
    if sort == SORT_BY_OUTLET:
        return sorted(rows, key=lambda row: row.code, reverse=descending)
    known = [row for row in rows if row.figures.get(sort) is not None and row.figures[sort].value is not None]
    unknown = [row for row in rows if row not in known]
    known.sort(key=lambda row: (row.figures[sort].value or 0.0, row.code), reverse=descending)
    return known + sorted(unknown, key=lambda row: row.code)


async def outlet_names() -> dict[str, str]:
    rows = await Outlet.select(Outlet.code, Outlet.name).order_by(Outlet.code)
    return {row["code"]: row["name"] for row in rows}


async def league_table(
    period: Period, as_of: datetime, sort: str = SORT_BY_OUTLET, descending: bool = False
) -> LeagueTable:
    """Every outlet's KPIs of `period` (one grouped computation), sorted server-side."""
    columns = outlet_kpi_codes()
    if sort != SORT_BY_OUTLET and sort not in columns:
        raise Invalid(
            N_("Cannot sort by “{sort}”: choose outlet or one of the KPI columns."),
            field="sort",
            sort=sort[:60],
        )
    by_outlet = await engine.compute_kpis_by(period, as_of, OUTLET_DIMENSION)
    names = await outlet_names()
    rows = [
        OutletRow(code=code, name=names.get(code, code), figures=by_outlet.get(code, {}))
        for code in sorted(set(names) | set(by_outlet))
    ]
    return LeagueTable(
        columns=columns, rows=_sort_rows(rows, sort, descending), sort=sort, descending=descending
    )


async def outlet_id(code: str) -> int:
    """The id of the outlet with `code`, or a 404."""
    row = await Outlet.select(Outlet.id).where(Outlet.code == code).first()
    if row is None:
        raise NotFound(N_("There is no outlet with code {code}."), code=code[:40])
    return int(row["id"])


@dataclass(frozen=True)
class KpiRecords:
    """A KPI's figure and one page of each part's records (numerator and denominator)."""

    view: KpiView
    columns: list[str]
    pages: dict[str, drilldown.RecordPage]
    offsets: dict[str, int]
    limit: int


def check_part(part: str) -> str:
    if part not in PARTS:
        raise Invalid(
            N_("part must be numerator or denominator, not “{part}”."), field="part", part=part[:40]
        )
    return part


def check_page(offset: int, limit: int) -> None:
    if offset < 0:
        raise Invalid(N_("offset cannot be negative."), field="offset")
    if not 1 <= limit <= 500:
        raise Invalid(N_("limit must be between 1 and 500."), field="limit")


async def kpi_records(
    code: str,
    period: Period,
    as_of: datetime,
    outlet_code: str | None = None,
    offsets: dict[str, int] | None = None,
    limit: int = PAGE_SIZE,
) -> KpiRecords:
    """The figure of one KPI (organisation or outlet) and a page of its numerator and denominator."""
    definition(code)
    offsets = {part: (offsets or {}).get(part, 0) for part in PARTS}
    for offset in offsets.values():
        check_page(offset, limit)
    views = await kpi_views(period, as_of, outlet_code=outlet_code, codes=[code])
    if not views:
        raise NotFound(N_("KPI {code} has no figure for this outlet."), code=code)
    pages = {
        part: await drilldown.kpi_records(
            code, period, as_of, part, outlet_code=outlet_code, offset=offsets[part], limit=limit
        )
        for part in PARTS
    }
    return KpiRecords(
        view=views[0], columns=list(drilldown.record_columns(code)), pages=pages, offsets=offsets, limit=limit
    )
