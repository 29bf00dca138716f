"""The manager dashboard in a real browser, on the demo data set (the issue's acceptance flow).

The service manager logs in (his home is the dashboard), opens the outlet league table, clicks
the Nanshan outlet's first-time-fix figure and lands on its records: the ticket numbers listed
are the repair tickets that outlet resolved in the month, read straight from the database.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from service_ops.demo import DEMO_PASSWORD
from tests.e2e.conftest import AppServer, submit

OUTLET = "SZ-NS01"
FTF = "first_time_fix_rate"
ZONE = ZoneInfo("Asia/Shanghai")


def _resolved_repairs(server: AppServer) -> tuple[date, set[str]]:
    """The month of the outlet's latest repair resolution, and its repairs resolved that month.

    The demo fixes every Nanshan repair at the first visit, so they are the figure's numerator and
    denominator alike (kpis.md: repair tickets with resolved_at in P, cancelled left out).
    """
    with sqlite3.connect(server.data_dir / "service_ops.sqlite3") as db:
        rows = db.execute(
            "SELECT t.number, t.resolved_at FROM ticket t JOIN outlet o ON o.id = t.outlet "
            "WHERE o.code = ? AND t.kind = 'repair' AND t.status <> 'cancelled' "
            "AND t.resolved_at IS NOT NULL",
            (OUTLET,),
        ).fetchall()
    resolved = {number: datetime.fromisoformat(at).astimezone(ZONE).date() for number, at in rows}
    latest = max(resolved.values())
    return latest, {n for n, day in resolved.items() if (day.year, day.month) == (latest.year, latest.month)}


def test_manager_drills_from_an_outlet_figure_to_its_records(
    new_page: Any, app_server: AppServer, artifacts: Path
) -> None:
    month_day, expected = _resolved_repairs(app_server)
    assert expected, "the demo has repairs resolved at Nanshan"
    page = new_page(extra_http_headers={"Accept-Language": "en"})

    page.goto("/login")
    page.fill("input[name=username]", "manager1")
    page.fill("input[name=password]", DEMO_PASSWORD)
    submit(page, page.locator("form[action='/login'] button[type=submit]"), re.compile(r".*/dashboard$"))
    assert page.locator(f".kpi-tile[data-kpi='{FTF}'] svg.sparkline").count() == 1
    assert page.locator("[data-chart] svg").count() >= 10, "trend charts are drawn server-side"

    # The period selector (a plain GET form) picks the month of the outlet's repairs.
    page.fill("form[data-form=period] input[name=at]", month_day.isoformat())
    submit(page, page.locator("form[data-form=period] button[type=submit]"), re.compile(r".*/dashboard\?.*"))
    page.screenshot(path=str(artifacts / "manager-dashboard.png"), full_page=True)

    submit(page, page.locator("[data-action=league-table]"), re.compile(r".*/dashboard/outlets\?.*"))
    figure = page.locator(f"tr[data-outlet='{OUTLET}'] a[data-figure='{FTF}']")
    assert figure.inner_text().strip() == "100.0%"
    page.screenshot(path=str(artifacts / "manager-league-table.png"), full_page=True)

    submit(page, figure, re.compile(rf".*/kpis/{FTF}\?.*outlet={OUTLET}.*"))
    listed = {
        text.strip()
        for text in page.locator(
            "section[data-part=denominator] table tbody tr td:first-child"
        ).all_inner_texts()
    }
    assert listed == expected
    counted = {
        text.strip()
        for text in page.locator(
            "section[data-part=numerator] table tbody tr td:first-child"
        ).all_inner_texts()
    }
    assert counted == expected
    assert page.locator("[data-field=denominator]").inner_text().strip() == str(len(expected))
    page.screenshot(path=str(artifacts / "manager-kpi-records.png"), full_page=True)
