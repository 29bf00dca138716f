"""One KPI figure (numerator, denominator, value) and its JSON form as kpis.md fixes it: counts as
integers, hours and money as decimal strings with 2 places, `value` a number or null."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

Number = int | Decimal

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class KpiFigure:
    """numerator / denominator = value; `value` is None when the denominator is 0 (or absent)."""

    numerator: Number
    denominator: Number | None
    value: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "numerator": _json_number(self.numerator),
            "denominator": None if self.denominator is None else _json_number(self.denominator),
        }


def _json_number(number: Number) -> int | str:
    """Counts stay integers; hours and money become 2-place decimal strings ("402.50")."""
    if isinstance(number, int):
        return number
    return str(number.quantize(TWO_PLACES, rounding=ROUND_HALF_UP))


def ratio(numerator: Number, denominator: Number | None, scale: int = 1) -> KpiFigure:
    """The usual figure: value = scale × numerator / denominator, None when nothing to divide by."""
    if not denominator:
        return KpiFigure(numerator, denominator, None)
    return KpiFigure(
        numerator, denominator, float(Decimal(scale) * Decimal(numerator) / Decimal(denominator))
    )
