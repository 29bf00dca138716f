"""The service fund's pages (/fund/…): summary, entries behind any figure, posting, reversal,
accounts, periods, and the XLSX downloads."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import msgspec
from babel import Locale, numbers
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from service_ops import clock
from service_ops.auth import CurrentActor, connection_actor, requires
from service_ops.choices import Role
from service_ops.errors import Invalid
from service_ops.fund import events, queries, reports, services, xlsx
from service_ops.fund.choices import EntryKind, GroupBy, ReferenceKind
from service_ops.fund.schemas import (
    AccountCreate,
    AccountUpdate,
    BudgetReport,
    EntryCreate,
    EntryFilter,
    ReserveReport,
)
from service_ops.fund.values import month_of
from service_ops.i18n import current_locale
from service_ops.queries import audit_events_for
from service_ops.web import PathId, form_data, page, struct_from_form

READ = requires(Role.FINANCE, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
WRITE = requires(*services.WRITE_ROLES, write=True)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 200
EXPORT_LIMIT = 100_000
FILTER_FIELDS = ("period", "date_from", "date_to", "account", "outlet_id", "kind", "reference_kind")


def money(value: Decimal | None) -> str:
    """CNY with two decimals in the reader's locale (e.g. 1,234.50)."""
    if value is None:
        return ""
    return numbers.format_decimal(value, "#,##0.00", locale=Locale.parse(current_locale()))


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return numbers.format_percent(value, "#,##0.0%", locale=Locale.parse(current_locale()))


def _can_write(request: Request[Any, Any, Any]) -> bool:
    """Forms only for those who may send them (auditors and managers read)."""
    actor = connection_actor(request)
    return actor is not None and actor.role != Role.AUDITOR and actor.has_role(*services.WRITE_ROLES)


def _filter_of(request: Request[Any, Any, Any]) -> tuple[EntryFilter, dict[str, str]]:
    given = {key: str(request.query_params.get(key, "")).strip()[:40] for key in FILTER_FIELDS}
    return struct_from_form(EntryFilter, given), given


def _offset(request: Request[Any, Any, Any]) -> int:
    try:
        return max(0, min(int(request.query_params.get("offset", "0")), 10_000_000))
    except ValueError:
        return 0


def _bars(report: BudgetReport) -> dict[str, tuple[float, float]]:
    """Bar widths (percent of the largest figure) of each row."""
    top = max([abs(x) for r in report.rows for x in (r.budget, r.actual)] + [Decimal(1)])
    return {r.key: (float(abs(r.budget) / top * 100), float(abs(r.actual) / top * 100)) for r in report.rows}


def _reserve_heights(report: ReserveReport) -> dict[str, float]:
    top = max([abs(m.balance) for m in report.months] + [Decimal(1)])
    return {m.month: float(abs(m.balance) / top * 100) for m in report.months}


async def _trail(entry_id: int, reversal_id: int | None) -> list[dict[str, Any]]:
    """The entry's audit trail, with its reversal's (the original row itself never changes)."""
    trail = await audit_events_for("fund_entry", entry_id)
    if reversal_id is not None:
        trail += await audit_events_for("fund_entry", reversal_id)
    return sorted(trail, key=lambda event: event["seq"])


async def _report(request: Request[Any, Any, Any]) -> BudgetReport:
    period = str(request.query_params.get("period") or reports.default_period())[:20]
    group = str(request.query_params.get("group_by") or GroupBy.ACCOUNT.value)
    if group not in {g.value for g in GroupBy}:
        raise Invalid("Choose how to break the figures down: by account, outlet or month.", field="group_by")
    return await reports.budget_vs_actual(period, GroupBy(group))


def _xlsx(content: bytes, filename: str) -> Response[bytes]:
    return Response(
        content=content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class FundPages(Controller):
    path = "/fund"
    include_in_schema = False

    @get("/", guards=[READ])
    async def summary(self, request: Request[Any, Any, Any]) -> Template:
        report = await _report(request)
        reserve = await reports.reserve_balance(*reports.reserve_range(None, None))
        return page(
            "fund/summary.html",
            request,
            report=report,
            bars=_bars(report),
            reserve=reserve,
            heights=_reserve_heights(reserve),
            groups=list(GroupBy),
            money=money,
            percent=percent,
            can_write=_can_write(request),
        )

    @get("/entries", guards=[READ])
    async def entries(self, request: Request[Any, Any, Any]) -> Template:
        entry_filter, given = _filter_of(request)
        listing = await queries.list_entries(entry_filter, PAGE_SIZE, _offset(request))
        return page(
            "fund/entries.html",
            request,
            listing=listing,
            given=given,
            query=urlencode({k: v for k, v in given.items() if v}),
            accounts=await queries.list_accounts(),
            kinds=list(EntryKind),
            reference_kinds=list(ReferenceKind),
            money=money,
            can_write=_can_write(request),
        )

    @get("/entries/new", guards=[WRITE])
    async def new_entry(self, request: Request[Any, Any, Any]) -> Template:
        return page(
            "fund/entry_new.html",
            request,
            accounts=await queries.list_accounts(active_only=True),
            outlets=await queries.outlet_names(),
            kinds=list(EntryKind),
            reference_kinds=list(ReferenceKind),
            today=clock.today(),
            idempotency_key=uuid.uuid4().hex,
            can_write=True,
        )

    @post("/entries", guards=[WRITE])
    async def post_entry(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        form = await form_data(request)
        data = struct_from_form(EntryCreate, form)
        entry_id = await services.post_entry(actor, data, form.get("idempotency_key") or None)
        return Redirect(path=f"/fund/entries/{entry_id}")

    @get("/entries/{entry_id:int}", guards=[READ])
    async def entry(self, request: Request[Any, Any, Any], entry_id: PathId) -> Template:
        entry = await queries.get_entry(entry_id)
        return page(
            "fund/entry_detail.html",
            request,
            entry=entry,
            money=money,
            today=clock.today(),
            can_write=_can_write(request),
            idempotency_key=uuid.uuid4().hex,
            events=await _trail(entry.id, entry.reversed_by_id),
            event_label=events.label,
        )

    @post("/entries/{entry_id:int}/reverse", guards=[WRITE])
    async def reverse(
        self, request: Request[Any, Any, Any], actor: CurrentActor, entry_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        posted_on = struct_from_form(_ReversalForm, form).posted_on
        reversal_id = await services.reverse_entry(
            actor, entry_id, form.get("reason", ""), posted_on, form.get("idempotency_key") or None
        )
        return Redirect(path=f"/fund/entries/{reversal_id}")

    @get("/accounts", guards=[READ])
    async def accounts(self, request: Request[Any, Any, Any]) -> Template:
        return page(
            "fund/accounts.html",
            request,
            accounts=await queries.list_accounts(),
            kinds=list(EntryKind),
            can_write=_can_write(request),
        )

    @post("/accounts", guards=[WRITE])
    async def create_account(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        await services.create_account(actor, struct_from_form(AccountCreate, await form_data(request)))
        return Redirect(path="/fund/accounts")

    @post("/accounts/{account_id:int}", guards=[WRITE])
    async def update_account(
        self, request: Request[Any, Any, Any], actor: CurrentActor, account_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        fields = struct_from_form(_AccountForm, form)
        data = AccountUpdate(
            name=fields.name, default_kind=fields.default_kind, is_active=form.get("is_active") == "on"
        )
        await services.update_account(actor, account_id, data)
        return Redirect(path="/fund/accounts")

    @get("/periods", guards=[READ])
    async def periods(self, request: Request[Any, Any, Any]) -> Template:
        return page(
            "fund/periods.html",
            request,
            periods=await queries.list_periods(),
            suggested=month_of(clock.today()),
            can_write=_can_write(request),
        )

    @post("/periods", guards=[WRITE])
    async def close_period(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        form = await form_data(request)
        await services.close_period(actor, form.get("month", ""), form.get("note", ""))
        return Redirect(path="/fund/periods")

    @get("/budget.xlsx", guards=[READ])
    async def budget_xlsx(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Response[bytes]:
        report = await _report(request)
        behind = await queries.list_entries(EntryFilter(period=report.period), EXPORT_LIMIT)
        shown = [e for e in behind.entries if e.kind in (EntryKind.BUDGET, EntryKind.EXPENSE)]
        content = xlsx.budget_workbook(report, shown, clock.now())
        await services.record_export(
            actor, "budget.xlsx", {"period": report.period, "group_by": report.group_by}
        )
        return _xlsx(content, f"fund-budget-{report.period}.xlsx")

    @get("/entries.xlsx", guards=[READ])
    async def entries_xlsx(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Response[bytes]:
        entry_filter, given = _filter_of(request)
        listing = await queries.list_entries(entry_filter, EXPORT_LIMIT)
        content = xlsx.entries_workbook(listing.entries, clock.now())
        await services.record_export(actor, "entries.xlsx", {k: v for k, v in given.items() if v})
        return _xlsx(content, "fund-entries.xlsx")


class _ReversalForm(msgspec.Struct, kw_only=True):
    posted_on: date | None = None


class _AccountForm(msgspec.Struct, kw_only=True):
    name: str = ""
    default_kind: EntryKind | None = None
