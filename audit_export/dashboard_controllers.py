"""The manager dashboard: /dashboard (tiles, expected grade, trends), /dashboard/outlets (league
table), /dashboard/outlets/{code} (one outlet's scorecard), /kpis/{code} (a figure's records) with
its CSV export /kpis/{code}.csv, and their JSON twins under /api/kpis.

Service and head-office managers see everything (admin and auditors too, read-only); an outlet
manager sees only the outlets he works at: their scorecards and their records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream, Template

from audit_export import charts
from audit_export.dashboard import display, export, grade, queries
from audit_export.dashboard.periods import PERIOD_KIND_LABELS, PeriodChoice, PeriodKind, choose_period
from audit_export.dashboard.queries import KpiView
from audit_export.kpis import definitions
from audit_export.kpis.engine import compute_kpis_by
from audit_export.period import checked_as_of
from service_ops.actor import Actor
from service_ops.auth import CurrentActor, requires
from service_ops.choices import Role
from service_ops.errors import N_, PermissionDenied
from service_ops.i18n import format_datetime, gettext
from service_ops.web import page

MANAGERS = requires(Role.SERVICE_MANAGER, Role.HQ_MANAGER)
SCOPED = requires(Role.SERVICE_MANAGER, Role.HQ_MANAGER, Role.OUTLET_MANAGER)

From = Annotated[str | None, QueryParameter(name="from", description="Custom period: first day")]
To = Annotated[str | None, QueryParameter(name="to", description="Custom period: the day after the last")]
Descending = Annotated[bool, QueryParameter(name="desc", description="Sort from the highest")]


async def check_scope(actor: Actor, outlet_code: str | None) -> None:
    """Outlet managers read only the outlets they work at, never the whole organisation."""
    if actor.role is not Role.OUTLET_MANAGER:
        return
    if outlet_code is None:
        raise PermissionDenied(N_("Outlet managers see the figures of their own outlet only."))
    if await queries.outlet_id(outlet_code) not in actor.outlet_ids:
        raise PermissionDenied(
            N_("Outlet {code} is not yours: you see your own outlet's figures only."), code=outlet_code
        )


# JSON shapes -------------------------------------------------------------------------------------


class TargetRead(msgspec.Struct, kw_only=True):
    operator: str
    number: float
    source: str


class KpiRead(msgspec.Struct, kw_only=True):
    code: str
    title: str
    unit: str
    value: float | None
    numerator: int | str
    denominator: int | str | None
    target: TargetRead | None
    met: bool | None
    trend: dict[str, float | None]


class KpisRead(msgspec.Struct, kw_only=True):
    period: dict[str, str]
    as_of: datetime
    outlet: str | None
    kpis: list[KpiRead]


class OutletKpisRead(msgspec.Struct, kw_only=True):
    code: str
    name: str
    kpis: dict[str, dict[str, Any]]


class LeagueRead(msgspec.Struct, kw_only=True):
    period: dict[str, str]
    as_of: datetime
    columns: list[str]
    sort: str
    descending: bool
    outlets: list[OutletKpisRead]


class BreakdownRead(msgspec.Struct, kw_only=True):
    period: dict[str, str]
    as_of: datetime
    dimension: str
    groups: dict[str, dict[str, dict[str, Any]]]


class RecordPageRead(msgspec.Struct, kw_only=True):
    total: int
    offset: int
    limit: int
    rows: list[list[Any]]


class KpiRecordsRead(msgspec.Struct, kw_only=True):
    period: dict[str, str]
    as_of: datetime
    outlet: str | None
    kpi: KpiRead
    columns: list[str]
    numerator: RecordPageRead
    denominator: RecordPageRead


def kpi_read(view: KpiView) -> KpiRead:
    figure = view.figure.as_json()
    return KpiRead(
        code=view.code,
        title=view.title,
        unit=view.unit,
        value=figure["value"],
        numerator=figure["numerator"],
        denominator=figure["denominator"],
        target=None
        if view.target is None
        else TargetRead(operator=view.target.operator, number=view.target.number, source=view.target.source),
        met=view.met,
        trend={month.strftime("%Y-%m"): value for month, value in zip(view.months, view.trend, strict=True)},
    )


def _records_read(
    records: queries.KpiRecords, choice: PeriodChoice, as_of: datetime, outlet: str | None
) -> KpiRecordsRead:
    def part(name: str) -> RecordPageRead:
        found = records.pages[name]
        return RecordPageRead(
            total=found.total,
            offset=records.offsets[name],
            limit=records.limit,
            rows=[list(r) for r in found.rows],
        )

    return KpiRecordsRead(
        period=choice.period.as_json(),
        as_of=as_of,
        outlet=outlet,
        kpi=kpi_read(records.view),
        columns=records.columns,
        numerator=part("numerator"),
        denominator=part("denominator"),
    )


# API ---------------------------------------------------------------------------------------------


class KpiApi(Controller):
    path = "/api/kpis"
    tags = ["kpis"]

    @get("", guards=[SCOPED])
    async def kpis(
        self,
        actor: CurrentActor,
        period: FromQuery[str | None] = None,
        at: FromQuery[str | None] = None,
        start: From = None,
        end: To = None,
        outlet: FromQuery[str | None] = None,
    ) -> KpisRead:
        """The KPIs of a period (organisation, or `outlet`) with targets and 12-month trends."""
        await check_scope(actor, outlet)
        choice, as_of = choose_period(period, at, start, end), checked_as_of(None)
        codes = queries.outlet_kpi_codes() if outlet else None
        views = await queries.kpi_views(choice.period, as_of, outlet_code=outlet, codes=codes)
        return KpisRead(
            period=choice.period.as_json(), as_of=as_of, outlet=outlet, kpis=[kpi_read(v) for v in views]
        )

    @get("/outlets", guards=[MANAGERS])
    async def league(
        self,
        period: FromQuery[str | None] = None,
        at: FromQuery[str | None] = None,
        start: From = None,
        end: To = None,
        sort: FromQuery[str] = queries.SORT_BY_OUTLET,
        descending: Descending = False,
    ) -> LeagueRead:
        """Every outlet's KPIs (the league table), sorted by `sort` (outlet or a KPI code)."""
        choice, as_of = choose_period(period, at, start, end), checked_as_of(None)
        table = await queries.league_table(choice.period, as_of, sort, descending)
        return LeagueRead(
            period=choice.period.as_json(),
            as_of=as_of,
            columns=table.columns,
            sort=table.sort,
            descending=table.descending,
            outlets=[
                OutletKpisRead(
                    code=row.code, name=row.name, kpis={code: f.as_json() for code, f in row.figures.items()}
                )
                for row in table.rows
            ],
        )

    @get("/by/{dimension:str}", guards=[MANAGERS])
    async def breakdown(
        self,
        dimension: FromPath[str],
        period: FromQuery[str | None] = None,
        at: FromQuery[str | None] = None,
        start: From = None,
        end: To = None,
    ) -> BreakdownRead:
        """The KPIs that have the dimension (outlet, region or category), per outlet / region code /
        product category: {key: {code: {value, numerator, denominator}}}."""
        choice, as_of = choose_period(period, at, start, end), checked_as_of(None)
        groups = await compute_kpis_by(choice.period, as_of, dimension)
        return BreakdownRead(
            period=choice.period.as_json(),
            as_of=as_of,
            dimension=dimension,
            groups={
                key: {code: f.as_json() for code, f in figures.items()} for key, figures in groups.items()
            },
        )

    @get("/{code:str}", guards=[SCOPED])
    async def records(
        self,
        actor: CurrentActor,
        code: FromPath[str],
        period: FromQuery[str | None] = None,
        at: FromQuery[str | None] = None,
        start: From = None,
        end: To = None,
        outlet: FromQuery[str | None] = None,
        numerator_offset: FromQuery[int] = 0,
        denominator_offset: FromQuery[int] = 0,
        limit: FromQuery[int] = queries.PAGE_SIZE,
    ) -> KpiRecordsRead:
        """One KPI's figure and a page of the records in its numerator and in its denominator."""
        await check_scope(actor, outlet)
        choice, as_of = choose_period(period, at, start, end), checked_as_of(None)
        offsets = {"numerator": numerator_offset, "denominator": denominator_offset}
        records = await queries.kpi_records(code, choice.period, as_of, outlet, offsets, limit)
        return _records_read(records, choice, as_of, outlet)


# Pages -------------------------------------------------------------------------------------------


def _link(path: str, choice: PeriodChoice, **extra: Any) -> str:
    """A link keeping the period choice (blank parameters left out)."""
    query = {**choice.query, **{k: str(v) for k, v in extra.items() if v not in (None, "")}}
    return f"{path}?{urlencode(query)}"


def _common(choice: PeriodChoice, as_of: datetime) -> dict[str, Any]:
    return {
        "choice": choice,
        "as_of": as_of,
        "period_kinds": [(kind.value, PERIOD_KIND_LABELS[kind]) for kind in PeriodKind],
        "link": lambda path, **extra: _link(path, choice, **extra),
        "fmt": display.format_value,
        "kpis": definitions.KPIS,
        "last_day": choice.period.last_day,
        "show": show_cell,
    }


def show_cell(value: Any) -> str:
    """A record's cell on the page: times in the reader's zone, the rest as the CSV writes it."""
    if isinstance(value, datetime):
        return format_datetime(value)
    return export.cell(value)


def _league_chart(table: queries.LeagueTable, code: str) -> str:
    kpi = definitions.KPIS[code]
    rows = [row for row in table.rows if row.figures.get(code) is not None]
    return charts.bar_chart(
        [row.name for row in rows],
        [row.figures[code].value for row in rows],
        title=gettext(kpi.title),
        format_value=display.value_format(kpi.unit),
    )


class DashboardPages(Controller):
    include_in_schema = False

    @get("/dashboard", guards=[MANAGERS])
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        period: FromQuery[str | None] = None,
        at: FromQuery[str | None] = None,
        start: From = None,
        end: To = None,
    ) -> Template:
        choice, as_of = choose_period(period, at, start, end), checked_as_of(None)
        views = await queries.kpi_views(choice.period, as_of)
        return page(
            "audit_export/dashboard/index.html",
            request,
            views=views,
            assessment=await grade.expected_grade(choice.period, as_of),
            **_common(choice, as_of),
        )

    @get("/dashboard/outlets", guards=[MANAGERS])
    async def league(
        self,
        request: Request[Any, Any, Any],
        period: FromQuery[str | None] = None,
        at: FromQuery[str | None] = None,
        start: From = None,
        end: To = None,
        sort: FromQuery[str] = queries.SORT_BY_OUTLET,
        descending: Descending = False,
        chart: FromQuery[str] = "first_time_fix_rate",
    ) -> Template:
        choice, as_of = choose_period(period, at, start, end), checked_as_of(None)
        table = await queries.league_table(choice.period, as_of, sort, descending)
        chart_code = chart if chart in table.columns else table.columns[0]
        return page(
            "audit_export/dashboard/outlets.html",
            request,
            table=table,
            chart_code=chart_code,
            chart_svg=_league_chart(table, chart_code),
            **_common(choice, as_of),
        )

    @get("/dashboard/outlets/{outlet_code:str}", guards=[SCOPED])
    async def scorecard(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        outlet_code: FromPath[str],
        period: FromQuery[str | None] = None,
        at: FromQuery[str | None] = None,
        start: From = None,
        end: To = None,
    ) -> Template:
        await check_scope(actor, outlet_code)
        await queries.outlet_id(outlet_code)
        choice, as_of = choose_period(period, at, start, end), checked_as_of(None)
        views = await queries.kpi_views(choice.period, as_of, outlet_code, queries.outlet_kpi_codes())
        names = await queries.outlet_names()
        return page(
            "audit_export/dashboard/scorecard.html",
            request,
            outlet_code=outlet_code,
            outlet_name=names.get(outlet_code, outlet_code),
            views=views,
            **_common(choice, as_of),
        )

    @get("/kpis/{code:str}", guards=[SCOPED])
    async def records(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        code: FromPath[str],
        period: FromQuery[str | None] = None,
        at: FromQuery[str | None] = None,
        start: From = None,
        end: To = None,
        outlet: FromQuery[str | None] = None,
        part: FromQuery[str] = "denominator",
        numerator_offset: FromQuery[int] = 0,
        denominator_offset: FromQuery[int] = 0,
    ) -> Template | Stream:
        """The page of a KPI's records; `/kpis/{code}.csv` streams one part as CSV instead
        (Litestar matches a path parameter per whole segment, so the suffix is read here)."""
        outlet = outlet or None
        await check_scope(actor, outlet)
        choice, as_of = choose_period(period, at, start, end), checked_as_of(None)
        if code.endswith(".csv"):
            return _csv(code.removesuffix(".csv"), choice, as_of, queries.check_part(part), outlet)
        offsets = {"numerator": numerator_offset, "denominator": denominator_offset}
        records = await queries.kpi_records(code, choice.period, as_of, outlet, offsets)
        return page(
            "audit_export/dashboard/records.html",
            request,
            records=records,
            kpi=definitions.KPIS[code],
            outlet=outlet,
            outlet_name=(await queries.outlet_names()).get(outlet, outlet) if outlet else None,
            **_common(choice, as_of),
        )


def _csv(code: str, choice: PeriodChoice, as_of: datetime, part: str, outlet: str | None) -> Stream:
    queries.definition(code)
    name = export.filename(code, choice.period, part, outlet)
    return Stream(
        export.csv_chunks(code, choice.period, as_of, part, outlet),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


ROUTES = [KpiApi, DashboardPages]
