"""One text form per value for the pack's CSV and XLSX cells, the same on both database engines.

`CellText` is the fast path a pack's record files use (millions of rows).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from service_ops import clock

UTC_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$")
"""How SQLite hands back a stored time from a raw select (PostgreSQL gives a datetime)."""
_PLAIN = (int, float, Decimal)


def cell_text(value: Any) -> str:
    """Times in the organisation's zone (ISO 8601 with offset), dates ISO, blanks empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=clock.org_zone())
        return moment.astimezone(clock.org_zone()).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and UTC_TEXT.match(value):
        return cell_text(datetime.fromisoformat(value))
    return str(value)


def cell_value(value: Any) -> Any:
    """Numbers stay numbers in XLSX; everything else is `cell_text`."""
    if isinstance(value, bool) or value is None:
        return cell_text(value)
    if isinstance(value, int | float | Decimal):
        return value
    return cell_text(value)


class CellText:
    """`cell_text` / `cell_value` for one zone (the organisation's when the object is made), fast:
    the value's exact type picks the conversion (no `isinstance` chain, no pattern test of a text
    that cannot be a stored time), with the same text as `cell_text`, byte for byte."""

    def __init__(self, zone: ZoneInfo | None = None) -> None:
        self.zone = zone or clock.org_zone()

    def moment(self, value: datetime) -> str:
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(self.zone).isoformat()

    def text(self, value: Any) -> str:
        kind = type(value)
        if kind is str:
            if len(value) >= 25 and value[10] == " " and UTC_TEXT.match(value):
                return self.moment(datetime.fromisoformat(value))
            return value  # type: ignore[no-any-return]
        if kind is datetime:
            return self.moment(value)
        if value is None:
            return ""
        if kind is bool:
            return "true" if value else "false"
        if kind is int or kind is Decimal or kind is float:
            return str(value)
        if kind is date:
            return value.isoformat()  # type: ignore[no-any-return]
        if isinstance(value, datetime):
            return self.moment(value)
        return cell_text(value)

    def row(self, row: Sequence[Any]) -> list[str]:
        text = self.text
        return [text(value) for value in row]

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is int or kind is float or kind is Decimal:
            return value
        if kind is not bool and value is not None and isinstance(value, _PLAIN):
            return value
        return self.text(value)
