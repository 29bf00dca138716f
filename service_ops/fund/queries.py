"""Reads of the service fund: accounts, periods, outlet names, and the entries behind any figure.

Every figure (service_ops.fund.reports) and its drill-down list come from the same filter
(`entry_conditions`), so a figure always equals the sum of the entries listed behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from service_ops.errors import Invalid, NotFound
from service_ops.fund.choices import EntryKind, ReferenceKind
from service_ops.fund.schemas import (
    AccountRead,
    EntryFilter,
    EntryPage,
    EntryRead,
    PeriodRead,
)
from service_ops.fund.tables import FundAccount, FundEntry, FundPeriod
from service_ops.fund.values import (
    from_fen,
    parse_period,
)
from service_ops.outlet_directory import outlet_names


async def closed_months(months: Iterable[str] | None = None) -> set[str]:
    query = FundPeriod.select(FundPeriod.month)
    if months is not None:
        wanted = sorted(set(months))
        if not wanted:
            return set()
        query = query.where(FundPeriod.month.is_in(wanted))
    return {row["month"] for row in await query}


async def list_periods() -> list[PeriodRead]:
    rows = await FundPeriod.select(
        FundPeriod.month, FundPeriod.closed_at, FundPeriod.note, FundPeriod.closed_by.display_name
    ).order_by(FundPeriod.month, ascending=False)
    return [
        PeriodRead(
            month=r["month"], closed_at=r["closed_at"], closed_by=r["closed_by.display_name"], note=r["note"]
        )
        for r in rows
    ]


async def list_accounts(active_only: bool = False) -> list[AccountRead]:
    query = FundAccount.select().order_by(FundAccount.code)
    if active_only:
        query = query.where(FundAccount.is_active.eq(True))
    rows = await query
    counts = {
        r["account"]: r["count"]
        for r in await FundEntry.select(FundEntry.account, Count(alias="count")).group_by(FundEntry.account)
    }
    return [_account(r, counts.get(r["id"], 0)) for r in rows]


async def get_account(account_id: int) -> AccountRead:
    row = await FundAccount.select().where(FundAccount.id == account_id).first()
    if row is None:
        raise NotFound("Fund account {id} not found.", id=account_id)
    count = await FundEntry.count().where(FundEntry.account == account_id)
    return _account(row, count)


def _account(row: dict[str, Any], count: int) -> AccountRead:
    return AccountRead(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        default_kind=EntryKind(row["default_kind"]) if row["default_kind"] else None,
        is_active=row["is_active"],
        entry_count=int(count),
    )


async def entry_conditions(entry_filter: EntryFilter) -> list[Any]:
    """The WHERE of a filter; an unknown account code is a clear 400."""
    conditions: list[Any] = []
    if entry_filter.period:
        period = parse_period(entry_filter.period)
        conditions += [FundEntry.posted_on >= period.first_day, FundEntry.posted_on <= period.last_day]
    if entry_filter.date_from is not None:
        conditions.append(FundEntry.posted_on >= entry_filter.date_from)
    if entry_filter.date_to is not None:
        conditions.append(FundEntry.posted_on <= entry_filter.date_to)
    if entry_filter.account:
        code = entry_filter.account.strip().lower()
        row = await FundAccount.select(FundAccount.id).where(FundAccount.code == code).first()
        if row is None:
            raise Invalid("Unknown fund account “{code}”.", field="account", code=code[:32])
        conditions.append(FundEntry.account == row["id"])
    if entry_filter.outlet_id is not None:
        conditions.append(
            FundEntry.outlet_id.is_null()
            if entry_filter.outlet_id == 0
            else FundEntry.outlet_id == entry_filter.outlet_id
        )
    if entry_filter.kind is not None:
        conditions.append(FundEntry.kind == entry_filter.kind.value)
    if entry_filter.reference_kind is not None:
        conditions.append(FundEntry.reference_kind == entry_filter.reference_kind.value)
    return conditions


ENTRY_COLUMNS: tuple[Any, ...] = (
    *FundEntry.all_columns(),
    FundEntry.account.code,
    FundEntry.account.name,
    FundEntry.reverses.number,
    FundEntry.posted_by.display_name,
)


async def list_entries(entry_filter: EntryFilter, limit: int = 200, offset: int = 0) -> EntryPage:
    """One page of the entries behind a figure (newest first), with the total and count of all of them."""
    conditions = await entry_conditions(entry_filter)
    totals = await FundEntry.select(Sum(FundEntry.amount_fen, alias="total"), Count(alias="count")).where(
        *conditions
    )
    rows = (
        await FundEntry.select(*ENTRY_COLUMNS)
        .where(*conditions)
        .order_by(FundEntry.posted_on, FundEntry.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return EntryPage(
        total=from_fen(totals[0]["total"] or 0),
        count=int(totals[0]["count"] or 0),
        limit=limit,
        offset=offset,
        entries=await _entries(rows),
    )


async def get_entry(entry_id: int) -> EntryRead:
    rows = await FundEntry.select(*ENTRY_COLUMNS).where(FundEntry.id == entry_id)
    if not rows:
        raise NotFound("Fund entry {id} not found.", id=entry_id)
    return (await _entries(rows))[0]


async def _entries(rows: list[dict[str, Any]]) -> list[EntryRead]:
    ids = [r["id"] for r in rows]
    reversals = (
        {
            r["reverses"]: r
            for r in await FundEntry.select(FundEntry.id, FundEntry.number, FundEntry.reverses).where(
                FundEntry.reverses.is_in(ids)
            )
        }
        if ids
        else {}
    )
    names = await outlet_names() if any(r["outlet_id"] for r in rows) else {}
    return [_entry(r, reversals.get(r["id"]), names) for r in rows]


def _entry(row: dict[str, Any], reversal: dict[str, Any] | None, names: dict[int, str] | None) -> EntryRead:
    outlet_id = row["outlet_id"]
    return EntryRead(
        id=row["id"],
        number=row["number"],
        external_id=row["external_id"],
        posted_on=row["posted_on"],
        kind=EntryKind(row["kind"]),
        amount=from_fen(row["amount_fen"]),
        account_id=row["account"],
        account_code=row["account.code"],
        account_name=row["account.name"],
        outlet_id=outlet_id,
        outlet_name=(names or {}).get(outlet_id) if outlet_id is not None else None,
        reference_kind=ReferenceKind(row["reference_kind"]),
        reference_id=row["reference_id"],
        memo=row["memo"],
        reverses_id=row["reverses"],
        reverses_number=row["reverses.number"],
        reversed_by_id=reversal["id"] if reversal else None,
        reversed_by_number=reversal["number"] if reversal else None,
        reason=row["reason"],
        origin=row["origin"],
        posted_by=row["posted_by.display_name"],
        posted_at=row["posted_at"],
    )
