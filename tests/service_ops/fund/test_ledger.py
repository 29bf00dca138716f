"""The ledger's write path: post, reverse, close a period, automatic postings; bad input writes nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from service_ops import clock, outlet_directory
from service_ops.audit import verify_chain
from service_ops.errors import Conflict, Invalid, NotFound, PermissionDenied
from service_ops.fund import events, queries, services
from service_ops.fund.choices import EntryKind, ReferenceKind
from service_ops.fund.schemas import AccountCreate, AccountUpdate, EntryFilter
from service_ops.fund.tables import FundEntry
from service_ops.tables import AuditEvent
from service_ops.uow import unit_of_work
from tests.conftest import unique
from tests.service_ops.fund.factories import day_of, entry, fresh_month, new_account


async def _last_seq() -> int:
    row = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    return int(row["seq"]) if row else 0


class NothingWritten:
    """Asserts that the block wrote no audit event (and so, by rule 1, no change)."""

    async def __aenter__(self) -> None:
        self.seq = await _last_seq()
        self.entries = await FundEntry.count()

    async def __aexit__(self, *exc: object) -> None:
        assert await _last_seq() == self.seq
        assert await FundEntry.count() == self.entries


async def test_an_entry_is_posted_with_its_number_and_audited(finance: Any) -> None:
    account = await new_account(finance)
    day = day_of(fresh_month())
    entry_id = await services.post_entry(finance, entry(account, "budget", "120000.50", day, memo="年度预算"))
    posted = await queries.get_entry(entry_id)
    assert posted.amount == Decimal("120000.50") and posted.kind == EntryKind.BUDGET
    assert posted.posted_on == day and posted.account_code == account and posted.memo == "年度预算"
    assert posted.number.startswith("F") and posted.posted_by == finance.display_name
    assert posted.reference_kind == ReferenceKind.MANUAL and posted.origin == "manual"
    row = await AuditEvent.select().where(
        (AuditEvent.entity == "fund_entry") & (AuditEvent.entity_id == str(entry_id))
    )
    assert [r["action"] for r in row] == [events.ENTRY_POSTED]
    assert json.loads(row[0]["after"])["amount_fen"] == 12000050


@pytest.mark.parametrize(
    ("amount", "kind"),
    [
        ("12.345", "expense"),
        ("0.001", "budget"),
        ("NaN", "budget"),
        ("Infinity", "income"),
        ("1e40", "budget"),
    ],
)
async def test_three_decimal_places_and_non_numbers_are_refused(finance: Any, amount: str, kind: str) -> None:
    account = await new_account(finance)
    async with NothingWritten():
        with pytest.raises(Invalid) as refused:
            await services.post_entry(finance, entry(account, kind, amount, clock.today()))
    assert refused.value.field == "amount"


async def test_sign_date_account_and_text_rules(finance: Any) -> None:
    account = await new_account(finance)
    today = clock.today()
    cases = [
        (entry(account, "expense", "-5.00", today), "amount"),
        (entry(account, "budget", "0", today), "amount"),
        (entry(account, "expense", "5.00", today + timedelta(days=1)), "posted_on"),
        (entry(account, "budget", "5.00", today.replace(year=today.year + 2)), "posted_on"),
        (entry(account, "budget", "5.00", today.replace(year=1999)), "posted_on"),
        (entry("no-such-account", "budget", "5.00", today), "account"),
        (entry(account, "budget", "5.00", today, memo="长" * 2001), "memo"),
    ]
    for data, field in cases:
        async with NothingWritten():
            with pytest.raises(Invalid) as refused:
                await services.post_entry(finance, data)
        assert refused.value.field == field, data
    # a reserve draw is negative; a budget may be posted ahead for next year
    await services.post_entry(finance, entry(account, "reserve", "-5.00", today))
    await services.post_entry(finance, entry(account, "budget", "5.00", today.replace(year=today.year + 1)))


async def test_an_inactive_account_takes_no_entry(finance: Any) -> None:
    account = await new_account(finance)
    accounts = {a.code: a for a in await queries.list_accounts()}
    await services.update_account(finance, accounts[account].id, AccountUpdate(is_active=False))
    with pytest.raises(Invalid, match="inactive"):
        await services.post_entry(finance, entry(account, "budget", "1.00", clock.today()))


async def test_account_codes_are_unique_and_checked(finance: Any) -> None:
    account = await new_account(finance)
    with pytest.raises(Conflict):
        await services.create_account(finance, AccountCreate(code=account.upper(), name="重复"))
    with pytest.raises(Invalid) as refused:
        await services.create_account(finance, AccountCreate(code="a b", name="坏"))
    assert refused.value.field == "code"


async def test_a_closed_period_takes_no_entry(finance: Any) -> None:
    account = await new_account(finance)
    month = fresh_month()
    kept = await services.post_entry(finance, entry(account, "expense", "10.00", day_of(month)))
    await services.close_period(finance, month, "月结")
    async with NothingWritten():
        with pytest.raises(Conflict) as refused:
            await services.post_entry(finance, entry(account, "expense", "10.00", day_of(month, 28)))
    assert refused.value.field == "posted_on" and month in str(refused.value)
    with pytest.raises(Conflict, match="already closed"):
        await services.close_period(finance, month)
    # the entry of the closed month is corrected by a reversing entry dated in an open month
    reversal = await services.reverse_entry(finance, kept, "金额有误")
    assert (await queries.get_entry(reversal)).posted_on == clock.today()
    with pytest.raises(Conflict):
        await services.reverse_entry(finance, kept, "again", day_of(month, 20))
    assert month in {p.month for p in await queries.list_periods()}


async def test_a_month_not_begun_cannot_be_closed(finance: Any) -> None:
    ahead = clock.add_months(clock.today().replace(day=1), 1)
    with pytest.raises(Invalid) as refused:
        await services.close_period(finance, f"{ahead.year:04d}-{ahead.month:02d}")
    assert refused.value.field == "month"
    for bad in ("2026-13", "26-01", "", "1999-12"):
        with pytest.raises(Invalid):
            await services.close_period(finance, bad)


async def test_a_correction_is_a_reversing_entry_posted_once(finance: Any) -> None:
    account = await new_account(finance)
    month = fresh_month()
    original_id = await services.post_entry(finance, entry(account, "expense", "368.20", day_of(month), 7))
    async with NothingWritten():
        with pytest.raises(Invalid) as no_reason:
            await services.reverse_entry(finance, original_id, "  ")
    assert no_reason.value.field == "reason"
    with pytest.raises(Invalid, match="from"):
        await services.reverse_entry(finance, original_id, "早于原分录", day_of(month, 1))
    reversal_id = await services.reverse_entry(finance, original_id, "重复报销", day_of(month, 20))
    original, reversal = await queries.get_entry(original_id), await queries.get_entry(reversal_id)
    assert reversal.amount == Decimal("-368.20") and reversal.kind == original.kind
    assert reversal.account_code == account and reversal.outlet_id == 7 and reversal.reason == "重复报销"
    assert reversal.reverses_id == original_id and reversal.reverses_number == original.number
    assert original.reversed_by_id == reversal_id and original.amount == Decimal("368.20")
    async with NothingWritten():
        with pytest.raises(Conflict, match=reversal.number):
            await services.reverse_entry(finance, original_id, "再次")
        with pytest.raises(Invalid, match="itself a reversing entry"):
            await services.reverse_entry(finance, reversal_id, "冲销冲销")
        with pytest.raises(NotFound):
            await services.reverse_entry(finance, 2_000_000_000, "无")
    listed = await queries.list_entries(EntryFilter(account=account, period=month))
    assert listed.total == Decimal("0.00") and listed.count == 2
    trail = await AuditEvent.select().where(
        (AuditEvent.entity == "fund_entry") & (AuditEvent.entity_id == str(reversal_id))
    )
    assert [(t["action"], t["reason"]) for t in trail] == [(events.ENTRY_REVERSED, "重复报销")]


async def test_retried_posts_with_one_key_post_once(finance: Any) -> None:
    account = await new_account(finance)
    data = entry(account, "income", "99.99", clock.today())
    first = await services.post_entry(finance, data, "fund-key-" + unique(""))
    key = "fund-key-" + unique("")
    assert await services.post_entry(finance, data, key) == await services.post_entry(finance, data, key)
    assert first != await services.post_entry(finance, data)


async def test_only_finance_and_admin_post(make_user: Any, finance: Any) -> None:
    account = await new_account(finance)
    data = entry(account, "budget", "1.00", clock.today())
    for role in ("service_manager", "hq_manager", "auditor", "technician"):
        with pytest.raises(PermissionDenied):
            await services.post_entry(await make_user(role), data)
    with pytest.raises(PermissionDenied):
        await services.close_period(await make_user("service_manager"), fresh_month())
    await services.post_entry(await make_user("admin"), data)
    await services.record_export(await make_user("auditor"), "entries.xlsx", {})
    with pytest.raises(PermissionDenied):
        await services.record_export(await make_user("technician"), "entries.xlsx", {})


async def test_work_order_costs_post_once_and_skip_closed_months(system: Any, finance: Any) -> None:
    work_order = int(unique(""))
    month, following = fresh_month(), fresh_month()  # consecutive months: the posting lands in the second
    await services.close_period(finance, month)
    for _ in range(2):
        async with unit_of_work(system) as uow:
            uow.record("tests.work_order_completed", "work_order", work_order)
            posted = await services.post_work_order_costs(
                uow, work_order, 3, Decimal("120.00"), Decimal("80.50"), day_of(month, 28)
            )
            assert len(posted) == (2 if _ == 0 else 0)
    rows = await FundEntry.select(FundEntry.auto_key, FundEntry.amount_fen, FundEntry.posted_on).where(
        FundEntry.reference_id == str(work_order), FundEntry.reference_kind == "work_order"
    )
    assert sorted((r["auto_key"], r["amount_fen"]) for r in rows) == [
        (f"work_order:{work_order}:labour", 8050),
        (f"work_order:{work_order}:parts", 12000),
    ]
    assert {r["posted_on"] for r in rows} == {day_of(following, 1)}
    accounts = {a.code for a in await queries.list_accounts()}
    assert {"parts", "labour"} <= accounts


async def test_training_cost_posts_once_and_zero_posts_nothing(system: Any) -> None:
    session = int(unique(""))
    async with unit_of_work(system) as uow:
        uow.record("tests.training_session_held", "training_session", session)
        first = await services.post_training_session_cost(uow, session, Decimal("1500.00"), clock.today())
        again = await services.post_training_session_cost(uow, session, Decimal("1500.00"), clock.today())
        nothing = await services.post_training_session_cost(uow, session + 1, Decimal("0"), clock.today())
    assert first is not None and again is None and nothing is None
    posted = await queries.get_entry(first)
    assert posted.account_code == "training" and posted.kind == EntryKind.EXPENSE
    assert posted.reference_kind == ReferenceKind.TRAINING_SESSION and posted.origin == "auto"
    with pytest.raises(Invalid):
        async with unit_of_work(system) as uow:
            uow.record("tests.training_session_held", "training_session", session)
            await services.post_training_session_cost(uow, session + 2, Decimal("1.005"), clock.today())


async def test_automatic_postings_need_the_callers_unit_of_work(system: Any) -> None:
    async with unit_of_work(system) as uow:
        uow.record("tests.noop", "test", 0)
    with pytest.raises(RuntimeError):
        await services.post_work_order_costs(uow, 1, None, Decimal(1), Decimal(1), clock.today())


async def test_the_audit_chain_verifies_after_fund_work(finance: Any) -> None:
    account = await new_account(finance)
    entry_id = await services.post_entry(finance, entry(account, "reserve", "500.00", clock.today()))
    await services.reverse_entry(finance, entry_id, "测试")
    result = await verify_chain()
    assert result.ok, result


class _Outlet:
    def __init__(self, outlet_id: int, code: str, name: str) -> None:
        self.id, self.code, self.name, self.is_active = outlet_id, code, name, True


async def test_outlets_are_named_and_checked_through_the_registered_directory(
    finance: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def directory() -> list[_Outlet]:
        return [_Outlet(41, "SH-01", "上海一店")]

    monkeypatch.setattr(outlet_directory, "_outlet_directories", [])
    outlet_directory.register_outlet_directory(directory)
    account = await new_account(finance)
    entry_id = await services.post_entry(
        finance, entry(account, "expense", "1.00", clock.today(), outlet_id=41)
    )
    assert (await queries.get_entry(entry_id)).outlet_name == "SH-01 上海一店"
    with pytest.raises(Invalid) as refused:
        await services.post_entry(finance, entry(account, "expense", "1.00", clock.today(), outlet_id=42))
    assert refused.value.field == "outlet_id"


async def test_concurrent_reversals_post_one_reversing_entry(finance: Any) -> None:
    account = await new_account(finance)
    entry_id = await services.post_entry(finance, entry(account, "expense", "70.00", clock.today()))
    results = await asyncio.gather(
        *[services.reverse_entry(finance, entry_id, f"并发 {n}") for n in range(3)], return_exceptions=True
    )
    assert len([r for r in results if isinstance(r, int)]) == 1, results
    assert await FundEntry.count().where(FundEntry.reverses == entry_id) == 1


async def test_concurrent_automatic_postings_post_once(system: Any) -> None:
    session = int(unique(""))

    async def post() -> int | None:
        async with unit_of_work(system) as uow:
            uow.record("tests.training_session_held", "training_session", session)
            return await services.post_training_session_cost(uow, session, Decimal("10.00"), clock.today())

    results = await asyncio.gather(*[post() for _ in range(3)], return_exceptions=True)
    posted = [r for r in results if isinstance(r, int)]
    assert len(posted) == 1 and results.count(None) == 2, results  # no caller's transaction fails
    assert await FundEntry.count().where(FundEntry.auto_key == f"training_session:{session}") == 1
