"""Cell text is the same whichever engine handed the value back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from audit_export.pack.cells import cell_text, cell_value
from service_ops import clock


def test_times_read_in_the_organisations_zone_on_both_engines() -> None:
    moment = datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)
    expected = moment.astimezone(clock.org_zone()).isoformat()
    assert cell_text(moment) == expected  # PostgreSQL: a datetime
    assert cell_text("2026-03-01 09:30:15+00:00") == expected  # SQLite: its stored text
    assert cell_text("2026-03-01 09:30:15 more") == "2026-03-01 09:30:15 more"


def test_other_values() -> None:
    assert [cell_text(value) for value in (None, True, date(2026, 3, 1), Decimal("2.50"), "北京")] == [
        "",
        "true",
        "2026-03-01",
        "2.50",
        "北京",
    ]
    assert cell_value(Decimal("2.50")) == Decimal("2.50") and cell_value(None) == ""
