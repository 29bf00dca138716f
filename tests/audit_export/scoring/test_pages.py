"""The self-assessment page and API: render in both languages, load a score sheet by form
(service managers only), record and withdraw findings by form (auditors only)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from audit_export.rubric import RUBRIC_PATH, load_rubric
from audit_export.tables import AuditFinding
from service_ops.actor import Actor
from tests.conftest import PASSWORD


async def _log_in(as_browser: Any, make_user: Any, role: str, locale: str | None = "en") -> Actor:
    person: Actor = await make_user(role, locale=locale)
    response = await as_browser.login(person.username, PASSWORD)
    assert response.status_code in (302, 303), response.text[:300]
    return person


async def test_the_api_gives_items_score_and_grade(api_as: Any) -> None:
    client, _ = await api_as("hq_manager")
    response = await client.get("/api/self-assessment", params={"from": "2026-01-01", "to": "2026-02-01"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == {"from": "2026-01-01", "to": "2026-02-01"}
    assert set(body["items"]) == {item.code for item in load_rubric().items}
    assert body["grade"] in load_rubric().scoring.grade_labels and isinstance(body["score"], float)
    refused = await client.get(
        "/api/self-assessment",
        params={"from": "2026-02-01", "to": "2026-01-01"},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 400 and "must start before" in refused.json()["detail"]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_the_page_renders(as_browser: Any, make_user: Any, locale: str) -> None:
    await _log_in(as_browser, make_user, "service_manager", locale)
    response = await as_browser.client.get("/self-assessment")
    assert response.status_code == 200, response.text[:500]
    assert 'data-item="5.1.2.2"' in response.text and 'id="what-would-it-take"' in response.text
    assert 'id="score-sheet-form"' in response.text and 'id="finding-form"' not in response.text


async def test_a_manager_loads_a_sheet_by_form(as_browser: Any, make_user: Any) -> None:
    await _log_in(as_browser, make_user, "service_manager")
    fields = {"name": "Certifier sheet", "grade_scheme": "B", "_csrf_token": await as_browser.csrf()}
    files = {"file": ("sheet.yaml", RUBRIC_PATH.read_bytes(), "application/yaml")}
    loaded = await as_browser.client.post("/self-assessment/score-sheets", data=fields, files=files)
    assert loaded.status_code in (302, 303), loaded.text[:300]
    page = await as_browser.client.get("/self-assessment")
    assert "Certifier sheet" in page.text and "grade scheme B" in page.text
    bad = {"file": ("sheet.yaml", b"aspects: []", "application/yaml")}
    fields["_csrf_token"] = await as_browser.csrf()
    refused = await as_browser.client.post("/self-assessment/score-sheets", data=fields, files=bad)
    assert refused.status_code == 400 and "no weight for items" in refused.text


async def test_an_auditor_records_and_withdraws_a_finding_by_form(as_browser: Any, make_user: Any) -> None:
    await _log_in(as_browser, make_user, "auditor")
    page = await as_browser.client.get("/self-assessment")
    assert 'id="finding-form"' in page.text and 'id="score-sheet-form"' not in page.text
    recorded = await as_browser.post_form(
        "/self-assessment/findings",
        {"kind": "nonconformity", "item_code": "5.1.7.1", "note": "Concept not published"},
    )
    assert recorded.status_code in (302, 303), recorded.text[:300]
    page = await as_browser.client.get("/self-assessment")
    match = re.search(
        r'data-finding="(\d+)"><td>\d+</td><td>Nonconformity on an item</td><td>5.1.7.1', page.text
    )
    assert match, page.text[:2000]
    assert re.search(r'data-item="5.1.7.1">.*?data-state="nonconformity"', page.text, re.S)
    withdrawn = await as_browser.post_form(
        f"/self-assessment/findings/{match.group(1)}/withdraw", {"reason": "Published"}
    )
    assert withdrawn.status_code in (302, 303)
    row = (
        await AuditFinding.select(AuditFinding.withdraw_reason)
        .where(AuditFinding.id == int(match.group(1)))
        .first()
    )
    assert row["withdraw_reason"] == "Published"
    sheet = await as_browser.client.post(
        "/self-assessment/score-sheets",
        data={"name": "x", "_csrf_token": await as_browser.csrf()},
        files={"file": ("s.yaml", b"x", "application/yaml")},
    )
    assert sheet.status_code == 403


async def test_a_manager_records_no_finding(as_browser: Any, make_user: Any) -> None:
    await _log_in(as_browser, make_user, "service_manager")
    refused = await as_browser.post_form(
        "/self-assessment/findings", {"kind": "special_bonus", "note": "self-praise"}
    )
    assert refused.status_code == 403


async def test_a_manager_closes_a_month_by_form_and_sees_its_differences(
    as_browser: Any, make_user: Any
) -> None:
    await _log_in(as_browser, make_user, "hq_manager")
    closed = await as_browser.post_form("/self-assessment/close-month", {"month": "2023-02"})
    assert closed.status_code in (302, 303), closed.text[:300]
    snapshot_page = await as_browser.client.get(closed.headers["location"])
    assert (
        snapshot_page.status_code == 200
        and "No figure has changed since this snapshot." in snapshot_page.text
    )
    listed = await as_browser.client.get("/self-assessment")
    assert ">2023-02</a>" in listed.text
    again = await as_browser.post_form("/self-assessment/close-month", {"month": "2023-02"})
    assert again.status_code == 409
    assert (
        await as_browser.post_form("/self-assessment/close-month", {"month": "2023-13"})
    ).status_code == 400
    missing = await as_browser.client.get("/self-assessment/snapshots/999999999")
    assert missing.status_code == 404
