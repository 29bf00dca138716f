"""How a KPI value reads on a page or a chart, by its unit (kpis.md: rate, mean, hours, money,
per_1000). Pages show the number; the API returns the raw value."""

from __future__ import annotations

from typing import Any

VALUE_FORMATS = {
    "rate": "{:.1%}",
    "mean": "{:.2f}",
    "hours": "{:.1f}",
    "money": "{:,.2f}",
    "per_1000": "{:.2f}",
}
DEFAULT_FORMAT = "{:.2f}"


def unit_name(unit: Any) -> str:
    """A definition's unit as text, whether it is an enum member or a string."""
    return str(getattr(unit, "value", unit))


def value_format(unit: Any) -> str:
    """The `str.format` pattern of values of `unit` (charts take it as is)."""
    return VALUE_FORMATS.get(unit_name(unit), DEFAULT_FORMAT)


def format_value(value: float | None, unit: Any) -> str:
    """A value for display; an en dash when there is none (nothing to divide by)."""
    if value is None:
        return "–"
    return value_format(unit).format(value)
