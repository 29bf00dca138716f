"""The dashboard, league table and scorecard pages and their API twins: period choice, sorting,
who may see what, and trends read from snapshots."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from audit_export.tables import KpiSnapshot
from service_ops import clock
from tests.audit_export.dashboard.conftest import RepairOutlet
from tests.conftest import PASSWORD

FTF = "first_time_fix_rate"


async def test_league_table_sorts_server_side_and_links_each_figure(
    repair_outlet: RepairOutlet, as_browser: Any, make_user: Any
) -> None:
    manager = await make_user("service_manager")
    await as_browser.login(manager.username, PASSWORD)
    at = repair_outlet.day.isoformat()
    response = await as_browser.client.get(
        "/dashboard/outlets", params={"period": "month", "at": at, "sort": FTF, "desc": "true"}
    )
    assert response.status_code == 200, response.text
    row = response.text.split(f'data-outlet="{repair_outlet.code}"')[1].split("</tr>")[0]
    assert f'href="/kpis/{FTF}?period=month&amp;at={at}&amp;outlet={repair_outlet.code}"' in row
    assert "50.0%" in row
    assert f'href="/dashboard/outlets/{repair_outlet.code}?' in row
    assert "<svg" in response.text

    api = await as_browser.client.get(
        "/api/kpis/outlets", params={"period": "month", "at": at, "sort": FTF, "desc": "true"}
    )
    values = [o["kpis"].get(FTF, {}).get("value") for o in api.json()["outlets"]]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True)
    assert values[: len(known)] == known  # outlets without a figure come last
    ours = next(o for o in api.json()["outlets"] if o["code"] == repair_outlet.code)
    assert ours["kpis"][FTF] == {"value": 0.5, "numerator": 1, "denominator": 2}

    bad = await as_browser.client.get("/dashboard/outlets", params={"sort": "nonsense"})
    assert bad.status_code == 400


async def test_dashboard_shows_tiles_targets_and_trends(as_browser: Any, make_user: Any) -> None:
    manager = await make_user("hq_manager")
    await as_browser.login(manager.username, PASSWORD)
    response = await as_browser.client.get("/dashboard")
    assert response.status_code == 200, response.text
    html = response.text
    assert f'data-kpi="{FTF}"' in html and 'data-chart="hotline_answer_rate"' in html
    assert 'class="sparkline"' in html and 'class="chart line-chart"' in html
    assert 'data-action="league-table"' in html
    assert 'data-field="grade"' in html, "the self-assessment's expected grade is shown"


async def test_custom_period_must_start_before_it_ends(api_as: Any) -> None:
    client, _ = await api_as("service_manager")
    response = await client.get(
        "/api/kpis", params={"period": "custom", "from": "2026-02-01", "to": "2026-02-01"}
    )
    assert response.status_code == 400
    assert "2026-02-01" in response.json()["detail"]
    assert response.json()["field"] == "from"
    future = await client.get("/api/kpis", params={"period": "decade"})
    assert future.status_code == 400


async def test_page_period_error_is_a_400_page(as_browser: Any, make_user: Any) -> None:
    manager = await make_user("service_manager")
    await as_browser.login(manager.username, PASSWORD)
    response = await as_browser.client.get(
        "/dashboard", params={"period": "custom", "from": "2026-03-01", "to": "2026-02-01"}
    )
    assert response.status_code == 400
    assert "2026-03-01" in response.text


async def test_outlet_manager_sees_only_his_outlet(repair_outlet: RepairOutlet, as_browser: Any) -> None:
    await as_browser.login(repair_outlet.manager.username, PASSWORD)
    at = repair_outlet.day.isoformat()
    own = await as_browser.client.get(f"/dashboard/outlets/{repair_outlet.code}", params={"at": at})
    assert own.status_code == 200, own.text
    assert f'href="/kpis/{FTF}?period=month&amp;at={at}&amp;outlet={repair_outlet.code}"' in own.text
    records = await as_browser.client.get(f"/kpis/{FTF}", params={"at": at, "outlet": repair_outlet.code})
    assert records.status_code == 200 and repair_outlet.fixed in records.text
    for path in (
        f"/dashboard/outlets/{repair_outlet.other_code}",
        f"/kpis/{FTF}?outlet={repair_outlet.other_code}",
        f"/kpis/{FTF}",
        "/dashboard",
        "/dashboard/outlets",
        "/api/kpis",
    ):
        assert (await as_browser.client.get(path)).status_code == 403, path


async def test_technician_may_not_open_the_dashboard_an_auditor_may(api_as: Any) -> None:
    client, _ = await api_as("technician")
    assert (await client.get("/api/kpis")).status_code == 403
    assert (await client.get("/api/kpis/outlets")).status_code == 403
    auditor, _ = await api_as("auditor")
    assert (await auditor.get("/api/kpis/outlets")).status_code == 200


async def _snapshot(kind: str, month: date, value: float, as_of: datetime) -> None:
    await KpiSnapshot.insert(
        KpiSnapshot(
            kind=kind,
            period_from=month,
            period_to=clock.add_months(month, 1),
            as_of=as_of,
            rubric_version="test",
            audit_seq=0,
            audit_hash="0" * 64,
            kpis=json.dumps({FTF: {"value": value, "numerator": 1, "denominator": 1}}),
            by_outlet=json.dumps(
                {"SNAP-OUTLET": {FTF: {"value": value / 2, "numerator": 1, "denominator": 2}}}
            ),
        )
    )


async def test_trends_read_snapshots_frozen_first(api_as: Any) -> None:
    """Months long ago (no other test writes them): a past month's frozen snapshot wins over a later
    live one; the chosen month itself is the figure computed now, like its tile."""
    client, _ = await api_as("service_manager")
    now = clock.now()
    await _snapshot("live", date(2011, 2, 1), 0.42, now)
    await _snapshot("frozen", date(2011, 3, 1), 0.55, now.replace(year=2011, month=4, day=1))
    await _snapshot("live", date(2011, 3, 1), 0.99, now)
    await _snapshot("live", date(2011, 4, 1), 0.77, now)
    response = await client.get("/api/kpis", params={"period": "month", "at": "2011-04-15"})
    assert response.status_code == 200, response.text
    kpi = next(k for k in response.json()["kpis"] if k["code"] == FTF)
    trend = kpi["trend"]
    assert next(iter(trend)) == "2010-05" and list(trend)[-1] == "2011-04"
    assert (trend["2011-02"], trend["2011-03"]) == (0.42, 0.55)
    assert trend["2011-01"] is None  # computed: no repairs back then
    assert trend["2011-04"] is None and kpi["value"] is None  # the tile's own figure, not the snapshot

    outlet = await client.get(
        "/api/kpis", params={"period": "month", "at": "2011-03-15", "outlet": "SNAP-OUTLET"}
    )
    assert outlet.status_code == 404  # the snapshot's outlet code is no outlet today
