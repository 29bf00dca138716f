"""The auditor's pages and API: the rubric tree, samples with the draw form, pass / fail buttons;
who may see and who may write; an auditor is refused every operational write."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from audit_export.rubric import load_rubric
from audit_export.tables import AuditSample, AuditSampleCase
from service_ops import clock
from service_ops.actor import Actor
from tests.audit_export.sampling.helpers import lonely_period, tickets_in
from tests.conftest import PASSWORD


async def _log_in(as_browser: Any, make_user: Any, role: str, locale: str = "en") -> Actor:
    person: Actor = await make_user(role, locale=locale)
    response = await as_browser.login(person.username, PASSWORD)
    assert response.status_code in (302, 303), response.text[:300]
    return person


@pytest.mark.parametrize("role", ["auditor", "hq_manager", "admin"])
async def test_the_rubric_tree_shows_every_item_and_the_prerequisites(
    as_browser: Any, make_user: Any, role: str
) -> None:
    await _log_in(as_browser, make_user, role, "zh_CN" if role == "admin" else "en")
    response = await as_browser.client.get("/auditor")
    assert response.status_code == 200, response.text[:500]
    shown = set(re.findall(r'<tr data-item="([\d.]+)">', response.text))
    assert shown == {item.code for item in load_rubric().items}
    assert {"P1", "P6"} <= set(re.findall(r'data-prerequisite="(P\d)"', response.text))
    assert 'data-assess="sample"' in response.text
    assert 'data-evidence="sample:' in response.text, "evidence states from the self-assessment"
    assert 'href="/auditor"' in response.text, "the menu links the workspace"
    month = await as_browser.client.get("/auditor", params={"from": "2026-01-01", "to": "2026-02-01"})
    assert month.status_code == 200 and 'value="2026-01-01"' in month.text


async def test_a_period_that_ends_before_it_starts_is_a_400(as_browser: Any, make_user: Any) -> None:
    await _log_in(as_browser, make_user, "auditor")
    response = await as_browser.client.get("/auditor", params={"from": "2026-02-01", "to": "2026-01-01"})
    assert response.status_code == 400 and "before it ends" in response.text


async def test_the_auditor_draws_a_sample_and_records_verdicts_on_the_pages(
    as_browser: Any, make_user: Any, world: dict[str, Any]
) -> None:
    period = await lonely_period()
    made = await tickets_in(period, await make_user("agent"), world["customer_id"], world["unit_id"], 5)
    await _log_in(as_browser, make_user, "auditor")
    listing = await as_browser.client.get("/auditor/samples")
    assert listing.status_code == 200 and 'data-form="draw-sample"' in listing.text
    assert "largest-remainder" in listing.text, "the page documents the method"

    drawn = await as_browser.post_form(
        "/auditor/samples",
        {
            "entity": "ticket",
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "size": "3",
            "seed": "77",
            "stratify_by": "none",
            "item_code": "5.2.4.1",
        },
    )
    assert drawn.status_code in (302, 303), drawn.text[:500]
    sample_id = int(drawn.headers["location"].rsplit("/", 1)[1])
    sample = await AuditSample.objects().get(AuditSample.id == sample_id)
    assert (sample.seed, sample.population, sample.item_code) == (77, 5, "5.2.4.1")
    cases = (
        await AuditSampleCase.select()
        .where(AuditSampleCase.sample == sample_id)
        .order_by(AuditSampleCase.position)
    )
    assert len(cases) == 3 and {case["entity_id"] for case in cases} <= set(made)

    page = await as_browser.client.get(f"/auditor/samples/{sample_id}")
    assert page.status_code == 200 and page.text.count('data-form="verdict"') == 3
    first, second = cases[0]["id"], cases[1]["id"]
    passed = await as_browser.post_form(
        f"/auditor/samples/{sample_id}/cases/{first}/result", {"result": "pass", "note": "", "back": "sample"}
    )
    assert passed.status_code in (302, 303)
    failed = await as_browser.post_form(
        f"/auditor/samples/{sample_id}/cases/{second}/result",
        {"result": "fail", "note": "no signature", "back": "case"},
    )
    assert failed.headers["location"] == f"/auditor/samples/{sample_id}/cases/{second}"
    refused = await as_browser.post_form(
        f"/auditor/samples/{sample_id}/cases/{second}/result", {"result": "fail", "note": ""}
    )
    assert refused.status_code == 400
    page = await as_browser.client.get(f"/auditor/samples/{sample_id}")
    assert "1 passed, 1 failed, 1 not checked" in page.text
    case_page = await as_browser.client.get(f"/auditor/samples/{sample_id}/cases/{first}")
    assert case_page.status_code == 200 and 'data-section="ticket"' in case_page.text
    tree = await as_browser.client.get("/auditor")
    assert f'href="/auditor/samples/{sample_id}"' in tree.text, "the item lists its sample"


async def test_bad_draw_forms_are_400s(as_browser: Any, make_user: Any) -> None:
    await _log_in(as_browser, make_user, "auditor")
    today = clock.today()
    form = {"entity": "ticket", "from": today.isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    for bad in (
        {"size": "0"},
        {"size": "x"},
        {"size": "3", "from": "soon"},
        {"size": "3", "to": form["from"]},
    ):
        response = await as_browser.post_form("/auditor/samples", {**form, **bad})
        assert response.status_code == 400, (bad, response.text[:300])


async def test_a_head_office_manager_views_but_cannot_draw(as_browser: Any, make_user: Any) -> None:
    await _log_in(as_browser, make_user, "hq_manager")
    listing = await as_browser.client.get("/auditor/samples")
    assert listing.status_code == 200 and 'data-form="draw-sample"' not in listing.text
    today = date.today()
    response = await as_browser.post_form(
        "/auditor/samples",
        {
            "entity": "ticket",
            "from": today.isoformat(),
            "to": (today + timedelta(days=1)).isoformat(),
            "size": "1",
        },
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["agent", "technician", "service_manager"])
async def test_other_roles_may_not_open_the_workspace(api_client: Any, role: str) -> None:
    client = await api_client(role)
    assert (await client.get("/api/audit/samples")).status_code == 403
    assert (await client.get("/api/audit/rubric")).status_code == 403


async def test_the_json_api_draws_lists_and_records(
    api_client: Any, make_user: Any, world: dict[str, Any]
) -> None:
    period = await lonely_period()
    await tickets_in(period, await make_user("agent"), world["customer_id"], world["unit_id"], 4)
    client = await api_client("auditor")
    body = {
        "entity": "ticket",
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "size": 2,
        "seed": 5,
    }
    drawn = await client.post("/api/audit/samples", json=body)
    assert drawn.status_code == 201, drawn.text
    sample = drawn.json()
    assert sample["seed"] == 5 and len(sample["case_list"]) == 2
    again = (await client.post("/api/audit/samples", json=body)).json()
    assert [c["entity_id"] for c in again["case_list"]] == [c["entity_id"] for c in sample["case_list"]]
    case_id = sample["case_list"][0]["id"]
    recorded = await client.post(
        f"/api/audit/samples/{sample['id']}/cases/{case_id}/result", json={"result": "pass", "note": "ok"}
    )
    assert recorded.status_code == 200 and recorded.json()["result"] == "pass"
    listed = (await client.get("/api/audit/samples")).json()
    assert any(s["id"] == sample["id"] and s["passed"] == 1 for s in listed)
    tree = (await client.get("/api/audit/rubric")).json()
    assert [aspect["code"] for aspect in tree["aspects"]] == ["5.1", "5.2", "5.3"]
    items = [item for aspect in tree["aspects"] for ind in aspect["indicators"] for item in ind["items"]]
    assert tree["evidence_available"], "the self-assessment gives each item's evidence state"
    assert all(item["score"] is not None and item["score"]["evidence"] for item in items)
    bad = await client.post("/api/audit/samples", json={**body, "size": 0})
    assert bad.status_code == 400 and bad.json()["field"] == "size"
    backwards = await client.post("/api/audit/samples", json={**body, "to": body["from"]})
    assert backwards.status_code == 400
    ancient = await client.post("/api/audit/samples", json={**body, "from": "0001-01-01"})
    assert ancient.status_code == 400 and ancient.json()["field"] == "from"
    endless = await client.get("/api/audit/rubric", params={"from": "2026-01-01", "to": "9999-12-31"})
    assert endless.status_code == 400 and endless.json()["field"] == "to"


async def test_an_auditor_cannot_write_operational_records(api_client: Any, world: dict[str, Any]) -> None:
    client = await api_client("auditor")
    ticket = await client.post(
        "/api/tickets",
        json={"kind": "repair", "customer_id": world["customer_id"], "description": "审核员建单"},
    )
    assert ticket.status_code == 403, ticket.text
    entry = await client.post(
        "/api/fund/entries",
        json={
            "posted_on": clock.today().isoformat(),
            "kind": "expense",
            "amount": "10.00",
            "account": "parts",
        },
    )
    assert entry.status_code == 403, entry.text
    call = await client.post("/api/calls", json={"phone": world["phone"]})
    assert call.status_code == 403, call.text
