"""The technician's phone pages: the list and one job in Chinese by default, scope, and forms that work
without JavaScript (POST, redirect)."""

from __future__ import annotations

import gzip
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from service_ops.tables import OutboxMessage
from tests.conftest import PASSWORD, Browserless
from tests.outlets.network import retire_course
from tests.tickets.field import AssignedJob, assigned_job
from tickets.tables import Ticket, WorkOrder, WorkOrderPart, WorkOrderStep

PAGE_BUDGET = 30 * 1024


@pytest.fixture
async def job(system: Any, make_user: Any, world: dict[str, Any]) -> AsyncIterator[AssignedJob]:
    built = await assigned_job(system, make_user)
    yield built
    await retire_course(system, built.network["course_id"])


async def _as(as_browser: Browserless, username: str) -> Browserless:
    response = await as_browser.login(username, PASSWORD)
    assert response.status_code in (302, 303), response.text[:300]
    return as_browser


async def test_the_list_and_the_job_in_chinese_by_default(job: AssignedJob, as_browser: Browserless) -> None:
    browser = await _as(as_browser, job.technician.username)
    listing = await browser.client.get("/field")
    assert listing.status_code == 200
    html = listing.text
    assert '<html lang="zh-CN">' in html
    order = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    assert f'data-job="{order.number}"' in html
    assert "派工客户" in html and "县道 1 号" in html and 'href="tel:13911112222"' in html
    assert "维修" in html and "保内" in html, "kind and warranty in Chinese"
    assert "/static/app.css" not in html, "the phone pages do not load the desktop style sheet"

    page = await browser.client.get(f"/field/jobs/{job.work_order_id}")
    assert page.status_code == 200
    assert "黑屏" in page.text, "the symptom from the ticket"
    assert re.search(r'data-step="en_route"\s+data-label="[^"]*"\s*>', page.text), "the next step is shown"
    assert re.search(r'data-step="arrived"\s+data-label="[^"]*"\s+hidden', page.text), "later steps wait"


async def test_english_when_chosen(job: AssignedJob, as_browser: Browserless) -> None:
    browser = await _as(as_browser, job.technician.username)
    switched = await browser.post_form("/locale", {"locale": "en", "next": "/field"})
    assert switched.status_code in (302, 303)
    html = (await browser.client.get("/field")).text
    assert '<html lang="en">' in html and "My jobs" in html and "In warranty" in html


async def test_a_technician_cannot_open_another_technicians_job(
    job: AssignedJob, as_browser: Browserless
) -> None:
    browser = await _as(as_browser, job.other_technician.username)
    assert (await browser.client.get(f"/field/jobs/{job.work_order_id}")).status_code == 403
    listing = (await browser.client.get("/field")).text
    assert f'/field/jobs/{job.work_order_id}"' not in listing
    refused = await browser.post_form(f"/field/jobs/{job.work_order_id}/steps", {"step": "en_route"})
    assert refused.status_code == 403
    assert await WorkOrderStep.count().where(WorkOrderStep.work_order == job.work_order_id) == 0


async def test_the_whole_visit_with_plain_forms(job: AssignedJob, as_browser: Browserless) -> None:
    """No JavaScript: each button posts a form and is redirected back to the job."""
    browser = await _as(as_browser, job.technician.username)
    url = f"/field/jobs/{job.work_order_id}"
    key = uuid.uuid4().hex
    first = await browser.post_form(f"{url}/steps", {"step": "en_route", "idempotency_key": key})
    assert first.status_code in (302, 303) and first.headers["location"] == url
    again = await browser.post_form(f"{url}/steps", {"step": "en_route", "idempotency_key": key})
    assert again.status_code in (302, 303), "a resubmitted form is the same step"
    assert await WorkOrderStep.count().where(WorkOrderStep.work_order == job.work_order_id) == 1
    early = await browser.post_form(f"{url}/complete", {"result": "fixed"})
    assert early.status_code == 409 and "error" in early.text
    await browser.post_form(f"{url}/steps", {"step": "arrived", "idempotency_key": uuid.uuid4().hex})

    page = (await browser.client.get(url)).text
    assert 'id="complete"' in page and 'capture="environment"' in page
    sent = await browser.post_form(f"{url}/confirmation-code", {})
    assert sent.status_code in (302, 303)
    message = (
        await OutboxMessage.select(OutboxMessage.body)
        .where(OutboxMessage.entity_id.like(f"{job.work_order_id}-%"))
        .first()
    )
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", message["body"]).group(1)
    form = {
        "result": "fixed",
        "diagnosis": "电源板损坏",
        "fault_code": "E21",
        "part_no_0": "PCB-100",
        "name_0": "电源板",
        "quantity_0": "1",
        "unit_price_0": "180.00",
        "in_warranty_0": "on",
        "labour_fee": "0",
        "confirmation_code": code,
        "idempotency_key": uuid.uuid4().hex,
    }
    missing = await browser.post_form(f"{url}/complete", {**form, "fault_code": ""})
    assert missing.status_code == 400
    done = await browser.post_form(f"{url}/complete", form)
    assert done.status_code in (302, 303), done.text[:500]
    order = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    assert (order.status, order.confirmed_by) == ("completed", "code")
    assert await WorkOrderPart.count().where(WorkOrderPart.work_order == job.work_order_id) == 1
    ticket = await Ticket.objects().get(Ticket.id == job.ticket_id)
    assert ticket.status == "resolved"
    finished = (await browser.client.get(url)).text
    assert 'data-field="outcome"' in finished and "PCB-100" in finished


async def test_the_outlet_manager_cancels_from_the_job_page(
    job: AssignedJob, as_browser: Browserless
) -> None:
    browser = await _as(as_browser, job.outlet_manager.username)
    url = f"/field/jobs/{job.work_order_id}"
    page = (await browser.client.get(url)).text
    assert 'data-action="cancel"' in page and 'data-action="en_route"' not in page
    cancelled = await browser.post_form(f"{url}/cancel", {"reason": "客户改约"})
    assert cancelled.status_code in (302, 303)
    page = (await browser.client.get(url)).text
    assert 'data-action="revisit"' in page, "a cancelled visit can be replaced"


async def test_the_job_list_stays_light(job: AssignedJob, as_browser: Browserless) -> None:
    """A weak network: the list page with its style sheet and script well under 30 KB compressed."""
    browser = await _as(as_browser, job.technician.username)
    total = 0
    for path in ("/field", "/static/field.css", "/static/field.js"):
        response = await browser.client.get(path)
        assert response.status_code == 200, path
        total += len(gzip.compress(response.content))
    assert total < PAGE_BUDGET / 2, total


async def test_the_ticket_page_lists_its_visits_with_their_events(
    job: AssignedJob, as_browser: Browserless
) -> None:
    from tickets import services

    await services.take_step(job.technician, job.work_order_id, "en_route")
    browser = await _as(as_browser, job.outlet_manager.username)
    html = (await browser.client.get(f"/tickets/{job.ticket_id}")).text
    order = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    assert f'href="/field/jobs/{job.work_order_id}">{order.number}</a>' in html
    assert 'data-visit="1" data-status="en_route"' in html, "visit 1 is en route"
    for action in ("tickets.ticket_created", "tickets.work_order_created", "tickets.work_order_en_route"):
        assert f'title="{action}"' in html, f"the trail shows {action}: the visits' events join the ticket's"
