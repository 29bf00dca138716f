"""From an outlet's figure to its records: the figure equals the records listed (pages, API, CSV)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.audit_export.dashboard.conftest import RepairOutlet
from tests.conftest import PASSWORD
from tests.outlets.network import CATEGORY

FTF = "first_time_fix_rate"


def _period(outlet: RepairOutlet) -> dict[str, str]:
    return {"period": "month", "at": outlet.day.isoformat(), "outlet": outlet.code}


async def test_api_figure_equals_its_records(repair_outlet: RepairOutlet, api_as: Any) -> None:
    client, _ = await api_as("service_manager")
    response = await client.get(f"/api/kpis/{FTF}", params=_period(repair_outlet))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["kpi"]["numerator"], body["kpi"]["denominator"], body["kpi"]["value"]) == (1, 2, 0.5)
    assert body["kpi"]["target"] == {"operator": ">=", "number": 0.8, "source": "rubric"}
    assert body["kpi"]["met"] is False
    number = body["columns"].index("ticket_number")
    assert [row[number] for row in body["numerator"]["rows"]] == [repair_outlet.fixed]
    assert sorted(row[number] for row in body["denominator"]["rows"]) == sorted(
        [repair_outlet.fixed, repair_outlet.not_fixed]
    )
    assert (body["numerator"]["total"], body["denominator"]["total"]) == (1, 2)

    paged = await client.get(
        f"/api/kpis/{FTF}", params={**_period(repair_outlet), "limit": 1, "denominator_offset": 1}
    )
    page = paged.json()["denominator"]
    assert (page["total"], len(page["rows"]), page["offset"]) == (2, 1, 1)


async def test_records_page_lists_both_parts_and_pages(
    repair_outlet: RepairOutlet, as_browser: Any, make_user: Any
) -> None:
    manager = await make_user("service_manager")
    await as_browser.login(manager.username, PASSWORD)
    response = await as_browser.client.get(f"/kpis/{FTF}", params=_period(repair_outlet))
    assert response.status_code == 200, response.text
    html = response.text
    numerator, denominator = html.split('data-part="numerator"')[1].split('data-part="denominator"')
    assert repair_outlet.fixed in numerator and repair_outlet.not_fixed not in numerator
    assert repair_outlet.fixed in denominator and repair_outlet.not_fixed in denominator
    assert 'data-field="numerator">1<' in html and 'data-field="denominator">2<' in html
    assert f"/kpis/{FTF}.csv?" in html


async def test_csv_export_streams_utf8_with_bom(
    repair_outlet: RepairOutlet, as_browser: Any, make_user: Any
) -> None:
    manager = await make_user("hq_manager")
    await as_browser.login(manager.username, PASSWORD)
    response = await as_browser.client.get(
        f"/kpis/{FTF}.csv", params={**_period(repair_outlet), "part": "denominator"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    number = rows[0].index("ticket_number")
    assert sorted(row[number] for row in rows[1:]) == sorted([repair_outlet.fixed, repair_outlet.not_fixed])

    numerator = await as_browser.client.get(
        f"/kpis/{FTF}.csv", params={**_period(repair_outlet), "part": "numerator"}
    )
    assert [
        row[number] for row in list(csv.reader(io.StringIO(numerator.content.decode("utf-8-sig"))))[1:]
    ] == [repair_outlet.fixed]
    bad = await as_browser.client.get(f"/kpis/{FTF}.csv", params={**_period(repair_outlet), "part": "all"})
    assert bad.status_code == 400


async def test_unknown_kpi_and_outlet_are_404(api_as: Any) -> None:
    client, _ = await api_as("service_manager")
    assert (await client.get("/api/kpis/no_such_kpi")).status_code == 404
    assert (await client.get(f"/api/kpis/{FTF}", params={"outlet": "NO-SUCH-OUTLET"})).status_code == 404


async def test_kpis_break_down_by_region_and_category(repair_outlet: RepairOutlet, api_as: Any) -> None:
    client, _ = await api_as("service_manager")
    month = {"period": "month", "at": repair_outlet.day.isoformat()}
    by_region = await client.get("/api/kpis/by/region", params=month)
    assert by_region.status_code == 200, by_region.text
    groups = by_region.json()["groups"]
    assert {"value": 0.5, "numerator": 1, "denominator": 2} in [g.get(FTF) for g in groups.values()]
    assert all("hotline_answer_rate" not in g for g in groups.values())  # calls have no region
    by_category = (await client.get("/api/kpis/by/category", params=month)).json()["groups"]
    assert by_category[CATEGORY][FTF]["denominator"] >= 2  # other tests repair this category too
    refused = await client.get("/api/kpis/by/colour", params=month, headers={"Accept-Language": "en"})
    assert refused.status_code == 400
