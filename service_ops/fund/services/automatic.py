"""Automatic postings other domains make inside their own unit of work (work orders, training)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from service_ops.errors import Invalid
from service_ops.fund import events, queries
from service_ops.fund.choices import EntryKind, ReferenceKind
from service_ops.fund.services.accounts import standard_account
from service_ops.fund.services.common import insert_entry, lock_ledger, snapshot
from service_ops.fund.tables import FundEntry
from service_ops.fund.values import month_of, next_month_start, to_fen
from service_ops.uow import UnitOfWork, current_unit_of_work

__all__ = ["post_training_session_cost", "post_work_order_costs"]


def _inside(uow: UnitOfWork) -> None:
    if current_unit_of_work() is not uow:
        raise RuntimeError("automatic fund postings run inside the caller's open unit of work")


async def _open_day(day: date) -> date:
    """`day` if its month is open, else the first day of the next open month."""
    closed = await queries.closed_months()
    while month_of(day) in closed:
        day = next_month_start(day)
    return day


async def _auto_post(
    uow: UnitOfWork,
    *,
    key: str,
    account_code: str,
    amount: Decimal,
    field: str,
    posted_on: date,
    reference: tuple[ReferenceKind, str],
    outlet_id: int | None = None,
) -> int | None:
    fen = to_fen(amount, field)
    if fen < 0:
        raise Invalid("The amount must not be negative.", field=field)
    if fen == 0:
        return None
    await lock_ledger()  # then look: a concurrent twin has committed by the time the lock is ours
    if await FundEntry.exists().where(FundEntry.auto_key == key):
        return None
    day = await _open_day(posted_on)
    entry = await insert_entry(
        {
            "posted_on": day,
            "kind": EntryKind.EXPENSE.value,
            "amount_fen": fen,
            "account": await standard_account(uow, account_code),
            "outlet_id": outlet_id,
            "reference_kind": reference[0].value,
            "reference_id": reference[1],
            "auto_key": key,
            "origin": "auto",
        }
    )
    uow.record(
        events.ENTRY_AUTO_POSTED,
        "fund_entry",
        entry.id,
        after={**snapshot(entry), "requested_on": posted_on},
    )
    return int(entry.id)


async def post_work_order_costs(
    uow: UnitOfWork,
    work_order_id: int,
    outlet_id: int | None,
    parts_under_warranty: Decimal,
    labour_under_warranty: Decimal,
    posted_on: date,
) -> list[int]:
    """Expense a completed work order's warranty costs: parts on account `parts`, labour on `labour`.

    Call it from the work-order completion, inside that unit of work (`uow`): the entries commit or
    roll back with the completion, and record their audit events in it. Amounts are exact CNY
    decimals, at most 2 places, not negative; a zero line posts nothing.
    - Idempotent per line: `work_order:<id>:parts` and `…:labour` are posted at most once, so calling
      it again for the same work order adds no entry (a wrong figure is corrected by finance with a
      reversing entry, never by a second posting).
    - A closed period never blocks the field: a posting dated in a closed month goes to the first day
      of the next open month (the audit event keeps the requested date as `requested_on`).
    - The accounts are made on first use. Returns the ids of the entries posted now.
    """
    _inside(uow)
    posted = []
    for code, amount in (("parts", parts_under_warranty), ("labour", labour_under_warranty)):
        entry_id = await _auto_post(
            uow,
            key=f"work_order:{work_order_id}:{code}",
            account_code=code,
            amount=amount,
            field=f"{code}_under_warranty",
            posted_on=posted_on,
            reference=(ReferenceKind.WORK_ORDER, str(work_order_id)),
            outlet_id=outlet_id,
        )
        if entry_id is not None:
            posted.append(entry_id)
    return posted


async def post_training_session_cost(
    uow: UnitOfWork, session_id: int, amount: Decimal, posted_on: date
) -> int | None:
    """Expense a training session's cost on account `training`, inside the caller's unit of work.

    Same rules as `post_work_order_costs`: posted once per session (`training_session:<id>`), a zero
    amount posts nothing, a closed month moves the posting to the next open month. Returns the new
    entry's id, or None when nothing was posted.
    """
    _inside(uow)
    return await _auto_post(
        uow,
        key=f"training_session:{session_id}",
        account_code="training",
        amount=amount,
        field="amount",
        posted_on=posted_on,
        reference=(ReferenceKind.TRAINING_SESSION, str(session_id)),
    )
