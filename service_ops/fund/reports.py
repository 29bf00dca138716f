"""Fund reports: budget vs actual by period, account, outlet or month; the reserve balance over time.

Each row carries the filter (`query`) of the entries behind it; sums and lists both take their
WHERE from `queries.entry_conditions`, so a figure always equals the sum of the entries it links to.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any
from urllib.parse import urlencode

from piccolo.query.functions.aggregate import Sum

from service_ops import clock, i18n
from service_ops.errors import Invalid
from service_ops.fund.choices import EntryKind, GroupBy
from service_ops.fund.queries import entry_conditions, outlet_names
from service_ops.fund.schemas import BudgetReport, BudgetRow, EntryFilter, ReserveMonth, ReserveReport
from service_ops.fund.tables import FundAccount, FundEntry
from service_ops.fund.values import (
    Period,
    check_month,
    from_fen,
    month_end,
    month_of,
    month_start,
    months_between,
    parse_period,
)


async def _sums(period: Period, group: Any, kinds: tuple[EntryKind, ...]) -> list[dict[str, Any]]:
    """Sums by group and kind, under the very conditions the period's drill-down list uses."""
    conditions = await entry_conditions(EntryFilter(period=period.code))
    return list(
        await FundEntry.select(group, FundEntry.kind, Sum(FundEntry.amount_fen, alias="total"))
        .where(FundEntry.kind.is_in([k.value for k in kinds]), *conditions)
        .group_by(group, FundEntry.kind)
    )


def _row(key: str, label: str, budget_fen: int, actual_fen: int, query: dict[str, Any]) -> BudgetRow:
    return BudgetRow(
        key=key,
        label=label,
        budget=from_fen(budget_fen),
        actual=from_fen(actual_fen),
        variance=from_fen(budget_fen - actual_fen),
        utilisation=round(actual_fen / budget_fen, 4) if budget_fen else None,
        query=urlencode(query),
    )


async def budget_vs_actual(period_text: str, group_by: GroupBy = GroupBy.ACCOUNT) -> BudgetReport:
    """Budget (sum of budget entries) against actual (sum of expense entries) posted in the period."""
    period = parse_period(period_text)
    column = {
        GroupBy.ACCOUNT: FundEntry.account,
        GroupBy.OUTLET: FundEntry.outlet_id,
        GroupBy.MONTH: FundEntry.posted_on,
    }[group_by]
    figures: dict[Any, dict[str, int]] = defaultdict(lambda: {"budget": 0, "expense": 0})
    for row in await _sums(period, column, (EntryKind.BUDGET, EntryKind.EXPENSE)):
        group = row[column._meta.name]
        key = month_of(group) if group_by == GroupBy.MONTH else group
        figures[key][row["kind"]] += int(row["total"] or 0)
    rows = await _labelled_rows(period, group_by, figures)
    total = _row(
        "total",
        i18n.gettext("Total"),
        sum(f["budget"] for f in figures.values()),
        sum(f["expense"] for f in figures.values()),
        {"period": period.code},
    )
    return BudgetReport(
        period=period.code,
        first_day=period.first_day,
        last_day=period.last_day,
        group_by=group_by,
        rows=rows,
        total=total,
    )


async def _labelled_rows(
    period: Period, group_by: GroupBy, figures: dict[Any, dict[str, int]]
) -> list[BudgetRow]:
    base = {"period": period.code}
    if group_by == GroupBy.MONTH:
        return [_row(m, m, figures[m]["budget"], figures[m]["expense"], {"period": m}) for m in period.months]
    if group_by == GroupBy.ACCOUNT:
        accounts = {
            r["id"]: r
            for r in await FundAccount.select(FundAccount.id, FundAccount.code, FundAccount.name).where(
                FundAccount.id.is_in(list(figures) or [0])
            )
        }
        ordered = sorted(figures, key=lambda a: accounts[a]["code"])
        return [
            _row(
                accounts[a]["code"],
                f"{accounts[a]['code']} {accounts[a]['name']}",
                figures[a]["budget"],
                figures[a]["expense"],
                {**base, "account": accounts[a]["code"]},
            )
            for a in ordered
        ]
    names = await outlet_names() or {}
    ordered = sorted(figures, key=lambda o: (o is not None, o or 0))
    return [
        _row(
            str(o or 0),
            names.get(o, f"#{o}") if o is not None else i18n.gettext("No outlet (head office)"),
            figures[o]["budget"],
            figures[o]["expense"],
            {**base, "outlet_id": o or 0},
        )
        for o in ordered
    ]


async def reserve_balance(first_month: str, last_month: str) -> ReserveReport:
    """The reserve month by month: deposits, draws and the running balance at each month's end."""
    months = months_between(first_month, last_month)
    if not months or len(months) > 240:
        raise Invalid("Choose from 1 to 240 months, the first not after the last.", field="first_month")
    first_day, last_day = month_start(months[0]), month_end(months[-1])
    opening = await FundEntry.select(Sum(FundEntry.amount_fen, alias="total")).where(
        FundEntry.kind == EntryKind.RESERVE.value, FundEntry.posted_on < first_day
    )
    moves: dict[str, dict[str, int]] = defaultdict(lambda: {"in": 0, "out": 0})
    for sign, condition in (("in", FundEntry.amount_fen > 0), ("out", FundEntry.amount_fen < 0)):
        rows = (
            await FundEntry.select(FundEntry.posted_on, Sum(FundEntry.amount_fen, alias="total"))
            .where(
                FundEntry.kind == EntryKind.RESERVE.value,
                FundEntry.posted_on >= first_day,
                FundEntry.posted_on <= last_day,
                condition,
            )
            .group_by(FundEntry.posted_on)
        )
        for row in rows:
            moves[month_of(row["posted_on"])][sign] += int(row["total"] or 0)
    balance = opening_fen = int(opening[0]["total"] or 0)
    result = []
    for month in months:
        movement = moves[month]["in"] + moves[month]["out"]
        balance += movement
        result.append(
            ReserveMonth(
                month=month,
                last_day=month_end(month),
                deposits=from_fen(moves[month]["in"]),
                draws=from_fen(moves[month]["out"]),
                movement=from_fen(movement),
                balance=from_fen(balance),
            )
        )
    return ReserveReport(
        first_month=months[0], last_month=months[-1], opening_balance=from_fen(opening_fen), months=result
    )


def default_period() -> str:
    """The year to date is what finance looks at first."""
    return str(clock.today().year)


def reserve_range(first_month: str | None, last_month: str | None) -> tuple[str, str]:
    """The months to show: by default the twelve months up to the current one."""
    last = check_month(last_month, "last_month") if last_month else month_of(clock.today())
    if first_month:
        return check_month(first_month, "first_month"), last
    start = month_start(last)
    return month_of(date(start.year - (start.month < 12), start.month % 12 + 1, 1)), last
