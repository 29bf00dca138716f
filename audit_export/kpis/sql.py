"""The small dialect layer of the KPI SQL: literals and exact time comparisons on SQLite and PostgreSQL.

Only values built here from typed Python objects (datetimes, dates, ints) are written into the SQL
as literals, so no user text ever reaches a statement. Exact at every boundary:
- a timestamp against a moment or another timestamp is a plain comparison (on SQLite both are the
  text Piccolo writes, UTC `str()`, which sorts in time order even with microseconds);
- a window ("answered within 20 s") is interval arithmetic on PostgreSQL and whole epoch
  microseconds on SQLite (its julianday floats can mis-order "exactly 20 s after");
- whether a window closed before as_of compares its start with `as_of − window`, computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from audit_export.period import Period, local_date
from service_ops import clock
from service_ops.settings import get_settings
from service_ops.tables import AuditEvent

SECOND_US = 1_000_000
HOUR_US = 3600 * SECOND_US
DAY_US = 24 * HOUR_US


@dataclass(frozen=True)
class Ctx:
    """A period and an as_of, rendered for one engine."""

    period: Period
    as_of: datetime
    postgres: bool

    # literals -----------------------------------------------------------------------------------
    def ts(self, moment: datetime) -> str:
        """A timestamptz literal: on SQLite the very text Piccolo stores (UTC `str()`)."""
        utc = moment.astimezone(UTC)
        return f"TIMESTAMPTZ '{utc.isoformat()}'" if self.postgres else f"'{utc}'"

    def day(self, value: date) -> str:
        return f"DATE '{value.isoformat()}'" if self.postgres else f"'{value.isoformat()}'"

    def us(self, column: str) -> str:
        """Epoch microseconds of a timestamptz column, as an exact integer (NULL stays NULL)."""
        if self.postgres:
            return (
                f"(EXTRACT(EPOCH FROM date_trunc('second', {column}))::bigint * 1000000"
                f" + EXTRACT(MICROSECONDS FROM {column})::bigint % 1000000)"
            )
        return (
            f"(CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
            f" + CASE WHEN substr({column}, 20, 1) = '.' THEN CAST(substr({column}, 21, 6) AS INTEGER)"
            " ELSE 0 END)"
        )

    # the bounds of kpis.md ------------------------------------------------------------------------
    @property
    def start(self) -> str:
        return self.ts(self.period.start_at)

    @property
    def end(self) -> str:
        return self.ts(self.period.end_at)

    @property
    def asof(self) -> str:
        return self.ts(self.as_of)

    @property
    def asof_us(self) -> int:
        return _epoch_us(self.as_of)

    @property
    def first_day(self) -> str:
        return self.day(self.period.start)

    @property
    def last_day(self) -> str:
        return self.day(self.period.last_day)

    @property
    def asof_day(self) -> str:
        """The local date of as_of: date fields later than it have not happened yet."""
        return self.day(local_date(self.as_of))

    def in_period(self, column: str) -> str:
        return f"{column} >= {self.start} AND {column} < {self.end}"

    def happened(self, column: str) -> str:
        """An event time that is set and not after as_of (after as_of counts as blank)."""
        return f"{column} <= {self.asof}"

    def within(self, start: str, end: str, window_us: int) -> str:
        """`end − start ≤ window` (inclusive), both set: native interval arithmetic on PostgreSQL
        (keeps indexes usable), exact epoch microseconds on SQLite."""
        if self.postgres:
            return f"{end} <= {start} + INTERVAL '{window_us} microseconds'"
        return f"{self.us(end)} - {self.us(start)} <= {window_us}"

    def closed(self, start: str, window_us: int) -> str:
        """The window `[start, start + window]` ended before as_of: its outcome is known."""
        return f"{start} < {self.ts(self.as_of - timedelta(microseconds=window_us))}"


def _epoch_us(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * SECOND_US + delta.microseconds


def context(period: Period, as_of: datetime) -> Ctx:
    """The context of one computation; a naive as_of is read in the organisation's zone."""
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=clock.org_zone())
    return Ctx(period, as_of, get_settings().uses_postgres)


async def fetch(sql: str) -> list[dict[str, Any]]:
    """Run one statement (no parameters: every value is a literal built above)."""
    rows: list[dict[str, Any]] = await AuditEvent.raw(sql)
    return rows
