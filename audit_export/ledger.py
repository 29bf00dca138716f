"""Read-only figures from the service fund ledger (table `fund_entry`), by plain SQL.

Guarded: on a database without the ledger (or without the columns read here) the answer is
None, so pages that show prerequisites still work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from service_ops.tables import AuditEvent

TABLE = "fund_entry"
COLUMNS = frozenset({"kind", "posted_on", "amount_fen"})


@dataclass(frozen=True)
class Budget:
    count: int
    total_fen: int
    """Signed sum: a reversed budget entry cancels out."""


async def _columns(table: str) -> set[str]:
    if AuditEvent._meta.db.engine_type == "postgres":
        rows = await AuditEvent.raw(
            "SELECT column_name AS name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = {}",
            table,
        )
    else:
        rows = await AuditEvent.raw("SELECT name FROM pragma_table_info({})", table)
    return {str(row["name"]) for row in rows}


async def budget_of_year(year: int) -> Budget | None:
    """Budget entries posted in `year` (count and signed total), or None without a ledger."""
    if not COLUMNS <= await _columns(TABLE):
        return None
    rows = await AuditEvent.raw(
        f"SELECT COUNT(*) AS entries, COALESCE(SUM(amount_fen), 0) AS total FROM {TABLE} "
        "WHERE kind = 'budget' AND posted_on >= {} AND posted_on <= {}",
        date(year, 1, 1),
        date(year, 12, 31),
    )
    row = rows[0] if rows else {"entries": 0, "total": 0}
    return Budget(count=int(row["entries"] or 0), total_fen=int(row["total"] or 0))
