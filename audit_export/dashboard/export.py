"""A KPI part's records as CSV, streamed batch by batch: UTF-8 with a BOM so spreadsheet programs
read the Chinese text right, cells that a spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from audit_export.kpis import drilldown
from audit_export.period import Period

BOM = "\ufeff".encode()
_FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One value as CSV text: ISO dates and times, plain decimals, blank for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _encode(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


async def csv_chunks(
    code: str, period: Period, as_of: datetime, part: str, outlet_code: str | None = None
) -> AsyncIterator[bytes]:
    """The BOM and header, then one chunk per batch of records (memory stays one batch)."""
    yield BOM + _encode([list(drilldown.record_columns(code))])
    async for batch in drilldown.iter_kpi_records(code, period, as_of, part, outlet_code=outlet_code):
        yield _encode(batch)


def filename(code: str, period: Period, part: str, outlet_code: str | None) -> str:
    """e.g. first_time_fix_rate_NS01_2026-10-01_2026-11-01_denominator.csv (ASCII only)."""
    parts = [
        code,
        *([outlet_code] if outlet_code else []),
        period.start.isoformat(),
        period.end.isoformat(),
        part,
    ]
    return (
        "_".join(
            "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in p) for p in parts
        )
        + ".csv"
    )
