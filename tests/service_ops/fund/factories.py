"""Builders of the fund tests: accounts, months no other test uses, entries."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from service_ops.actor import Actor
from service_ops.fund import services
from service_ops.fund.choices import EntryKind, ReferenceKind
from service_ops.fund.schemas import AccountCreate, EntryCreate
from tests.conftest import unique

_months = itertools.count(0)


def fresh_month() -> str:
    """A past month (2001-01 onwards) that no other test of this run posts into or closes."""
    index = next(_months)
    return f"{2001 + index // 12:04d}-{index % 12 + 1:02d}"


def day_of(month: str, day: int = 10) -> date:
    return date(int(month[:4]), int(month[5:]), day)


async def new_account(actor: Actor, prefix: str = "acc") -> str:
    code = unique(prefix).lower()
    await services.create_account(actor, AccountCreate(code=code, name=f"测试科目 {code}"))
    return code


def entry(
    account: str,
    kind: EntryKind | str,
    amount: str,
    posted_on: date,
    outlet_id: int | None = None,
    memo: str = "",
) -> EntryCreate:
    return EntryCreate(
        posted_on=posted_on,
        kind=EntryKind(kind),
        amount=Decimal(amount),
        account=account,
        outlet_id=outlet_id,
        reference_kind=ReferenceKind.MANUAL,
        memo=memo,
    )
