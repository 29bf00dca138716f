"""Outlet pages as a browser sees them: list, detail, coverage gaps, the inspection form."""

from __future__ import annotations

from typing import Any

from outlets import queries
from service_ops import clock
from tests.conftest import PASSWORD
from tests.outlets.network import join, new_outlet, region_tree


async def _log_in(as_browser: Any, make_user: Any, role: str, locale: str = "en") -> Any:
    person = await make_user(role, locale=locale)
    response = await as_browser.login(person.username, PASSWORD)
    assert response.status_code in (302, 303), response.text[:300]
    return person


async def test_outlet_list_and_detail(as_browser: Any, make_user: Any, system: Any) -> None:
    tree = await region_tree(system)
    outlet_id, code = await new_outlet(system, [tree["city"][1], tree["county"][1]], capacity=14)
    technician = await join(system, make_user, outlet_id)
    manager = await join(system, make_user, outlet_id, role="outlet_manager", is_manager=True)
    await _log_in(as_browser, make_user, "dispatcher")

    listing = await as_browser.client.get("/outlets")
    assert listing.status_code == 200
    row = listing.text.split(f'data-outlet="{code}"')[1].split("</tr>")[0]
    assert 'data-field="coverage_count">2<' in row and 'data-field="staff_count">2<' in row
    assert 'data-field="capacity">14<' in row and "Active" in row

    detail = await as_browser.client.get(f"/outlets/{outlet_id}")
    assert detail.status_code == 200
    assert f'href="/training/people/{technician.user_id}"' in detail.text
    assert f'href="/training/people/{manager.user_id}"' not in detail.text
    assert f'href="/outlets/{outlet_id}/jobs"' in detail.text
    assert tree["county"][1] in detail.text and 'data-field="capacity">14<' in detail.text
    assert f'action="/outlets/{outlet_id}/inspections"' not in detail.text  # a dispatcher only reads

    assert (await as_browser.client.get("/outlets/2000000000")).status_code == 404


async def test_coverage_page_lists_uncovered_sales_regions(
    as_browser: Any, make_user: Any, system: Any
) -> None:
    tree = await region_tree(system)
    await new_outlet(system, [tree["county"][1]])
    await _log_in(as_browser, make_user, "auditor", locale="zh_CN")
    page = await as_browser.client.get("/outlets/coverage")
    assert page.status_code == 200
    assert f'data-region="{tree["other_county"][1]}"' in page.text
    assert f'data-region="{tree["city"][1]}"' in page.text
    assert f'data-region="{tree["county"][1]}"' not in page.text
    assert f'data-region="{tree["province"][1]}"' not in page.text


async def test_service_manager_records_an_inspection_by_form(
    as_browser: Any, make_user: Any, system: Any
) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    manager = await _log_in(as_browser, make_user, "service_manager")
    form_page = await as_browser.client.get(f"/outlets/{outlet_id}/inspections")
    assert 'name="score"' in form_page.text

    today = clock.today().isoformat()
    bad = await as_browser.post_form(
        f"/outlets/{outlet_id}/inspections", {"inspected_on": today, "score": "101"}
    )
    assert bad.status_code == 400 and "0" in bad.text and "100" in bad.text
    saved = await as_browser.post_form(
        f"/outlets/{outlet_id}/inspections",
        {"inspected_on": today, "score": "86", "findings": "备件账实相符"},
    )
    assert saved.status_code in (302, 303)
    [inspection] = await queries.inspections_of(outlet_id)
    assert (inspection.score, inspection.inspector_id) == (86, manager.user_id)
    register = await as_browser.client.get(saved.headers["location"])
    assert "备件账实相符" in register.text


async def test_coverage_categories_and_status_forms(as_browser: Any, make_user: Any, system: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    await _log_in(as_browser, make_user, "hq_manager")
    path = f"/outlets/{outlet_id}"
    await as_browser.post_form(
        f"{path}/coverage", {"region_codes": f"{tree['city'][1]}, {tree['county'][1]}"}
    )
    await as_browser.post_form(f"{path}/categories", {"categories": ["refrigerator", "television"]})
    await as_browser.post_form(f"{path}/status", {"active": "no", "reason": "暂停"})
    outlet = await queries.get_outlet(outlet_id)
    assert outlet.coverage == sorted([tree["city"][1], tree["county"][1]])
    assert outlet.categories == ["refrigerator", "television"]
    assert not outlet.is_active
    unknown = await as_browser.post_form(f"{path}/coverage", {"region_codes": "NOPE-REGION"})
    assert unknown.status_code == 400 and "NOPE-REGION" in unknown.text
    no_reason = await as_browser.post_form(f"{path}/status", {"active": "yes", "reason": ""})
    assert no_reason.status_code == 400


async def test_technician_cannot_post_inspections(as_browser: Any, make_user: Any, system: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    await _log_in(as_browser, make_user, "technician")
    refused = await as_browser.post_form(
        f"/outlets/{outlet_id}/inspections", {"inspected_on": clock.today().isoformat(), "score": "90"}
    )
    assert refused.status_code == 403
    assert await queries.inspections_of(outlet_id) == []
