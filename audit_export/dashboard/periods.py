"""The dashboard's period selector: a month, quarter or year holding a day, or a custom `[from, to)`.

Query parameters `period` (month / quarter / year / custom), `at` (a day inside the period,
default today) and `from` / `to` (custom). Validation is audit_export.period's: `from ≥ to` is a
400 naming both dates. Pages keep the choice in their links through `query`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from audit_export.period import Period
from service_ops import clock
from service_ops.errors import N_, Invalid


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


PERIOD_KIND_LABELS = {
    PeriodKind.MONTH: N_("Month"),
    PeriodKind.QUARTER: N_("Quarter"),
    PeriodKind.YEAR: N_("Year"),
    PeriodKind.CUSTOM: N_("Custom"),
}


@dataclass(frozen=True)
class PeriodChoice:
    """What the reader chose and the period it means."""

    kind: PeriodKind
    at: date
    period: Period

    @property
    def query(self) -> dict[str, str]:
        """The query parameters that reproduce this choice (for links and exports)."""
        if self.kind is PeriodKind.CUSTOM:
            return {"period": self.kind.value, **self.period.as_json()}
        return {"period": self.kind.value, "at": self.at.isoformat()}


def _day(text: str | None, field: str) -> date | None:
    if text is None or text.strip() == "":
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise Invalid(
            N_("{field} must be a date like 2026-01-31, not “{value}”."), field=field, value=text[:40]
        ) from error


def period_of(kind: PeriodKind, at: date) -> Period:
    """The calendar month, quarter or year holding `at`."""
    if kind is PeriodKind.MONTH:
        return Period.month(at)
    if kind is PeriodKind.QUARTER:
        first = date(at.year, 3 * ((at.month - 1) // 3) + 1, 1)
        return Period(first, clock.add_months(first, 3))
    if kind is PeriodKind.YEAR:
        return Period(date(at.year, 1, 1), date(at.year + 1, 1, 1))
    raise Invalid(N_("A custom period needs its from and to dates."), field="from")


def choose_period(
    period: str | None = None, at: str | None = None, start: str | None = None, end: str | None = None
) -> PeriodChoice:
    """The reader's choice from query parameters (all optional: the current month)."""
    try:
        kind = PeriodKind(period or PeriodKind.MONTH.value)
    except ValueError as error:
        raise Invalid(
            N_("Unknown period “{value}”: choose month, quarter, year or custom."),
            field="period",
            value=str(period)[:40],
        ) from error
    day = _day(at, "at") or clock.today()
    if kind is PeriodKind.CUSTOM:
        first, after = _day(start, "from"), _day(end, "to")
        if first is None or after is None:
            raise Invalid(N_("A custom period needs its from and to dates."), field="from")
        return PeriodChoice(kind, first, Period(first, after))
    return PeriodChoice(kind, day, period_of(kind, day))
