"""The documents' and registers' JSON API: uploads, downloads, problem details, roles."""

from __future__ import annotations

import hashlib
from typing import Any

from service_ops import clock
from tests.service_ops.documents.factories import pdf, target_data

PROBLEM = "application/problem+json"


def _fields(approver_id: int, kind: str = "org_chart", **extra: Any) -> dict[str, Any]:
    today = clock.today().isoformat()
    from tests.conftest import unique

    return {
        "kind": kind,
        "title": "组织架构图",
        "version": unique("A")[-20:],
        "approver_id": str(approver_id),
        "approved_on": today,
        "effective_on": today,
        **extra,
    }


async def _as(api_as: Any, role: str) -> tuple[Any, int]:
    client, actor = await api_as(role)
    return client, int(actor.user_id)


async def test_upload_download_and_retire_through_the_api(api_as: Any) -> None:
    client, me = await _as(api_as, "service_manager")
    content = pdf()
    response = await client.post(
        "/api/documents",
        data=_fields(me),
        files={"file": ("架构图.pdf", content, "application/pdf")},
        headers={"Idempotency-Key": "api-doc-0001"},
    )
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["status"] == "current" and document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["filename"] == "架构图.pdf"

    download = await client.get(f"/api/documents/{document['id']}/file")
    assert download.status_code == 200 and download.content == content
    assert "attachment" in download.headers["content-disposition"]

    current = {
        entry["kind"]: entry["document"] for entry in (await client.get("/api/documents/current")).json()
    }
    assert current["org_chart"]["id"] == document["id"] and len(current) == 10

    retired = await client.post(f"/api/documents/{document['id']}/retire", json={"reason": "组织调整"})
    assert retired.status_code == 201 and retired.json()["status"] == "retired"
    listed = await client.get("/api/documents", params={"kind": "org_chart", "status": "retired"})
    assert document["id"] in [d["id"] for d in listed.json()]


async def test_bad_uploads_get_problem_details(api_as: Any) -> None:
    client, me = await _as(api_as, "service_manager")
    response = await client.post(
        "/api/documents", data=_fields(me), files={"file": ("photo.gif", b"GIF89a....", "image/gif")}
    )
    assert response.status_code == 400 and response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["field"] == "file"
    response = await client.post(
        "/api/documents",
        data=_fields(me, kind="management_rep_appointment"),
        files={"file": ("a.pdf", pdf(), "application/pdf")},
    )
    assert response.status_code == 400 and response.json()["field"] == "appointee_id"
    response = await client.post(
        "/api/documents",
        data=_fields(me, kind="nonsense"),
        files={"file": ("a.pdf", pdf(), "application/pdf")},
    )
    assert response.status_code == 400 and response.headers["content-type"].startswith(PROBLEM)
    missing = await client.get("/api/documents/2000000000")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith(PROBLEM)


async def test_readers_read_and_only_managers_write(api_as: Any, client: Any) -> None:
    anonymous = await client.get("/api/documents")
    assert anonymous.status_code == 401
    auditor, me = await _as(api_as, "auditor")
    assert (await auditor.get("/api/documents/current")).status_code == 200
    assert (await auditor.get("/api/service-targets")).status_code == 200
    denied = await auditor.post(
        "/api/documents", data=_fields(me), files={"file": ("a.pdf", pdf(), "application/pdf")}
    )
    assert denied.status_code == 403 and denied.headers["content-type"].startswith(PROBLEM)
    agent, _ = await _as(api_as, "agent")
    review = {
        "held_on": clock.today().isoformat(),
        "attendees": ["a"],
        "inputs": "i",
        "decisions": "d",
        "actions": "a",
    }
    assert (await agent.post("/api/management-reviews", json=review)).status_code == 403


async def test_registers_through_the_api(api_as: Any) -> None:
    client, me = await _as(api_as, "hq_manager")
    data = target_data(me)
    body = {
        "horizon": "annual",
        "period_from": data.period_from.isoformat(),
        "period_to": data.period_to.isoformat(),
        "kpi_code": "not_a_kpi",
        "target": ">=0.9",
        "owner_id": me,
    }
    refused = await client.post("/api/service-targets", json=body)
    assert refused.status_code == 400 and refused.json()["field"] == "kpi_code"
    created = await client.post("/api/service-targets", json={**body, "kpi_code": "hotline_answer_rate"})
    assert created.status_code == 201, created.text
    target_id = created.json()["id"]
    amended = await client.post(
        f"/api/service-targets/{target_id}/amend",
        json={**body, "kpi_code": "hotline_answer_rate", "target": ">=0.95", "reason": "提高"},
    )
    assert amended.status_code == 201 and amended.json()["target"] == ">=0.95"
    codes = (await client.get("/api/kpi-codes")).json()
    assert {"code": "csat_mean", "scale": "score"} in codes

    review = {
        "held_on": clock.today().isoformat(),
        "attendees": ["张总"],
        "inputs": "i",
        "decisions": "d",
        "actions": "a",
    }
    recorded = await client.post("/api/management-reviews", json=review)
    assert recorded.status_code == 201 and recorded.json()["attendees"] == ["张总"]
    reward = {
        "decided_on": clock.today().isoformat(),
        "kind": "reward",
        "reason": "表扬",
        "person_id": me,
        "amount": "50",
    }
    given = await client.post("/api/rewards-penalties", json=reward)
    assert given.status_code == 201 and given.json()["amount"] == "50.00"
    corrected = await client.post(
        f"/api/rewards-penalties/{given.json()['id']}/correct",
        json={**reward, "amount": "80", "correction_reason": "金额错误"},
    )
    assert corrected.status_code == 201 and corrected.json()["corrects_id"] == given.json()["id"]
