"""The service-system page: every prerequisite of the rubric, green or red, with its evidence.

Acceptance (issue 5): the page shows all prerequisites with their evidence; retiring the service
manual turns P2 red. The database is shared by the whole run, so each check is made true by this
test's own records, and a state it cannot control (P4, P5) is compared with the data instead.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from audit_export import ledger, prerequisites
from service_ops import clock
from service_ops.actor import Actor
from service_ops.audit import verify_chain
from service_ops.documents import queries as document_queries
from service_ops.documents import services as documents
from service_ops.documents.choices import DocumentKind
from tests.conftest import PASSWORD, unique
from tests.service_ops.documents.factories import register
from tests.training.factories import SCAN, external_data, new_course, retire_course
from tickets import services as tickets
from tickets.choices import ComplaintCategory, ComplaintSeverity
from tickets.loop_schemas import ComplaintCreate
from tickets.schemas import CallRecord
from tickets.tables import Complaint
from training import queries as training_queries
from training import services as training

ROW = re.compile(
    r'<tr data-prerequisite="(P\d)" data-state="(green|red)">.*?<ul class="evidence">(.*?)</ul>', re.DOTALL
)


async def _log_in(as_browser: Any, make_user: Any, role: str) -> Actor:
    person: Actor = await make_user(role, locale="en")
    response = await as_browser.login(person.username, PASSWORD)
    assert response.status_code in (302, 303), response.text[:300]
    return person


async def _rows(as_browser: Any) -> dict[str, tuple[str, str]]:
    """code → (green / red, the evidence as text)."""
    response = await as_browser.client.get("/service-system")
    assert response.status_code == 200, response.text[:500]
    return {code: (state, html.unescape(evidence)) for code, state, evidence in ROW.findall(response.text)}


async def _certify(system: Actor, user_id: int, course_id: int) -> None:
    await training.record_external_certificate(system, external_data(user_id, course_id), SCAN, "证书.pdf")


async def _trained_team(system: Actor, make_user: Any, manager: Actor) -> list[int]:
    """A service-manager certificate for `manager` and a technician holding every certificate the
    technician role requires; the courses made are returned (to retire after the test)."""
    made = [await new_course(system, category=None, roles=(), is_service_manager_cert=True)]
    assert manager.user_id is not None
    await _certify(system, manager.user_id, made[0])
    technician = await make_user("technician")
    required = (await training_queries.required_courses(None, ["technician"])).get("technician", {})
    if not required:
        made.append(await new_course(system))
        required = {made[-1]: "own"}
    for course_id in required:
        await _certify(system, technician.user_id, course_id)
    return made


async def _open_majors() -> int:
    return await Complaint.count().where(
        (Complaint.severity == "major") & Complaint.status.not_in(["resolved", "closed"])
    )


async def test_every_prerequisite_is_shown_with_evidence_and_retiring_the_manual_turns_p2_red(
    as_browser: Any, make_user: Any, system: Actor, world: dict[str, Any]
) -> None:
    manager = await _log_in(as_browser, make_user, "service_manager")
    agent = await make_user("agent")
    await tickets.record_call(
        agent, CallRecord(phone=world["phone"], received_at=clock.now() - timedelta(days=120))
    )
    manual = await register(manager, DocumentKind.SERVICE_MANUAL, title="售后服务手册（验收）")
    await register(manager, DocumentKind.MANAGEMENT_REP_APPOINTMENT, appointee_id=manager.user_id)
    courses = await _trained_team(system, make_user, manager)
    try:
        rows = await _rows(as_browser)
        assert list(rows) == ["P1", "P2", "P3", "P4", "P5", "P6"]
        assert all(evidence.strip() for _, evidence in rows.values())
        for code in ("P1", "P2", "P3", "P6"):
            assert rows[code][0] == "green", (code, rows[code])
        assert "售后服务手册（验收）" in rows["P2"][1] and f'href="/documents/{manual}"' in rows["P2"][1]
        assert manager.display_name in rows["P3"][1]
        assert (  # the shared test database holds other certified managers too: the list is capped
            "holds service-manager certificate" in rows["P6"][1]
            and "active technicians hold every certificate" in rows["P6"][1]
        )
        assert "First call received on" in rows["P1"][1]
        assert rows["P5"][0] == ("green" if await _open_majors() == 0 else "red")
        budget = await ledger.budget_of_year(clock.today().year)
        fund_document = await document_queries.current_document(DocumentKind.FUND_BUDGET)
        expected_p4 = fund_document is not None and budget is not None and budget.total_fen > 0
        assert rows["P4"][0] == ("green" if expected_p4 else "red")
        page = (await as_browser.client.get("/service-system")).text
        assert 'data-field="management_rep"><a href="/documents/' in page and manager.display_name in page

        await documents.retire_document(manager, manual, "手册修订中")
        after = await _rows(as_browser)
        assert after["P2"][0] == "red" and "No current service manual." in after["P2"][1]
        assert {code: after[code][0] for code in ("P1", "P3", "P6")} == {
            "P1": "green",
            "P3": "green",
            "P6": "green",
        }
        assert (await verify_chain()).ok
    finally:
        for course_id in courses:
            await retire_course(system, course_id)


async def test_an_open_major_complaint_turns_p5_red_until_it_is_resolved(
    make_user: Any, world: dict[str, Any]
) -> None:
    agent, manager = await make_user("agent"), await make_user("service_manager")
    complaint_id = await tickets.open_complaint(
        agent,
        ComplaintCreate(
            customer_id=world["customer_id"],
            category=ComplaintCategory.PRODUCT_QUALITY,
            description="产品起火",
            severity=ComplaintSeverity.MAJOR,
        ),
    )
    number = (await Complaint.select(Complaint.number).where(Complaint.id == complaint_id).first())["number"]
    met, evidence = await prerequisites.no_major_incident(clock.today())
    assert not met and any(
        e.params.get("number") == number and e.href == f"/complaints/{complaint_id}" for e in evidence
    )

    await tickets.acknowledge_complaint(manager, complaint_id)
    await tickets.resolve_complaint(manager, complaint_id, "电源线老化", "更换整机")
    met, evidence = await prerequisites.no_major_incident(clock.today())
    assert met == (await _open_majors() == 0)
    assert all(e.params.get("number") != number for e in evidence)


async def test_p4_needs_the_budget_document_and_a_budget_in_the_ledger(
    make_user: Any, system: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    fund = pytest.importorskip("service_ops.fund.services")
    from service_ops.fund.choices import EntryKind
    from service_ops.fund.schemas import AccountCreate, EntryCreate

    manager = await make_user("service_manager")
    await register(manager, DocumentKind.FUND_BUDGET, title="2026 年售后服务专项资金预算")
    # A year no other test posts in: the ledger is shared by the whole run.
    with clock.frozen_at(clock.now().replace(year=2098, month=6, day=1)):
        met, evidence = await prerequisites.fund_budget(clock.today())
        assert not met and "No budget posted in the fund ledger for {year}." in [e.message for e in evidence]
        code = unique("bud")[-30:]
        await fund.create_account(
            system, AccountCreate(code=code, name="预算", default_kind=EntryKind.BUDGET)
        )
        await fund.post_entry(
            system,
            EntryCreate(
                posted_on=date(2098, 3, 1), kind=EntryKind.BUDGET, amount=Decimal("500000"), account=code
            ),
        )
        met, evidence = await prerequisites.fund_budget(clock.today())
        assert met, evidence
        assert (
            evidence[1].href == "/fund/entries?period=2098&kind=budget"
            and evidence[1].params["amount"] == "500000.00"
        )

        monkeypatch.setattr(ledger, "TABLE", "no_such_ledger")
        met, evidence = await prerequisites.fund_budget(clock.today())
        assert not met and evidence[-1].message == "The service fund ledger is not available."


async def test_the_json_twin_and_who_may_read(api_as: Any, client: Any) -> None:
    assert (await client.get("/api/service-system")).status_code == 401
    reader, _ = await api_as("technician")
    response = await reader.get("/api/service-system", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.json()
    assert [p["code"] for p in body["prerequisites"]] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert body["rubric_version"] == "gbt27922-2011/provisional-1"
    assert all(p["evidence"] and p["evidence"][0]["text"] for p in body["prerequisites"])
    assert body["all_met"] == all(p["met"] for p in body["prerequisites"])
