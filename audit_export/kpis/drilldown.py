"""The records behind a KPI figure, listed from the same record set the figure aggregates.

`part` "denominator" lists the records in the denominator, "numerator" those counted in the
numerator (a subset, except fund_utilisation whose numerator records are the expense entries and
denominator records the budget entries, and fund_reserve_balance which has no denominator).
Rows are ordered by the record set's stable key and streamed by that key (keyset pagination), so
an export never holds every row in memory and is the same byte for byte when run twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from audit_export.kpis.engine import outlet_id, record_set_sql
from audit_export.kpis.recordsets import BUILDERS, columns_of
from audit_export.kpis.sql import context, fetch
from audit_export.period import Period
from service_ops.errors import N_, Invalid, NotFound

PARTS = {"numerator": "r.cnt = 1", "denominator": "r.den = 1"}
COUNTED = "counted_in_numerator"


@dataclass(frozen=True)
class RecordPage:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    total: int


def record_columns(code: str) -> tuple[str, ...]:
    """The columns of the records behind the KPI; the last says whether it is in the numerator."""
    if code not in BUILDERS:
        raise NotFound(N_("There is no KPI {code}."), code=code)
    return (*columns_of(code), COUNTED)


async def _source(code: str, period: Period, as_of: datetime, part: str, outlet_code: str | None) -> str:
    """`FROM … WHERE …` of the part's records (no ORDER BY / LIMIT)."""
    if part not in PARTS:
        raise Invalid(
            N_("{part} is not a part of a figure: use numerator or denominator."), field="part", part=part
        )
    where = PARTS[part]
    if outlet_code is not None:
        where += f" AND r.outlet_id = {await outlet_id(outlet_code)}"
    return f"FROM ({record_set_sql(code, context(period, as_of))}) r WHERE {where}"


def _select(code: str) -> str:
    return ", ".join(["r.k", *(f"r.{column}" for column in columns_of(code)), "r.cnt"])


def _row(code: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return (*(row[column] for column in columns_of(code)), bool(row["cnt"]))


async def kpi_records(
    code: str,
    period: Period,
    as_of: datetime,
    part: str,
    outlet_code: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> RecordPage:
    """One page of the records of a figure's numerator or denominator, and how many there are."""
    columns = record_columns(code)
    source = await _source(code, period, as_of, part, outlet_code)
    total = await fetch(f"SELECT COUNT(*) AS n {source}")
    rows = await fetch(
        f"SELECT {_select(code)} {source} ORDER BY r.k "
        f"LIMIT {max(int(limit), 0)} OFFSET {max(int(offset), 0)}"
    )
    return RecordPage(columns, [_row(code, row) for row in rows], int(total[0]["n"]))


async def iter_kpi_records(
    code: str,
    period: Period,
    as_of: datetime,
    part: str,
    outlet_code: str | None = None,
    batch: int = 5000,
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """Every record of the part, in batches, ordered by the record's stable key."""
    record_columns(code)
    source = await _source(code, period, as_of, part, outlet_code)
    after: int | None = None
    while True:
        keyset = "" if after is None else f" AND r.k > {after}"
        rows = await fetch(f"SELECT {_select(code)} {source}{keyset} ORDER BY r.k LIMIT {max(int(batch), 1)}")
        if not rows:
            return
        yield [_row(code, row) for row in rows]
        if len(rows) < batch:
            return
        after = int(rows[-1]["k"])
