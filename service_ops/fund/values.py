"""Money in fen and accounting periods (month / quarter / year), validated with actionable messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from service_ops.errors import Invalid

CENT = Decimal("0.01")
MAX_FEN = 99_999_999_999_999
"""999,999,999,999.99 CNY: what a NUMERIC(14, 2) holds."""
EARLIEST = date(2000, 1, 1)
LATEST_YEAR = 2100
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def to_fen(amount: Decimal, field: str = "amount") -> int:
    """Whole fen of an exact decimal amount; more than 2 decimal places or out of range is refused."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise Invalid("The amount must be a number, e.g. 1200.50.", field=field)
    if abs(amount) > Decimal(MAX_FEN) / 100:
        raise Invalid("The amount is too large (at most 999,999,999,999.99).", field=field)
    try:
        exact = amount.quantize(CENT) == amount
    except InvalidOperation:
        exact = False
    if not exact:
        raise Invalid(
            "An amount has at most 2 decimal places (fen); “{amount}” has more.",
            field=field,
            amount=str(amount)[:40],
        )
    return int(amount * 100)


def from_fen(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(CENT)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> date:
    year, number = _month_parts(month)
    return date(year, number, 1)


def month_end(month: str) -> date:
    return next_month_start(month_start(month)) - timedelta(days=1)


def next_month_start(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, inclusive."""
    months, day, end = [], month_start(first), month_start(last)
    while day <= end:
        months.append(month_of(day))
        day = next_month_start(day)
    return months


def check_month(month: str, field: str = "month") -> str:
    text = (month or "").strip()
    match = _MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or not _year_ok(int(match.group(1))):
        raise Invalid(
            "“{value}” is not a month: use YYYY-MM, e.g. 2026-11 (years 2000 to 2100).",
            field=field,
            value=text[:20],
        )
    return text


def _month_parts(month: str) -> tuple[int, int]:
    text = check_month(month)
    return int(text[:4]), int(text[5:])


def _year_ok(year: int) -> bool:
    return EARLIEST.year <= year <= LATEST_YEAR


@dataclass(frozen=True)
class Period:
    """An accounting period: a month (2026-11), a quarter (2026-Q4) or a year (2026)."""

    code: str
    first_day: date
    last_day: date

    @property
    def months(self) -> list[str]:
        return months_between(month_of(self.first_day), month_of(self.last_day))


def parse_period(text: str, field: str = "period") -> Period:
    value = (text or "").strip()
    if match := _MONTH.match(value):
        month = check_month(value, field)
        return Period(month, month_start(month), month_end(month))
    if (match := _QUARTER.match(value)) and _year_ok(int(match.group(1))):
        year, quarter = int(match.group(1)), int(match.group(2))
        first = date(year, quarter * 3 - 2, 1)
        return Period(f"{year}-Q{quarter}", first, month_end(f"{year}-{quarter * 3:02d}"))
    if (match := _YEAR.match(value)) and _year_ok(int(value)):
        return Period(value, date(int(value), 1, 1), date(int(value), 12, 31))
    raise Invalid(
        "“{value}” is not a period: use a month (2026-11), a quarter (2026-Q4) or a year (2026).",
        field=field,
        value=value[:20],
    )
