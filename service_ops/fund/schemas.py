"""Shapes at the HTTP edge of the service fund. Amounts are exact decimals (JSON strings, e.g. "12.50")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import msgspec
from msgspec import UNSET, UnsetType

from service_ops.fund.choices import EntryKind, GroupBy, ReferenceKind
from service_ops.schemas import Id


class AccountCreate(msgspec.Struct, kw_only=True):
    code: str
    name: str
    default_kind: EntryKind | None = None
    is_active: bool = True


class AccountUpdate(msgspec.Struct, kw_only=True):
    """Only the fields given change; the code never does (entries and imports refer to it)."""

    name: str | UnsetType = UNSET
    default_kind: EntryKind | UnsetType | None = UNSET
    is_active: bool | UnsetType = UNSET


class AccountRead(msgspec.Struct, kw_only=True):
    id: int
    code: str
    name: str
    default_kind: EntryKind | None
    is_active: bool
    entry_count: int


class EntryCreate(msgspec.Struct, kw_only=True):
    """A manual posting. Budget, expense and income amounts are positive; a reserve draw is negative."""

    posted_on: date
    kind: EntryKind
    amount: Decimal
    account: str
    outlet_id: Id | None = None
    reference_kind: ReferenceKind = ReferenceKind.MANUAL
    reference_id: str = ""
    memo: str = ""


class EntryReversal(msgspec.Struct, kw_only=True):
    """Why the entry is wrong; the reversing entry is dated `posted_on` (default: today)."""

    reason: str
    posted_on: date | None = None


class EntryRead(msgspec.Struct, kw_only=True):
    id: int
    number: str
    external_id: str | None
    posted_on: date
    kind: EntryKind
    amount: Decimal
    account_id: int
    account_code: str
    account_name: str
    outlet_id: int | None
    outlet_name: str | None
    reference_kind: ReferenceKind
    reference_id: str
    memo: str
    reverses_id: int | None
    reverses_number: str | None
    reversed_by_id: int | None
    reversed_by_number: str | None
    reason: str
    origin: str
    posted_by: str | None
    posted_at: datetime


class EntryFilter(msgspec.Struct, kw_only=True):
    """Which entries: a period (2026-11, 2026-Q4, 2026) and/or dates, account, outlet (0: none), kind."""

    period: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    account: str | None = None
    outlet_id: int | None = None
    kind: EntryKind | None = None
    reference_kind: ReferenceKind | None = None


class EntryPage(msgspec.Struct, kw_only=True):
    """Entries matching a filter: `total` and `count` cover every match, `entries` one page of them."""

    total: Decimal
    count: int
    limit: int
    offset: int
    entries: list[EntryRead]


class BudgetRow(msgspec.Struct, kw_only=True):
    """One line of budget vs actual; `query` filters the entries behind it (add kind=budget / expense)."""

    key: str
    label: str
    budget: Decimal
    actual: Decimal
    variance: Decimal
    utilisation: float | None
    query: str


class BudgetReport(msgspec.Struct, kw_only=True):
    period: str
    first_day: date
    last_day: date
    group_by: GroupBy
    rows: list[BudgetRow]
    total: BudgetRow


class ReserveMonth(msgspec.Struct, kw_only=True):
    """A month of the reserve: deposits (positive), draws (negative), and the balance at its end."""

    month: str
    last_day: date
    deposits: Decimal
    draws: Decimal
    movement: Decimal
    balance: Decimal


class ReserveReport(msgspec.Struct, kw_only=True):
    first_month: str
    last_month: str
    opening_balance: Decimal
    months: list[ReserveMonth]


class PeriodClose(msgspec.Struct, kw_only=True):
    month: str
    note: str = ""


class PeriodRead(msgspec.Struct, kw_only=True):
    month: str
    closed_at: datetime
    closed_by: str | None
    note: str
