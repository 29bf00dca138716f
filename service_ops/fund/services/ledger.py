"""Posting, reversing and closing periods: the manual side of the ledger."""

from __future__ import annotations

from datetime import date
from typing import Any

from service_ops import clock, idempotency
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.errors import Conflict, Invalid, NotFound
from service_ops.fund import events, queries, reports
from service_ops.fund.choices import EntryKind, ReferenceKind
from service_ops.fund.schemas import EntryCreate
from service_ops.fund.services.common import (
    WRITE_ROLES,
    insert_entry,
    lock_ledger,
    optional_text,
    refuse_closed,
    snapshot,
)
from service_ops.fund.tables import FundAccount, FundEntry, FundPeriod
from service_ops.fund.values import EARLIEST, check_month, month_start, to_fen
from service_ops.uow import unit_of_work
from service_ops.validation import required_text

__all__ = ["close_period", "post_entry", "reverse_entry"]


def _check_date(posted_on: date, kind: EntryKind) -> None:
    today = clock.today()
    latest = date(today.year + 1, 12, 31) if kind == EntryKind.BUDGET else today
    if not EARLIEST <= posted_on <= latest:
        raise Invalid(
            "The date must be from 2000-01-01 to {latest} (only a budget may be posted ahead, "
            "up to the end of next year).",
            field="posted_on",
            latest=latest.isoformat(),
        )


def _check_sign(kind: EntryKind, fen: int) -> None:
    if fen == 0:
        raise Invalid("The amount must not be zero.", field="amount")
    if fen < 0 and kind != EntryKind.RESERVE:
        raise Invalid(
            "Only a reserve draw is negative; to correct an entry, post a reversing entry.", field="amount"
        )


async def _check_outlet(outlet_id: int | None) -> None:
    if outlet_id is None:
        return
    names = await queries.outlet_names()
    if names is not None and outlet_id not in names:
        raise Invalid("Unknown outlet {id}.", field="outlet_id", id=outlet_id)


async def _account_row(code: str, field: str = "account") -> dict[str, Any]:
    row = (
        await FundAccount.select(FundAccount.id, FundAccount.code, FundAccount.is_active)
        .where(FundAccount.code == (code or "").strip().lower())
        .first()
    )
    if row is None:
        raise Invalid("Unknown fund account “{code}”.", field=field, code=(code or "")[:32])
    return dict(row)


async def post_entry(actor: Actor, data: EntryCreate, idempotency_key: str | None = None) -> int:
    """Post a manual entry (budget, expense, reserve deposit or draw, income) into an open month."""
    check_role(actor, WRITE_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "post_fund_entry", idempotency_key)
    if replayed is not None:
        return int(replayed)
    kind = EntryKind(data.kind)
    fen = to_fen(data.amount)
    _check_sign(kind, fen)
    _check_date(data.posted_on, kind)
    values = {
        "posted_on": data.posted_on,
        "kind": kind.value,
        "amount_fen": fen,
        "outlet_id": data.outlet_id,
        "reference_kind": ReferenceKind(data.reference_kind).value,
        "reference_id": optional_text(data.reference_id, "reference_id", 64),
        "memo": optional_text(data.memo, "memo", 2000),
        "origin": "manual",
        "posted_by": actor.user_id,
    }
    async with unit_of_work(actor) as uow:
        await lock_ledger()
        account = await _account_row(data.account)
        if not account["is_active"]:
            raise Invalid("The account “{code}” is inactive.", field="account", code=account["code"])
        await _check_outlet(data.outlet_id)
        await refuse_closed(data.posted_on)
        entry = await insert_entry({**values, "account": account["id"]})
        await idempotency.remember(actor, "post_fund_entry", idempotency_key, "fund_entry", entry.id)
        uow.record(events.ENTRY_POSTED, "fund_entry", entry.id, after=snapshot(entry))
        return int(entry.id)


async def reverse_entry(
    actor: Actor,
    entry_id: int,
    reason: str,
    posted_on: date | None = None,
    idempotency_key: str | None = None,
) -> int:
    """Post the reversing entry (红冲) of `entry_id`: the negated amount on the same account and kind,
    dated `posted_on` (default today; never before the entry itself) in an open month. An entry is
    reversed at most once, and a reversing entry is not reversed again (post a new entry instead)."""
    check_role(actor, WRITE_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "reverse_fund_entry", idempotency_key)
    if replayed is not None:
        return int(replayed)
    why = required_text(reason, "reason", 1000)
    async with unit_of_work(actor) as uow:
        await lock_ledger()
        original = await FundEntry.objects().get(FundEntry.id == entry_id)
        if original is None:
            raise NotFound("Fund entry {id} not found.", id=entry_id)
        if original.reverses is not None:
            raise Invalid(
                "Entry {number} is itself a reversing entry: post a new entry instead.",
                number=original.number,
            )
        done = await FundEntry.select(FundEntry.number).where(FundEntry.reverses == entry_id).first()
        if done is not None:
            raise Conflict(
                "Entry {number} was already reversed by entry {reversal}.",
                number=original.number,
                reversal=done["number"],
            )
        day = _reversal_day(original.posted_on, posted_on)
        await refuse_closed(day)
        reversal = await insert_entry(
            {
                "posted_on": day,
                "kind": original.kind,
                "amount_fen": -original.amount_fen,
                "account": original.account,
                "outlet_id": original.outlet_id,
                "reference_kind": original.reference_kind,
                "reference_id": original.reference_id,
                "memo": original.memo,
                "reverses": original.id,
                "reason": why,
                "origin": "manual",
                "posted_by": actor.user_id,
            }
        )
        await idempotency.remember(actor, "reverse_fund_entry", idempotency_key, "fund_entry", reversal.id)
        uow.record(
            events.ENTRY_REVERSED,
            "fund_entry",
            reversal.id,
            before={"reversed_entry": original.id, "number": original.number},
            after=snapshot(reversal),
            reason=why,
        )
        return int(reversal.id)


def _reversal_day(original_day: date, wanted: date | None) -> date:
    latest = max(clock.today(), original_day)
    day = wanted or latest
    if not original_day <= day <= latest:
        raise Invalid(
            "A reversing entry is dated from {first} (the entry's date) to {last}.",
            field="posted_on",
            first=original_day.isoformat(),
            last=latest.isoformat(),
        )
    return day


async def close_period(actor: Actor, month: str, note: str = "") -> str:
    """Close a month that has begun: from now on no entry is posted into it (closing is final)."""
    check_role(actor, WRITE_ROLES)
    value = check_month(month)
    text = optional_text(note, "note", 1000)
    if month_start(value) > clock.today():
        raise Invalid("The month {month} has not begun yet; it cannot be closed.", field="month", month=value)
    async with unit_of_work(actor) as uow:
        await lock_ledger()
        if await FundPeriod.exists().where(FundPeriod.month == value):
            raise Conflict("The period {month} is already closed.", field="month", month=value)
        period = FundPeriod(month=value, closed_at=clock.now(), closed_by=actor.user_id, note=text)
        await period.save()
        report = await reports.budget_vs_actual(value)
        uow.record(
            events.PERIOD_CLOSED,
            "fund_period",
            value,
            after={
                "month": value,
                "note": text,
                "budget": report.total.budget,
                "actual": report.total.actual,
            },
        )
        return value
