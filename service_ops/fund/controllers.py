"""The service fund's JSON API (/api/fund/…): accounts, entries, reversals, periods, reports."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromQuery, HeaderParameter, JSONBody, QueryParameter

from service_ops.auth import CurrentActor, requires
from service_ops.choices import Role
from service_ops.fund import queries, reports, services
from service_ops.fund.choices import EntryKind, GroupBy, ReferenceKind
from service_ops.fund.pages import FundPages
from service_ops.fund.schemas import (
    AccountCreate,
    AccountRead,
    AccountUpdate,
    BudgetReport,
    EntryCreate,
    EntryFilter,
    EntryPage,
    EntryRead,
    EntryReversal,
    PeriodClose,
    PeriodRead,
    ReserveReport,
)
from service_ops.fund.values import check_month
from service_ops.web import MAX_ID, PathId

READ = requires(Role.FINANCE, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
WRITE = requires(*services.WRITE_ROLES, write=True)
PeriodText = Annotated[
    str | None,
    QueryParameter(max_length=20, description="A month (2026-11), quarter (2026-Q4) or year (2026)"),
]
MonthText = Annotated[str | None, QueryParameter(max_length=7, description="YYYY-MM")]
AccountCode = Annotated[str | None, QueryParameter(max_length=32, description="Account code")]
OutletId = Annotated[
    int | None, QueryParameter(ge=0, le=MAX_ID, description="Outlet id; 0: entries of no outlet")
]
Limit = Annotated[int, QueryParameter(ge=1, le=1000)]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_ID)]
IdempotencyHeader = Annotated[
    str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=100)
]


class FundApi(Controller):
    path = "/api/fund"
    tags = ["fund"]

    @get("/accounts", guards=[READ])
    async def accounts(self) -> list[AccountRead]:
        return await queries.list_accounts()

    @post("/accounts", guards=[WRITE])
    async def create_account(self, actor: CurrentActor, data: JSONBody[AccountCreate]) -> AccountRead:
        return await queries.get_account(await services.create_account(actor, data))

    @get("/accounts/{account_id:int}", guards=[READ])
    async def account(self, account_id: PathId) -> AccountRead:
        return await queries.get_account(account_id)

    @patch("/accounts/{account_id:int}", guards=[WRITE])
    async def update_account(
        self, actor: CurrentActor, account_id: PathId, data: JSONBody[AccountUpdate]
    ) -> AccountRead:
        await services.update_account(actor, account_id, data)
        return await queries.get_account(account_id)

    @get("/entries", guards=[READ])
    async def entries(
        self,
        period: PeriodText = None,
        date_from: FromQuery[date | None] = None,
        date_to: FromQuery[date | None] = None,
        account: AccountCode = None,
        outlet_id: OutletId = None,
        kind: FromQuery[EntryKind | None] = None,
        reference_kind: FromQuery[ReferenceKind | None] = None,
        limit: Limit = 200,
        offset: Offset = 0,
    ) -> EntryPage:
        """The entries behind a figure: `total` is the sum of every matching entry."""
        entry_filter = EntryFilter(
            period=period,
            date_from=date_from,
            date_to=date_to,
            account=account,
            outlet_id=outlet_id,
            kind=kind,
            reference_kind=reference_kind,
        )
        return await queries.list_entries(entry_filter, limit, offset)

    @post("/entries", guards=[WRITE])
    async def post_entry(
        self, actor: CurrentActor, data: JSONBody[EntryCreate], idempotency_key: IdempotencyHeader
    ) -> EntryRead:
        return await queries.get_entry(await services.post_entry(actor, data, idempotency_key))

    @get("/entries/{entry_id:int}", guards=[READ])
    async def entry(self, entry_id: PathId) -> EntryRead:
        return await queries.get_entry(entry_id)

    @post("/entries/{entry_id:int}/reverse", guards=[WRITE])
    async def reverse(
        self,
        actor: CurrentActor,
        entry_id: PathId,
        data: JSONBody[EntryReversal],
        idempotency_key: IdempotencyHeader,
    ) -> EntryRead:
        """Post the reversing entry of an entry; returns the reversing entry."""
        reversal_id = await services.reverse_entry(
            actor, entry_id, data.reason, data.posted_on, idempotency_key
        )
        return await queries.get_entry(reversal_id)

    @get("/budget", guards=[READ])
    async def budget(
        self, period: PeriodText = None, group_by: FromQuery[GroupBy] = GroupBy.ACCOUNT
    ) -> BudgetReport:
        return await reports.budget_vs_actual(period or reports.default_period(), group_by)

    @get("/reserve", guards=[READ])
    async def reserve(self, first_month: MonthText = None, last_month: MonthText = None) -> ReserveReport:
        first, last = reports.reserve_range(first_month, last_month)
        return await reports.reserve_balance(first, last)

    @get("/periods", guards=[READ])
    async def periods(self) -> list[PeriodRead]:
        return await queries.list_periods()

    @post("/periods", guards=[WRITE])
    async def close_period(self, actor: CurrentActor, data: JSONBody[PeriodClose]) -> PeriodRead:
        month = await services.close_period(actor, check_month(data.month), data.note)
        return next(p for p in await queries.list_periods() if p.month == month)


ROUTES: list[type[Controller]] = [FundApi, FundPages]
