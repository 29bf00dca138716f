"""Bulk writes for imports: executemany on the open transaction's connection, chunked IN lookups.

SQL is written with `?` placeholders; on PostgreSQL they become `$1, $2 …`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from service_ops.tables import AuditEvent

IN_CHUNK = 500
_QMARK = re.compile(r"\?")


def _engine() -> Any:
    return AuditEvent._meta.db


def _connection() -> Any:
    transaction = _engine().current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk writes run only inside a unit of work")
    return transaction.connection


def _numbered(sql: str) -> str:
    counter = iter(range(1, 10_000))
    return _QMARK.sub(lambda _: f"${next(counter)}", sql)


async def execute_many(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """One statement, many parameter rows (asyncpg / sqlite3 executemany)."""
    if not rows:
        return
    if _engine().engine_type == "postgres":
        await _connection().executemany(_numbered(sql), rows)
    else:
        await _connection().executemany(sql, rows)


async def select_in(sql: str, values: Iterable[Any]) -> list[dict[str, Any]]:
    """Run `sql` (holding `IN ({values})`) once per chunk of values; rows of every chunk."""
    distinct = sorted({value for value in values if value is not None}, key=str)
    found: list[dict[str, Any]] = []
    for start in range(0, len(distinct), IN_CHUNK):
        chunk = distinct[start : start + IN_CHUNK]
        query = sql.replace("{values}", ", ".join("{}" for _ in chunk))
        found.extend(await AuditEvent.raw(query, *chunk))
    return found


async def ids_by(table: str, column: str, values: Iterable[Any]) -> dict[Any, int]:
    """`column` value → id for the rows of `table` holding those values."""
    rows = await select_in(
        f"SELECT id, {column} AS value FROM {table} WHERE {column} IN ({{values}})", values
    )
    return {row["value"]: int(row["id"]) for row in rows}
