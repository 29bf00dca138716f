"""Which snapshot a trend month reads, and which months a trend covers (no database)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from audit_export.dashboard import trends
from service_ops import clock


def _row(kind: str, month: date, value: float, outlet_value: float, months: int = 1) -> dict[str, Any]:
    return {
        "kind": kind,
        "period_from": month,
        "period_to": clock.add_months(month, months),
        "kpis": json.dumps({"k": {"value": value, "numerator": 1, "denominator": 1}}),
        "by_outlet": json.dumps({"O1": {"k": {"value": outlet_value, "numerator": 1, "denominator": 2}}}),
    }


def test_frozen_wins_else_the_latest_live_and_only_whole_months() -> None:
    march, april = date(2026, 3, 1), date(2026, 4, 1)
    rows = [
        _row("live", march, 0.1, 0.01),
        _row("frozen", march, 0.2, 0.02),
        _row("live", march, 0.3, 0.03),
        _row("live", april, 0.4, 0.04),
        _row("live", april, 0.5, 0.05),
        _row("live", april, 0.9, 0.09, months=3),  # a quarter: not a month's figure
    ]
    chosen = trends._best_snapshots(rows)
    assert trends._snapshot_values(chosen[march], None) == {"k": 0.2}
    assert trends._snapshot_values(chosen[april], None) == {"k": 0.5}
    assert trends._snapshot_values(chosen[april], "O1") == {"k": 0.05}
    assert trends._snapshot_values(chosen[april], "OTHER") == {}


def test_twelve_months_end_with_the_period_but_never_after_as_of() -> None:
    as_of = datetime(2026, 5, 20, 12, tzinfo=clock.org_zone())
    months = trends.months_up_to(date(2026, 12, 31), as_of)
    assert (months[0], months[-1], len(months)) == (date(2025, 6, 1), date(2026, 5, 1), 12)
    assert trends.months_up_to(date(2026, 2, 28), as_of)[-1] == date(2026, 2, 1)
    values = {date(2026, 2, 1): {"k": 0.5}, date(2026, 1, 1): {}}
    assert trends.series(values, "k") == [None, 0.5]
