"""The documents' and registers' pages: render in both languages, forms post, auditors only read."""

from __future__ import annotations

import re
from typing import Any

import pytest

from service_ops import clock
from service_ops.actor import Actor
from service_ops.documents import queries
from service_ops.documents.choices import DocumentKind
from tests.conftest import PASSWORD, unique
from tests.service_ops.documents.factories import pdf, register, target_data

PAGES = ("/documents", "/targets", "/management-reviews", "/rewards", "/service-system")


async def _log_in(as_browser: Any, make_user: Any, role: str, locale: str | None = None) -> Actor:
    person: Actor = await make_user(role, locale=locale)
    response = await as_browser.login(person.username, PASSWORD)
    assert response.status_code in (302, 303), response.text[:300]
    return person


def _key(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match
    return match.group(1)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_every_page_renders_in_both_languages(as_browser: Any, make_user: Any, locale: str) -> None:
    manager = await _log_in(as_browser, make_user, "service_manager", locale)
    document_id = await register(manager, DocumentKind.SERVICE_CONCEPT)
    paths = [*PAGES, f"/documents/{document_id}"]
    for path in paths:
        response = await as_browser.client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        assert f'lang="{"zh-CN" if locale == "zh_CN" else "en"}"' in response.text
    detail = await as_browser.client.get(f"/documents/{document_id}")
    assert ("审计日志" if locale == "zh_CN" else "Audit trail") in detail.text


async def test_a_manager_uploads_a_version_and_retires_it_by_form(as_browser: Any, make_user: Any) -> None:
    manager = await _log_in(as_browser, make_user, "service_manager", "en")
    register_page = await as_browser.client.get("/documents")
    assert 'id="document-upload"' in register_page.text
    today = clock.today().isoformat()
    fields = {
        "kind": "management_rep_appointment",
        "title": "关于任命管理者代表的决定",
        "version": unique("R")[-20:],
        "approver_id": str(manager.user_id),
        "approved_on": today,
        "effective_on": today,
        "appointee_id": str(manager.user_id),
        "idempotency_key": _key(register_page.text),
        "_csrf_token": await as_browser.csrf(),
    }
    content = pdf()
    uploaded = await as_browser.client.post(
        "/documents", data=fields, files={"file": ("任命书.pdf", content, "application/pdf")}
    )
    assert uploaded.status_code in (302, 303), uploaded.text[:500]
    again = await as_browser.client.post(
        "/documents",
        data={**fields, "_csrf_token": await as_browser.csrf()},
        files={"file": ("任命书.pdf", content, "application/pdf")},
    )
    assert again.headers["location"] == uploaded.headers["location"]
    path = uploaded.headers["location"]
    detail = await as_browser.client.get(path)
    document = await queries.get_document(int(path.rsplit("/", 1)[1]))
    assert document.sha256 in detail.text and 'data-field="appointee"' in detail.text
    download = await as_browser.client.get(f"{path}/file")
    assert download.content == content

    retired = await as_browser.post_form(f"{path}/retire", {"reason": "人事变动"})
    assert retired.status_code in (302, 303)
    assert (await queries.get_document(document.id)).status.value == "retired"


async def test_a_bad_file_by_form_gets_a_readable_error(as_browser: Any, make_user: Any) -> None:
    manager = await _log_in(as_browser, make_user, "service_manager", "en")
    today = clock.today().isoformat()
    fields = {
        "kind": "org_chart",
        "title": "组织架构图",
        "version": unique("E")[-20:],
        "approver_id": str(manager.user_id),
        "approved_on": today,
        "effective_on": today,
        "_csrf_token": await as_browser.csrf(),
    }
    response = await as_browser.client.post(
        "/documents", data=fields, files={"file": ("org.exe", b"MZ\x90\x00", "application/octet-stream")}
    )
    assert response.status_code == 400
    assert "is not a PDF, DOCX, PNG or JPEG file" in response.text


async def test_register_forms_post(as_browser: Any, make_user: Any) -> None:
    manager = await _log_in(as_browser, make_user, "hq_manager", "en")
    assert manager.user_id is not None
    data = target_data(manager.user_id, "csat_satisfied_rate", target=">=0.9")
    targets_page = await as_browser.client.get("/targets")
    target_form = {
        "horizon": "annual",
        "period_from": data.period_from.isoformat(),
        "period_to": data.period_to.isoformat(),
        "kpi_code": "csat_satisfied_rate",
        "target": ">=0.9",
        "owner_id": str(manager.user_id),
        "note": "",
        "idempotency_key": _key(targets_page.text),
    }
    assert (await as_browser.post_form("/targets", target_form)).status_code in (302, 303)
    target = next(t for t in await queries.list_targets() if t.period_from == data.period_from)
    amended = await as_browser.post_form(
        f"/targets/{target.id}", {**target_form, "target": ">=0.92", "reason": "上调"}
    )
    assert amended.status_code in (302, 303)
    assert (await queries.get_target(target.id)).target == ">=0.92"
    assert "Service target revised" in (await as_browser.client.get(f"/targets/{target.id}")).text

    review = await as_browser.post_form(
        "/management-reviews",
        {
            "held_on": clock.today().isoformat(),
            "attendees": "张总\r\n李代表\r\n",
            "inputs": "指标",
            "decisions": "决定",
            "actions": "措施",
        },
    )
    assert review.status_code in (302, 303), review.text[:300]
    review_page = await as_browser.client.get(review.headers["location"])
    assert "张总, 李代表" in review_page.text

    reward = await as_browser.post_form(
        "/rewards",
        {
            "decided_on": clock.today().isoformat(),
            "kind": "penalty",
            "subject": "person",
            "person_id": str(manager.user_id),
            "outlet_id": "",
            "amount": "",
            "reason": "回访差评",
        },
    )
    assert reward.status_code in (302, 303), reward.text[:300]
    record = (await queries.list_rewards())[0]
    detail = await as_browser.client.get(f"/rewards/{record.id}")
    assert detail.status_code == 200 and "回访差评" in detail.text and "correction_reason" in detail.text
    corrected = await as_browser.post_form(
        f"/rewards/{record.id}/correct",
        {
            "decided_on": clock.today().isoformat(),
            "kind": "penalty",
            "subject": "person",
            "person_id": str(manager.user_id),
            "amount": "100",
            "reason": "回访差评",
            "correction_reason": "补记罚款金额",
        },
    )
    assert corrected.status_code in (302, 303), corrected.text[:300]
    assert (await queries.get_reward(record.id)).corrected_by_id is not None


async def test_an_auditor_reads_but_sees_no_forms(as_browser: Any, make_user: Any) -> None:
    await _log_in(as_browser, make_user, "auditor", "en")
    for path in PAGES:
        response = await as_browser.client.get(path)
        assert response.status_code == 200 and '<form method="post" action="/documents"' not in response.text
    assert 'id="target-form"' not in (await as_browser.client.get("/targets")).text
    refused = await as_browser.post_form("/management-reviews", {"held_on": clock.today().isoformat()})
    assert refused.status_code == 403
