"""Pieces every fund service shares: roles, the ledger lock, closed-period check, writing an entry."""

from __future__ import annotations

from datetime import date
from typing import Any

from service_ops import clock, numbering
from service_ops.choices import Role
from service_ops.errors import Conflict, Invalid
from service_ops.fund.tables import FundEntry, FundPeriod
from service_ops.fund.values import month_of

WRITE_ROLES = (Role.FINANCE,)
READ_ROLES = (Role.FINANCE, Role.SERVICE_MANAGER, Role.HQ_MANAGER, Role.AUDITOR)
LEDGER_LOCK_KEY = 27923
"""PostgreSQL advisory lock serialising postings and period closing (the audit chain uses 27922)."""

SNAPSHOT = (
    "number",
    "external_id",
    "posted_on",
    "kind",
    "amount_fen",
    "account",
    "outlet_id",
    "reference_kind",
    "reference_id",
    "memo",
    "reverses",
    "reason",
    "auto_key",
    "origin",
    "posted_by",
)


async def lock_ledger() -> None:
    if FundEntry._meta.db.engine_type == "postgres":
        await FundEntry.raw("SELECT pg_advisory_xact_lock({})", LEDGER_LOCK_KEY)


def optional_text(raw: str | None, field: str, max_length: int) -> str:
    value = (raw or "").strip()
    if len(value) > max_length:
        raise Invalid(
            "The field “{field}” is too long (at most {max} characters).", field=field, max=max_length
        )
    return value


async def refuse_closed(day: date, field: str = "posted_on") -> None:
    month = month_of(day)
    if await FundPeriod.exists().where(FundPeriod.month == month):
        raise Conflict(
            "The period {month} is closed: date the entry in an open month (a correction of a closed "
            "month is a reversing entry dated now).",
            field=field,
            month=month,
        )


async def insert_entry(values: dict[str, Any]) -> FundEntry:
    """Write one entry with the next number of the posting day."""
    moment = clock.now()
    day = moment.astimezone(clock.org_zone()).strftime("%Y%m%d")
    entry = FundEntry(
        number=f"F{day}{await numbering.next_value('fund:' + day):05d}", posted_at=moment, **values
    )
    await entry.save()
    return entry


def snapshot(entry: FundEntry) -> dict[str, Any]:
    return {column: getattr(entry, column) for column in SNAPSHOT}
