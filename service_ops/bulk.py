"""Bulk writes for imports: executemany on the open transaction's connection, chunked IN lookups.

SQL is written with `?` placeholders; on PostgreSQL they become `$1, $2 …`.

On PostgreSQL, `execute_many` with at least COPY_MIN_ROWS rows turns the two plain shapes bulk
loads use into COPY, which is several times faster than executemany for large imports:
`INSERT INTO t (a, b, c) VALUES (?, ?, 'literal')` is copied straight into `t`; `UPDATE t SET a = ?,
b = 'literal' WHERE k = ? [AND j = ?]` is copied into a temporary table shaped like those columns,
then applied with one `UPDATE … FROM` (only when the WHERE values of the rows are distinct, since
executemany would apply repeated keys in order). Any other statement (expressions, sub-queries,
ON CONFLICT, RETURNING) keeps executemany. SQLite always uses executemany.
"""

from __future__ import annotations

import contextvars
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from service_ops.tables import AuditEvent

IN_CHUNK = 500
ANY_CHUNK = 20_000
_IN_VALUES = re.compile(r"\bIN \(\{values\}\)")
COPY_MIN_ROWS = 200
_QMARK = re.compile(r"\?")
_INSERT = re.compile(r"^\s*INSERT INTO (\w+) \(([^)]*)\)\s*VALUES\s*\((.*)\)\s*$", re.S | re.I)
_UPDATE = re.compile(r"^\s*UPDATE (\w+) SET (.+?) WHERE (.+)$", re.S | re.I)
_ITEM = re.compile(r"'(?:[^']|'')*'|[^,]+")
_ASSIGNMENT = re.compile(r'^"?(\w+)"?\s*=\s*(.+)$', re.S)
_NUMBER = re.compile(r"^-?\d+$")
_temp_tables = itertools.count(1)
_IDENTIFIER = re.compile(r"^\w+$")
_known_ids: contextvars.ContextVar[dict[tuple[str, str], dict[Any, int]] | None] = contextvars.ContextVar(
    "bulk_known_ids", default=None
)


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
    """One statement, many parameter rows (COPY where it can, else asyncpg / sqlite3 executemany)."""
    if not rows:
        return
    if _engine().engine_type != "postgres":
        await _connection().executemany(sql, rows)
        return
    if len(rows) >= COPY_MIN_ROWS:
        insert = _plain_insert(sql)
        if insert is not None:
            await _connection().copy_records_to_table(
                insert.table, records=insert.records(rows), columns=insert.columns
            )
            return
        update = _plain_update(sql)
        if update is not None and update.keys_distinct(rows):
            await _copy_update(update, rows)
            return
    await _connection().executemany(_numbered(sql), rows)


class _Literal:
    """A constant in a VALUES list or SET clause (a quoted string, an integer, NULL, TRUE, FALSE)."""

    def __init__(self, value: Any, text: str) -> None:
        self.value = value
        self.text = text


_PARAMETER = object()


def _item(text: str) -> object | _Literal | None:
    """`?` → _PARAMETER; a literal → _Literal; anything else → None (not a plain statement)."""
    text = text.strip()
    upper = text.upper()
    if text == "?":
        return _PARAMETER
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return _Literal(text[1:-1].replace("''", "'"), text)
    if _NUMBER.match(text):
        return _Literal(int(text), text)
    if upper in ("NULL", "TRUE", "FALSE"):
        return _Literal({"NULL": None, "TRUE": True, "FALSE": False}[upper], text)
    return None


@dataclass(frozen=True)
class _PlainInsert:
    table: str
    columns: list[str]
    items: list[object]

    def records(self, rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
        """The COPY records: each row's parameters with the literals put in their places."""
        if all(item is _PARAMETER for item in self.items):
            return list(rows)
        literals = [item.value if isinstance(item, _Literal) else None for item in self.items]
        places, start = [], 0
        for index, item in enumerate(self.items):
            if isinstance(item, _Literal):
                places.append(f"literals[{index}]")
            else:
                places.append(f"row[{start}]")
                start += 1
        # one tuple display per row (built from positions only: no text of the statement in it)
        assemble = eval(f"lambda row: ({', '.join(places)},)", {"literals": literals})
        return [assemble(row) for row in rows]


def _plain_insert(sql: str) -> _PlainInsert | None:
    match = _INSERT.match(sql)
    if match is None:
        return None
    columns = [name.strip().strip('"') for name in match.group(2).split(",")]
    items = [_item(text) for text in _ITEM.findall(match.group(3))]
    if len(items) != len(columns) or any(item is None for item in items):
        return None
    return _PlainInsert(match.group(1), columns, items)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _PlainUpdate:
    table: str
    sets: list[tuple[str, object]]  # (column, _PARAMETER or _Literal)
    keys: list[str]  # the WHERE columns, each `= ?`

    @property
    def parameters(self) -> int:
        return sum(item is _PARAMETER for _, item in self.sets)

    def keys_distinct(self, rows: Sequence[Sequence[Any]]) -> bool:
        start = self.parameters
        return len({tuple(row[start:]) for row in rows}) == len(rows)


def _plain_update(sql: str) -> _PlainUpdate | None:
    match = _UPDATE.match(sql)
    if match is None:
        return None
    sets: list[tuple[str, object]] = []
    for text in _ITEM.findall(match.group(2)):
        assignment = _ASSIGNMENT.match(text.strip())
        item = _item(assignment.group(2)) if assignment else None
        if assignment is None or item is None:
            return None
        sets.append((assignment.group(1), item))
    keys = []
    for text in re.split(r"\s+AND\s+", match.group(3).strip(), flags=re.I):
        assignment = _ASSIGNMENT.match(text.strip())
        if assignment is None or assignment.group(2).strip() != "?":
            return None
        keys.append(assignment.group(1))
    return _PlainUpdate(match.group(1), sets, keys)


async def _copy_update(update: _PlainUpdate, rows: Sequence[Sequence[Any]]) -> None:
    """COPY the rows into a temporary table shaped like their columns, then one UPDATE … FROM."""
    connection = _connection()
    temp = f"_bulk_update_{next(_temp_tables)}"
    sources = [column for column, item in update.sets if item is _PARAMETER] + update.keys
    shape = ", ".join(f'"{column}" AS c{index}' for index, column in enumerate(sources))
    await connection.execute(f'CREATE TEMP TABLE {temp} AS SELECT {shape} FROM "{update.table}" WITH NO DATA')
    try:
        await connection.copy_records_to_table(
            temp, records=[tuple(row) for row in rows], columns=[f"c{i}" for i in range(len(sources))]
        )
        assignments, index = [], 0
        for column, item in update.sets:
            if isinstance(item, _Literal):
                assignments.append(f'"{column}" = {item.text}')
            else:
                assignments.append(f'"{column}" = s.c{index}')
                index += 1
        matches = " AND ".join(
            f't."{key}" = s.c{update.parameters + offset}' for offset, key in enumerate(update.keys)
        )
        await connection.execute(
            f'UPDATE "{update.table}" t SET {", ".join(assignments)} FROM {temp} s WHERE {matches}'
        )
    finally:
        await connection.execute(f"DROP TABLE {temp}")


async def select_in(sql: str, values: Iterable[Any]) -> list[dict[str, Any]]:
    """Run `sql` (holding `IN ({values})`) once per chunk of values; rows of every chunk.

    On PostgreSQL the chunk is one array parameter (`= ANY($1)`), so a chunk can be large, and the
    query runs straight on the transaction's connection (no ORM row conversion).
    """
    distinct = sorted({value for value in values if value is not None}, key=str)
    if not distinct:
        return []
    found: list[dict[str, Any]] = []
    if _engine().engine_type == "postgres" and _IN_VALUES.search(sql):
        query = _numbered(_IN_VALUES.sub("= ANY(?)", sql))
        transaction = _engine().current_transaction.get()
        for start in range(0, len(distinct), ANY_CHUNK):
            chunk = distinct[start : start + ANY_CHUNK]
            if transaction is None:
                found.extend(await AuditEvent.raw(_IN_VALUES.sub("= ANY({})", sql), chunk))
            else:
                found.extend(dict(record) for record in await transaction.connection.fetch(query, chunk))
        return found
    for start in range(0, len(distinct), IN_CHUNK):
        chunk = distinct[start : start + IN_CHUNK]
        query = sql.replace("{values}", ", ".join("{}" for _ in chunk))
        found.extend(await AuditEvent.raw(query, *chunk))
    return found


@contextmanager
def remembering_ids() -> Iterator[None]:
    """Within this block, `ids_by` remembers the ids it finds and the ids `allocate_ids` callers
    `remember_ids` (an import resolves a million ticket numbers without asking the database again).

    Use it around one transaction only: ids remembered from a transaction rolled back are void.
    """
    token = _known_ids.set({})
    try:
        yield
    finally:
        _known_ids.reset(token)


def remember_ids(table: str, column: str, pairs: Iterable[tuple[Any, int]]) -> None:
    """Tell `ids_by` the ids of rows just written (no-op outside `remembering_ids`)."""
    known = _known_ids.get()
    if known is not None:
        known.setdefault((table, column), {}).update(pairs)


def remembered(table: str, column: str) -> dict[Any, int] | None:
    """The ids remembered for (`table`, `column`), to read or change; None outside `remembering_ids`."""
    known = _known_ids.get()
    return None if known is None else known.setdefault((table, column), {})


async def allocate_ids(table: str, count: int) -> list[int]:
    """`count` fresh ids for rows of `table` written with explicit ids (one round trip).

    PostgreSQL: the next values of the table's id sequence. SQLite: the ids after the highest used
    (the import's transaction holds the database's only write lock meanwhile).
    """
    if count <= 0:
        return []
    if not _IDENTIFIER.match(table):
        raise ValueError(f"not a table name: {table!r}")
    connection = _connection()
    if _engine().engine_type == "postgres":
        rows = await connection.fetch(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)", table, count
        )
        return [row[0] for row in rows]
    cursor = await connection.execute(f'SELECT COALESCE(MAX(id), 0) AS highest FROM "{table}"')
    highest = int((await cursor.fetchone())["highest"])
    cursor = await connection.execute("SELECT 1 AS found FROM sqlite_master WHERE name = 'sqlite_sequence'")
    stored = None
    if await cursor.fetchone() is not None:  # AUTOINCREMENT never reuses an id, even a deleted one
        cursor = await connection.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,))
        stored = await cursor.fetchone()
    start = max(highest, int(stored["seq"]) if stored else 0) + 1
    return list(range(start, start + count))


async def ids_by(table: str, column: str, values: Iterable[Any]) -> dict[Any, int]:
    """`column` value → id for the rows of `table` holding those values."""
    known = _known_ids.get()
    if known is None:
        return await _ids_by(table, column, values)
    remembered = known.setdefault((table, column), {})
    wanted = {value for value in values if value is not None}
    found = {value: remembered[value] for value in wanted if value in remembered}
    missing = wanted.difference(found)
    if missing:
        fetched = await _ids_by(table, column, missing)
        remembered.update(fetched)
        found.update(fetched)
    return found


async def _ids_by(table: str, column: str, values: Iterable[Any]) -> dict[Any, int]:
    rows = await select_in(
        f"SELECT id, {column} AS value FROM {table} WHERE {column} IN ({{values}})", values
    )
    return {row["value"]: int(row["id"]) for row in rows}


async def has_rows(table: str) -> bool:
    """Whether `table` holds any row (visible to this transaction)."""
    if not _IDENTIFIER.match(table):
        raise ValueError(f"not a table name: {table!r}")
    rows = await AuditEvent.raw(f'SELECT EXISTS (SELECT 1 FROM "{table}") AS found')
    return bool(rows[0]["found"])
