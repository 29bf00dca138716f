"""The closing loop through HTTP: the follow-up queue, complaint, 三包 and corrective-action pages, and
the JSON API with problem details for bad input; the auditor reads everything and changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from service_ops import clock
from service_ops.tables import AuditEvent
from tests.conftest import PASSWORD, unique
from tests.tickets.loop_audit_scenarios import consult_followup, new_complaint, new_request, recorded_followup
from tickets.tables import Complaint, CorrectiveAction, Followup, GuaranteeRequest, GuaranteeRule, Ticket


@pytest.fixture
def ctx(system: Any, make_user: Any, world: dict[str, Any]) -> dict[str, Any]:
    return {"system": system, "make_user": make_user, "world": world}


async def log_in(as_browser: Any, make_user: Any, role: str) -> Any:
    person = await make_user(role, locale="en")
    response = await as_browser.login(person.username, PASSWORD)
    assert response.status_code in (302, 303), response.text[:300]
    return person


def hidden_key(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match, "no idempotency key on the page"
    return match.group(1)


def redirected_id(response: Any, prefix: str) -> int:
    assert response.status_code in (302, 303), response.text[:500]
    location = response.headers["location"]
    assert location.startswith(prefix), location
    return int(location.removeprefix(prefix))


async def test_an_agent_works_the_followup_queue(ctx: dict[str, Any], as_browser: Any) -> None:
    followup_id = await consult_followup(ctx)
    ticket = await Ticket.objects().get(
        Ticket.id == (await Followup.objects().get(Followup.id == followup_id)).ticket
    )
    await log_in(as_browser, ctx["make_user"], "agent")

    queue = await as_browser.client.get("/followups")
    assert queue.status_code == 200 and ticket.number in queue.text and ctx["world"]["phone"] in queue.text
    assert f'data-followup="{followup_id}"' in queue.text
    for state in ("overdue", "done"):
        assert (await as_browser.client.get("/followups", params={"state": state})).status_code == 200

    page = await as_browser.client.get(f"/followups/{followup_id}")
    assert 'data-action="record-followup"' in page.text
    key = hidden_key(page.text)
    events_before = await AuditEvent.count()
    for bad in (
        {"reached": "yes", "score": "6"},
        {"reached": "no", "score": "3"},
        {"reached": "yes"},
        {"score": "4"},
    ):
        refused = await as_browser.post_form(f"/followups/{followup_id}", {**bad, "idempotency_key": key})
        assert refused.status_code == 400, bad
    assert await AuditEvent.count() == events_before

    form = {"reached": "yes", "score": "2", "comment": "师傅迟到", "idempotency_key": key}
    assert (
        redirected_id(await as_browser.post_form(f"/followups/{followup_id}", form), "/followups/")
        == followup_id
    )
    again = await as_browser.post_form(f"/followups/{followup_id}", {**form, "idempotency_key": key})
    assert again.status_code in (302, 303), "a replayed form changes nothing"
    twice = await as_browser.post_form(
        f"/followups/{followup_id}", {**form, "idempotency_key": unique("k-key-")}
    )
    assert twice.status_code == 409
    assert (await Followup.objects().get(Followup.id == followup_id)).score == 2

    done = await as_browser.client.get(f"/followups/{followup_id}")
    assert 'data-field="score"' in done.text and 'data-action="open-complaint"' in done.text
    complaint_id = redirected_id(
        await as_browser.post_form(
            f"/followups/{followup_id}/complaint",
            {
                "category": "timeliness",
                "severity": "normal",
                "description": "",
                "idempotency_key": hidden_key(done.text),
            },
        ),
        "/complaints/",
    )
    complaint = await Complaint.objects().get(Complaint.id == complaint_id)
    assert complaint.followup == followup_id and complaint.description == "师傅迟到"
    detail = await as_browser.client.get(f"/complaints/{complaint_id}")
    assert detail.status_code == 200 and "Audit trail" in detail.text and "Timeline" in detail.text
    assert 'data-action="acknowledge"' in detail.text
    assert 'data-action="corrective-action"' not in detail.text, "agents do not open corrective actions"
    assert f"/complaints/{complaint_id}" in (await as_browser.client.get(f"/followups/{followup_id}")).text


async def test_a_service_manager_handles_a_complaint_to_its_close(
    ctx: dict[str, Any], as_browser: Any
) -> None:
    await log_in(as_browser, ctx["make_user"], "service_manager")
    new = await as_browser.client.get("/complaints/new", params={"q": ctx["world"]["phone"]})
    assert f'data-customer="{ctx["world"]["customer_id"]}"' in new.text
    complaint_id = redirected_id(
        await as_browser.post_form(
            "/complaints",
            {
                "customer_id": ctx["world"]["customer_id"],
                "channel": "wechat",
                "category": "fees",
                "severity": "major",
                "description": "多收上门费",
                "idempotency_key": hidden_key(new.text),
            },
        ),
        "/complaints/",
    )
    complaint = await Complaint.objects().get(Complaint.id == complaint_id)
    assert (complaint.channel, complaint.escalation_level) == ("wechat", 1)

    path = f"/complaints/{complaint_id}"
    page = await as_browser.client.get(path)
    assert 'data-action="corrective-action"' in page.text and 'data-field="escalation"' in page.text
    steps = [
        ("/acknowledge", {}, 303),
        ("/escalate", {"level": "3", "reason": "x"}, 400),
        ("/escalate", {"level": "2", "reason": "重大投诉"}, 303),
        ("/resolve", {"root_cause": "", "resolution": "退还费用"}, 400),
        ("/resolve", {"root_cause": "收费标准未公示", "resolution": "退还费用"}, 303),
        ("/customer-answer", {"accepted": "maybe"}, 400),
        ("/customer-answer", {"accepted": "yes", "note": "满意"}, 303),
        ("/close", {"note": "结案"}, 303),
        ("/close", {"note": "again"}, 409),
    ]
    for step, form, status in steps:
        response = await as_browser.post_form(path + step, form)
        assert response.status_code in ((302, 303) if status == 303 else (status,)), (
            step,
            response.text[:300],
        )
    complaint = await Complaint.objects().get(Complaint.id == complaint_id)
    assert (complaint.status, complaint.escalation_level, complaint.root_cause) == (
        "closed",
        2,
        "收费标准未公示",
    )
    register = await as_browser.client.get("/complaints", params={"status": "closed", "severity": "major"})
    assert f'data-complaint="{complaint_id}"' in register.text
    assert (await as_browser.client.get("/complaints", params={"status": "nonsense"})).status_code == 400


async def test_a_corrective_action_from_the_complaint_page_closes_it(
    ctx: dict[str, Any], as_browser: Any
) -> None:
    complaint_id = await new_complaint(ctx)
    manager = await log_in(as_browser, ctx["make_user"], "service_manager")
    form_page = await as_browser.client.get("/corrective-actions/new", params={"complaint_id": complaint_id})
    assert form_page.status_code == 200 and f'name="complaint_id" value="{complaint_id}"' in form_page.text
    form = {
        "source": "complaint",
        "complaint_id": str(complaint_id),
        "description": "收费公示整改",
        "owner_id": str(manager.user_id),
        "due_on": (clock.today() - timedelta(days=1)).isoformat(),
        "idempotency_key": hidden_key(form_page.text),
    }
    assert (await as_browser.post_form("/corrective-actions", form)).status_code == 400
    form["due_on"] = (clock.today() + timedelta(days=5)).isoformat()
    action_id = redirected_id(await as_browser.post_form("/corrective-actions", form), "/corrective-actions/")
    assert (
        redirected_id(await as_browser.post_form("/corrective-actions", form), "/corrective-actions/")
        == action_id
    )

    detail = await as_browser.client.get(f"/corrective-actions/{action_id}")
    assert 'data-action="close-corrective-action"' in detail.text
    no_check = {"closure_note": "已公示", "effectiveness_check": "", "effective": "yes"}
    assert (await as_browser.post_form(f"/corrective-actions/{action_id}/close", no_check)).status_code == 400
    closed = await as_browser.post_form(
        f"/corrective-actions/{action_id}/close", {**no_check, "effectiveness_check": "抽查门店已公示"}
    )
    assert closed.status_code in (302, 303)
    assert (await Complaint.objects().get(Complaint.id == complaint_id)).status == "closed"
    register = await as_browser.client.get("/corrective-actions")
    assert f'data-action-id="{action_id}"' in register.text
    other = await as_browser.client.get("/corrective-actions/new")
    assert 'name="source_ref"' in other.text


async def test_guarantee_pages_register_and_decide(ctx: dict[str, Any], as_browser: Any) -> None:
    await log_in(as_browser, ctx["make_user"], "agent")
    new = await as_browser.client.get("/guarantees/new", params={"q": ctx["world"]["serial"]})
    assert ctx["world"]["serial"] in new.text
    form = {
        "unit_id": ctx["world"]["unit_id"],
        "kind": "repair",
        "reason": "压缩机异响",
        "idempotency_key": hidden_key(new.text),
    }
    request_id = redirected_id(await as_browser.post_form("/guarantees", form), "/guarantees/")
    detail = await as_browser.client.get(f"/guarantees/{request_id}")
    assert "repair_in_warranty" in detail.text and 'data-action="decide"' not in detail.text
    assert (
        await as_browser.post_form(f"/guarantees/{request_id}/decide", {"decision": "granted"})
    ).status_code == 403

    await log_in(as_browser, ctx["make_user"], "service_manager")
    assert 'data-action="decide"' in (await as_browser.client.get(f"/guarantees/{request_id}")).text
    assert (
        await as_browser.post_form(f"/guarantees/{request_id}/decide", {"decision": "x"})
    ).status_code == 400
    decided = await as_browser.post_form(
        f"/guarantees/{request_id}/decide", {"decision": "granted", "note": ""}
    )
    assert decided.status_code in (302, 303)
    row = await GuaranteeRequest.objects().get(GuaranteeRequest.id == request_id)
    assert (row.decision, row.decision_rule) == ("granted", "repair_in_warranty")
    assert f'data-guarantee="{request_id}"' in (await as_browser.client.get("/guarantees")).text

    rules = await as_browser.client.get("/guarantees/rules")
    assert "refund_within_7_days" in rules.text and 'data-field="in-force"' in rules.text
    code = unique("page_rule_")
    created = await as_browser.post_form(
        "/guarantees/rules",
        {"code": code, "kind": "refund", "decide_within_days": "3", "max_days_since_purchase": "30"},
    )  # no is_active box: created inactive, the defaults stay in force
    assert created.status_code in (302, 303)
    rule = await GuaranteeRule.objects().get(GuaranteeRule.code == code)
    assert rule.is_active is False and rule.max_days_since_purchase == 30
    edit = await as_browser.client.get("/guarantees/rules", params={"edit": rule.id})
    assert f'action="/guarantees/rules/{rule.id}"' in edit.text
    changed = await as_browser.post_form(
        f"/guarantees/rules/{rule.id}", {"code": code, "kind": "refund", "decide_within_days": "5"}
    )
    assert changed.status_code in (302, 303)
    assert (await GuaranteeRule.objects().get(GuaranteeRule.id == rule.id)).decide_within_days == 5
    bad = await as_browser.post_form(
        "/guarantees/rules", {"code": "Bad Code", "kind": "refund", "decide_within_days": "3"}
    )
    assert bad.status_code == 400


async def test_loop_settings_page(ctx: dict[str, Any], as_browser: Any) -> None:
    await log_in(as_browser, ctx["make_user"], "agent")
    page = await as_browser.client.get("/loop-settings")
    assert page.status_code == 200 and 'data-field="followup_due_days"' in page.text
    assert (await as_browser.post_form("/loop-settings", {"followup_due_days": "3"})).status_code == 403

    await log_in(as_browser, ctx["make_user"], "service_manager")
    page = await as_browser.client.get("/loop-settings")
    values = {
        name: re.search(rf'name="{name}"[^>]*value="(\d+)"', page.text).group(1)
        for name in (
            "followup_due_days",
            "complaint_ack_minutes",
            "complaint_resolve_minutes",
            "near_breach_percent",
        )
    }
    assert (
        await as_browser.post_form("/loop-settings", {**values, "near_breach_percent": "0"})
    ).status_code == 400
    assert (await as_browser.post_form("/loop-settings", values)).status_code in (302, 303)
    assert "Audit trail" in (await as_browser.client.get("/loop-settings")).text


async def test_the_auditor_reads_every_register_and_changes_nothing(
    ctx: dict[str, Any], as_browser: Any
) -> None:
    followup_id = await recorded_followup(ctx)
    complaint_id = await new_complaint(ctx)
    request_id = await new_request(ctx)
    await log_in(as_browser, ctx["make_user"], "auditor")
    for path in (
        "/followups",
        f"/followups/{followup_id}",
        "/complaints",
        f"/complaints/{complaint_id}",
        "/guarantees",
        f"/guarantees/{request_id}",
        "/guarantees/rules",
        "/corrective-actions",
        "/loop-settings",
    ):
        page = await as_browser.client.get(path)
        assert page.status_code == 200, path
        assert "data-action=" not in page.text.split("<main>")[1].replace(
            'data-action="notifications"', ""
        ), path
    events = await AuditEvent.count()
    for path, form in (
        (f"/complaints/{complaint_id}/acknowledge", {}),
        (f"/followups/{followup_id}/complaint", {"category": "other"}),
        (f"/guarantees/{request_id}/decide", {"decision": "granted"}),
        (
            "/corrective-actions",
            {"source": "other", "description": "x", "owner_id": "1", "due_on": "2099-01-01"},
        ),
    ):
        assert (await as_browser.post_form(path, form)).status_code == 403, path
    assert await AuditEvent.count() == events


async def test_pages_for_unknown_records_are_404(ctx: dict[str, Any], as_browser: Any) -> None:
    await log_in(as_browser, ctx["make_user"], "agent")
    for path in (
        "/followups/999999999",
        "/complaints/999999999",
        "/guarantees/999999999",
        "/corrective-actions/999999999",
    ):
        assert (await as_browser.client.get(path)).status_code == 404, path


# The JSON API --------------------------------------------------------------------------------------


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


async def test_followup_api(ctx: dict[str, Any], api_client: Any) -> None:
    followup_id = await consult_followup(ctx)
    client = await api_client("technician")
    problem(
        await client.post(f"/api/followups/{followup_id}/record", json={"reached": True, "score": 5}), 403
    )

    client = await api_client("agent")
    listed = await client.get("/api/followups", params={"state": "pending"})
    assert followup_id in [f["id"] for f in listed.json()]
    problem(await client.get("/api/followups", params={"state": "bogus"}), 400)
    path = f"/api/followups/{followup_id}/record"
    for bad in (
        {"reached": True, "score": 6},
        {"reached": True, "score": 0},
        {"reached": False, "score": 3},
        {"reached": True},
    ):
        problem(await client.post(path, json=bad), 400)
    problem(await client.post("/api/followups/999999999/record", json={"reached": True, "score": 5}), 404)

    headers = {"Idempotency-Key": unique("followup-api-")}
    recorded = await client.post(path, json={"reached": True, "score": 1, "comment": "很差"}, headers=headers)
    assert (
        recorded.status_code == 201
        and recorded.json()["score"] == 1
        and recorded.json()["due"]["state"] == "met"
    )
    assert (await client.post(path, json={"reached": True, "score": 1}, headers=headers)).status_code == 201
    problem(await client.post(path, json={"reached": True, "score": 1}), 409)

    complaint = await client.post(f"/api/followups/{followup_id}/complaint", json={"category": "workmanship"})
    assert complaint.status_code == 201 and complaint.json()["followup_id"] == followup_id
    assert complaint.json()["description"] == "很差" and complaint.json()["channel"] == "phone"
    problem(
        await client.post(f"/api/followups/{followup_id}/complaint", json={"category": "workmanship"}), 409
    )
    problem(await client.post(f"/api/followups/{followup_id}/complaint", json={"category": "nope"}), 400)

    settings = (await client.get("/api/loop-settings")).json()
    problem(await client.put("/api/loop-settings", json=settings), 403)
    manager = await api_client("service_manager")
    problem(await manager.put("/api/loop-settings", json={**settings, "near_breach_percent": 100}), 400)
    assert (await manager.put("/api/loop-settings", json=settings)).json() == settings


async def test_complaint_api(ctx: dict[str, Any], api_client: Any) -> None:
    client = await api_client("agent")
    body = {"customer_id": ctx["world"]["customer_id"], "category": "timeliness", "description": "超时未上门"}
    problem(await client.post("/api/complaints", json={**body, "customer_id": 999999999}), 400)
    problem(await client.post("/api/complaints", json={**body, "severity": "huge"}), 400)
    created = await client.post(
        "/api/complaints", json=body, headers={"Idempotency-Key": unique("complaint-")}
    )
    assert created.status_code == 201, created.text
    complaint = created.json()
    assert complaint["number"].startswith("C") and complaint["status"] == "open"
    assert complaint["acknowledgement"]["state"] == "running"
    path = f"/api/complaints/{complaint['id']}"

    problem(await client.post(path + "/resolve", json={"root_cause": "a", "resolution": "b"}), 409)
    assert (await client.post(path + "/acknowledge")).json()["status"] == "acknowledged"
    problem(await client.post(path + "/acknowledge"), 409)
    problem(await client.post(path + "/escalate", json={"level": 3, "reason": "x"}), 400)
    escalated = await client.post(path + "/escalate", json={"level": 1, "reason": "客户情绪激动"})
    assert escalated.json()["escalation_level"] == 1
    problem(await client.post(path + "/resolve", json={"root_cause": " ", "resolution": "b"}), 400)
    problem(await client.post(path + "/resolve", json={"resolution": "b"}), 400)
    resolved = await client.post(path + "/resolve", json={"root_cause": "派工遗漏", "resolution": "当日上门"})
    assert resolved.json()["status"] == "resolved" and resolved.json()["root_cause"] == "派工遗漏"
    answered = await client.post(path + "/customer-answer", json={"accepted": True})
    assert answered.json()["customer_accepted"] is True
    problem(await client.post(path + "/close", json={}), 403)

    manager = await api_client("service_manager")
    assert (await manager.post(path + "/close", json={"note": "结案"})).json()["status"] == "closed"
    listed = await manager.get(
        "/api/complaints", params={"status": "closed", "customer_id": ctx["world"]["customer_id"]}
    )
    assert [c["id"] for c in listed.json()] == [complaint["id"]]
    problem(await manager.get("/api/complaints/999999999"), 404)


async def test_guarantee_and_corrective_action_api(ctx: dict[str, Any], api_client: Any) -> None:
    client = await api_client("agent")
    body = {"unit_id": ctx["world"]["unit_id"], "kind": "replace", "reason": "屏幕坏点"}
    problem(await client.post("/api/guarantees", json={**body, "unit_id": 999999999}), 400)
    created = await client.post("/api/guarantees", json=body)
    assert created.status_code == 201 and created.json()["eligible_rule"] == ""
    request_id = created.json()["id"]
    problem(await client.post(f"/api/guarantees/{request_id}/decide", json={"decision": "granted"}), 403)
    as_agent = {"Authorization": client.headers["Authorization"]}  # the client's token changes below

    manager = await api_client("service_manager")
    problem(await manager.post(f"/api/guarantees/{request_id}/decide", json={"decision": "granted"}), 400)
    problem(await manager.post(f"/api/guarantees/{request_id}/decide", json={"decision": "perhaps"}), 400)
    decided = await manager.post(f"/api/guarantees/{request_id}/decide", json={"decision": "refused"})
    assert decided.json()["decision_rule"] == "no_rule"
    rule = await manager.post(
        "/api/guarantee-rules", json={"code": unique("api_rule_"), "kind": "repair", "is_active": False}
    )
    assert rule.status_code == 201 and rule.json()["decide_within_days"] == 7
    assert any(r["id"] == rule.json()["id"] for r in (await manager.get("/api/guarantee-rules")).json())

    owner = await ctx["make_user"]("outlet_manager")
    action = {
        "source": "survey",
        "description": "满意度调查：安装后未清理现场",
        "owner_id": owner.user_id,
        "due_on": (clock.today() - timedelta(days=2)).isoformat(),
    }
    problem(await manager.post("/api/corrective-actions", json=action), 400)
    problem(await manager.post("/api/corrective-actions", json={**action, "source": "complaint"}), 400)
    opened = await manager.post(
        "/api/corrective-actions", json={**action, "due_on": (clock.today() + timedelta(days=3)).isoformat()}
    )
    assert opened.status_code == 201 and opened.json()["state"] == "running"
    action_id = opened.json()["id"]
    close = {
        "closure_note": "增加现场清理检查项",
        "effectiveness_check": "回访 20 户无同类问题",
        "effective": True,
    }
    problem(
        await manager.post(f"/api/corrective-actions/{action_id}/close", json=close, headers=as_agent), 403
    )
    problem(
        await manager.post(
            f"/api/corrective-actions/{action_id}/close", json={**close, "effectiveness_check": ""}
        ),
        400,
    )
    closed = await manager.post(f"/api/corrective-actions/{action_id}/close", json=close)
    assert closed.json()["closed_on"] == clock.today().isoformat() and closed.json()["effective"] is True
    assert await CorrectiveAction.count().where(CorrectiveAction.id == action_id) == 1
    assert any(a["id"] == action_id for a in (await manager.get("/api/corrective-actions")).json())
