"""One text form per value for the pack's CSV and XLSX cells, the same on both database engines."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from service_ops import clock

UTC_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$")
"""How SQLite hands back a stored time from a raw select (PostgreSQL gives a datetime)."""


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
