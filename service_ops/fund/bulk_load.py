"""Bulk loading of imported fund entries (the history importer's writes into the fund).

Called inside the importer's unit of work with validated rows of fund_entries.csv; writes with
`service_ops.bulk.execute_many` and records no audit event (the import records one). Entries are
append-only here as everywhere: only new entries are inserted, never an existing one changed.

Mapping: the bundle's `id` is `external_id`, `amount` (CNY) is `amount_fen`, `reference` is
`reference_id` with `reference_kind` import, `memo` as given; the entry's `number` is taken from
the posting-day counter like every entry. An account code the fund does not know yet is created
(named by its code, active) — a history brings the accounts it was kept in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from service_ops import clock, numbering
from service_ops.bulk import execute_many, ids_by, select_in
from service_ops.fund.choices import ReferenceKind
from service_ops.fund.values import month_of

Values = dict[str, Any]


def fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def cny(amount_fen: int) -> Decimal:
    return (Decimal(amount_fen) / 100).quantize(Decimal("0.01"))


async def imported_entries(external_ids: Iterable[str]) -> list[Values]:
    """Entries with these external ids, as a bundle's fund_entries.csv columns."""
    rows = await select_in(
        "SELECT e.external_id, e.posted_on, e.kind, e.amount_fen, a.code AS account, e.reference_id, e.memo "
        "FROM fund_entry e JOIN fund_account a ON a.id = e.account WHERE e.external_id IN ({values})",
        external_ids,
    )
    return [
        {
            "id": row["external_id"],
            "posted_on": row["posted_on"],
            "kind": row["kind"],
            "amount": cny(int(row["amount_fen"])),
            "account": row["account"],
            "reference": row["reference_id"] or None,
            "memo": row["memo"] or None,
        }
        for row in rows
    ]


async def closed_months(days: Iterable[date]) -> set[str]:
    rows = await select_in(
        "SELECT month FROM fund_period WHERE month IN ({values})", {month_of(d) for d in days}
    )
    return {row["month"] for row in rows}


async def load_entries(rows: Sequence[Values], origin: str) -> None:
    """Insert new entries (creating missing accounts); numbered F + today + the day's sequence."""
    if not rows:
        return
    codes = {v["account"] for v in rows}
    accounts = await ids_by("fund_account", "code", codes)
    now = clock.now()
    await execute_many(
        "INSERT INTO fund_account (code, name, is_active, created_at) VALUES (?, ?, ?, ?)",
        [(code, code, True, now) for code in sorted(codes - set(accounts))],
    )
    accounts = await ids_by("fund_account", "code", codes)
    day = now.astimezone(clock.org_zone()).strftime("%Y%m%d")
    sequence = await numbering.next_values("fund:" + day, len(rows))
    await execute_many(
        "INSERT INTO fund_entry (number, external_id, posted_on, kind, amount_fen, account, reference_kind, "
        "reference_id, memo, reason, origin, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
        [
            (
                f"F{day}{value:05d}",
                v["id"],
                v["posted_on"],
                v["kind"],
                fen(v["amount"]),
                accounts[v["account"]],
                ReferenceKind.IMPORT.value,
                v["reference"] or "",
                v["memo"] or "",
                origin,
                now,
            )
            for value, v in zip(sequence, rows, strict=True)
        ],
    )
