"""Budget vs actual, reserve balance and XLSX: every figure equals the sum of the entries behind it."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import msgspec
import openpyxl

from service_ops.fund import queries, reports, services, xlsx
from service_ops.fund.choices import EntryKind, GroupBy
from service_ops.fund.schemas import EntryFilter
from tests.service_ops.fund.factories import day_of, entry, fresh_month, new_account


async def _month_of_entries(finance: Any) -> tuple[str, str, str]:
    """A month with budgets and expenses on two accounts and three outlets, and one reversal."""
    month = fresh_month()
    parts, labour = await new_account(finance, "parts"), await new_account(finance, "labour")
    for data in (
        entry(parts, "budget", "10000.00", day_of(month, 1)),
        entry(labour, "budget", "5000.00", day_of(month, 1), outlet_id=11),
        entry(parts, "expense", "1234.56", day_of(month, 3), outlet_id=11),
        entry(parts, "expense", "0.01", day_of(month, 4), outlet_id=12),
        entry(labour, "expense", "2500.10", day_of(month, 5), outlet_id=12),
        entry(labour, "income", "77.00", day_of(month, 5)),
    ):
        await services.post_entry(finance, data)
    wrong = await services.post_entry(finance, entry(labour, "expense", "999.99", day_of(month, 6), 13))
    await services.reverse_entry(finance, wrong, "重复录入", day_of(month, 7))
    return month, parts, labour


async def _behind(query: str, kind: str) -> tuple[Decimal, Decimal]:
    """The total the drill-down reports and the sum of the entries it lists."""
    given = msgspec.convert({**dict(parse_qsl(query)), "kind": kind}, EntryFilter, strict=False)
    page = await queries.list_entries(given, 1000)
    assert page.count == len(page.entries)
    return page.total, sum((e.amount for e in page.entries), Decimal("0.00"))


async def test_budget_vs_actual_equals_the_entries_behind_it(finance: Any) -> None:
    month, parts, labour = await _month_of_entries(finance)
    by_account = await reports.budget_vs_actual(month, GroupBy.ACCOUNT)
    figures = {row.key: (row.budget, row.actual) for row in by_account.rows}
    assert figures == {
        parts: (Decimal("10000.00"), Decimal("1234.57")),
        labour: (Decimal("5000.00"), Decimal("2500.10")),
    }
    assert (by_account.total.budget, by_account.total.actual) == (Decimal("15000.00"), Decimal("3734.67"))
    assert by_account.total.variance == Decimal("11265.33")
    assert by_account.total.utilisation == round(3734.67 / 15000, 4)
    for group in GroupBy:
        report = await reports.budget_vs_actual(month, group)
        for row in [*report.rows, report.total]:
            assert await _behind(row.query, "budget") == (row.budget, row.budget), (group, row)
            assert await _behind(row.query, "expense") == (row.actual, row.actual), (group, row)
    by_outlet = {row.key: row for row in (await reports.budget_vs_actual(month, GroupBy.OUTLET)).rows}
    assert by_outlet["13"].actual == Decimal("0.00")  # the reversing entry cancels the wrong one
    assert by_outlet["0"].budget == Decimal("10000.00")


async def test_quarter_and_year_contain_the_month(finance: Any) -> None:
    month, _, _ = await _month_of_entries(finance)
    year, number = month[:4], int(month[5:])
    monthly = (await reports.budget_vs_actual(month)).total
    quarter = await reports.budget_vs_actual(f"{year}-Q{(number - 1) // 3 + 1}", GroupBy.MONTH)
    assert len(quarter.rows) == 3
    assert next(r for r in quarter.rows if r.key == month).actual == monthly.actual
    assert (await reports.budget_vs_actual(year)).total.actual >= monthly.actual


async def test_reserve_balance_runs_month_by_month(finance: Any) -> None:
    first, second = fresh_month(), fresh_month()
    reserve = await new_account(finance, "reserve")
    before = await reports.reserve_balance(first, second)
    await services.post_entry(finance, entry(reserve, "reserve", "3000.00", day_of(first, 2)))
    await services.post_entry(finance, entry(reserve, "reserve", "-450.25", day_of(second, 9)))
    await services.post_entry(finance, entry(reserve, "reserve", "100.00", day_of(second, 10)))
    report = await reports.reserve_balance(first, second)
    assert [m.month for m in report.months] == [first, second]
    assert report.opening_balance == before.opening_balance
    one, two = report.months
    assert (one.deposits, one.draws, one.movement) == (
        Decimal("3000.00"),
        Decimal("0.00"),
        Decimal("3000.00"),
    )
    assert (two.deposits, two.draws, two.movement) == (
        Decimal("100.00"),
        Decimal("-450.25"),
        Decimal("-350.25"),
    )
    assert two.balance == report.opening_balance + Decimal("2649.75")
    for m in report.months:
        behind = await queries.list_entries(EntryFilter(kind=EntryKind.RESERVE, date_to=m.last_day), 1)
        assert behind.total == m.balance
        moved = await queries.list_entries(EntryFilter(kind=EntryKind.RESERVE, period=m.month), 1000)
        assert sum((e.amount for e in moved.entries), Decimal("0.00")) == m.movement


async def test_budget_workbook_has_the_figures_and_is_deterministic(finance: Any) -> None:
    month, parts, _ = await _month_of_entries(finance)
    report = await reports.budget_vs_actual(month)
    entries = (await queries.list_entries(EntryFilter(period=month), 1000)).entries
    moment = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    content = xlsx.budget_workbook(report, entries, moment)
    assert content == xlsx.budget_workbook(report, entries, moment)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.properties.created == book.properties.modified == datetime(2026, 11, 30, 16, 0)
    summary, listing = book.worksheets
    rows = {r[0]: r[1:] for r in summary.iter_rows(min_row=4, values_only=True)}
    parts_row = next(v for k, v in rows.items() if k and k.startswith(parts))
    assert (Decimal(str(parts_row[0])), Decimal(str(parts_row[1]))) == (Decimal("10000"), Decimal("1234.57"))
    amounts = [Decimal(str(r[3])) for r in listing.iter_rows(min_row=2, values_only=True) if r[1] is not None]
    assert len(amounts) == len(entries)
    assert sum(amounts) == sum(e.amount for e in entries)
