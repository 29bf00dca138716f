"""A case's file holds every record of the case: for a worked job the ticket with its clocks, the
dispatch, the visit's steps, parts, photos, signature and confirmation, the follow-up, and the
audit events of all of them — as data, as a page and as JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from audit_export.history.services import import_history
from audit_export.period import Period
from audit_export.sampling.case_files import case_file
from audit_export.services import samples
from service_ops import clock
from service_ops.actor import Actor
from tests.audit_export.history.bundles import example_bundle
from tests.audit_export.sampling.helpers import lonely_period
from tests.conftest import PASSWORD
from tests.outlets.network import retire_course
from tests.tickets.field import AssignedJob, assigned_job
from tests.tickets.test_work_orders import repair, tiny_png
from tickets import events as ticket_events
from tickets import services as tickets
from tickets.choices import CapaSource, ComplaintCategory
from tickets.field_schemas import PartLine
from tickets.loop_schemas import ComplaintCreate, CorrectiveActionCreate
from tickets.tables import Complaint, Ticket, WorkOrder

PARTS = [
    PartLine(part_no="PCB-100", name="电源板", quantity=1, unit_price=Decimal("180"), in_warranty=True),
    PartLine(part_no="FUSE-5", name="保险丝", quantity=2, unit_price=Decimal("3.50"), in_warranty=False),
]


@pytest.fixture
async def worked(system: Actor, make_user: Any, world: dict[str, Any]) -> AsyncIterator[AssignedJob]:
    """A repair job done on site: en route, arrived, a photo, completed with two parts and a signature."""
    job = await assigned_job(system, make_user)
    await tickets.take_step(job.technician, job.work_order_id, "en_route")
    await tickets.take_step(job.technician, job.work_order_id, "arrived")
    await tickets.add_work_order_photo(job.technician, job.work_order_id, tiny_png(3), "before.png", "故障板")
    await tickets.complete_work_order(job.technician, job.work_order_id, repair(parts=PARTS))
    yield job
    await retire_course(system, job.network["course_id"])


async def _work_order_sample(auditor: Actor, job: AssignedJob) -> Any:
    """A work-order sample over a period of its own that holds just this job."""
    period = await lonely_period()
    moment = period.start_at + timedelta(hours=3)
    await WorkOrder.update({WorkOrder.arrived_at: moment, WorkOrder.completed_at: moment}).where(
        WorkOrder.id == job.work_order_id
    )
    return await samples.draw_sample(auditor, "work_order", period, 5, seed=9, item_code="5.2.4.2")


async def test_the_case_file_of_a_worked_job_lists_its_parts_and_everything_else(
    worked: AssignedJob, make_user: Any
) -> None:
    sample = await _work_order_sample(await make_user("auditor"), worked)
    assert [case.entity_id for case in sample.case_list] == [worked.work_order_id]

    file = await case_file(sample.case_list[0])

    assert file.ticket_file is not None and file.ticket_file.ticket.id == worked.ticket_id
    job = next(job for job in file.ticket_file.jobs if job.focus)
    assert job.work_order.id == worked.work_order_id
    assert [(p.part_no, p.quantity) for p in job.work_order.parts] == [("PCB-100", 1), ("FUSE-5", 2)]
    assert [s.step.value for s in job.work_order.steps] == ["en_route", "arrived", "completed"]
    assert len(job.work_order.photos) == 1 and job.signature is not None
    assert job.work_order.confirmed_by == "signature"
    assert [d.decision for d in file.ticket_file.dispatches] == ["accepted"]
    assert file.ticket_file.followup is not None
    actions = {event.action for event in file.events}
    assert {
        ticket_events.TICKET_CREATED,
        ticket_events.TICKET_DISPATCHED,
        ticket_events.WORK_ORDER_PHOTO_ADDED,
        ticket_events.WORK_ORDER_COMPLETED,
        ticket_events.FOLLOWUP_CREATED,
    } <= actions


async def test_the_case_page_api_and_signature_for_the_auditor(
    worked: AssignedJob, make_user: Any, as_browser: Any
) -> None:
    auditor: Actor = await make_user("auditor", locale="en")
    sample = await _work_order_sample(auditor, worked)
    case = sample.case_list[0]
    await as_browser.login(auditor.username, PASSWORD)
    client = as_browser.client

    page = await client.get(f"/auditor/samples/{sample.id}/cases/{case.id}")
    assert page.status_code == 200, page.text[:500]
    assert 'data-part="PCB-100"' in page.text and 'data-part="FUSE-5"' in page.text
    assert f"/auditor/signatures/{worked.work_order_id}" in page.text
    assert 'data-focus="true"' in page.text

    signature = await client.get(f"/auditor/signatures/{worked.work_order_id}")
    assert signature.status_code == 200 and signature.content.startswith(b"\x89PNG")
    photo_id = (await case_file(case)).ticket_file.jobs[0].work_order.photos[0].id  # type: ignore[union-attr]
    assert (await client.get(f"/field/photos/{photo_id}")).status_code == 200

    answer = await client.get(f"/api/audit/samples/{sample.id}/cases/{case.id}")
    assert answer.status_code == 200
    parts = answer.json()["ticket_file"]["jobs"][0]["work_order"]["parts"]
    assert [part["part_no"] for part in parts] == ["PCB-100", "FUSE-5"]


async def test_a_case_under_another_sample_is_not_found(
    worked: AssignedJob, make_user: Any, api_client: Any
) -> None:
    sample = await _work_order_sample(await make_user("auditor"), worked)
    client = await api_client("auditor")
    case_id = sample.case_list[0].id
    assert (await client.get(f"/api/audit/samples/{sample.id}/cases/{case_id}")).status_code == 200
    missing = await client.get(f"/api/audit/samples/{sample.id + 1000000}/cases/{case_id}")
    assert missing.status_code == 404
    verdict = await client.post(
        f"/api/audit/samples/{sample.id + 1000000}/cases/{case_id}/result", json={"result": "pass"}
    )
    assert verdict.status_code == 404


async def test_a_complaints_file_holds_its_corrective_actions_and_its_tickets_file(
    worked: AssignedJob, make_user: Any, as_browser: Any, world: dict[str, Any]
) -> None:
    agent, manager = await make_user("agent"), await make_user("service_manager")
    customer_id = worked.network["customer_id"]
    complaint_id = await tickets.open_complaint(
        agent,
        ComplaintCreate(
            customer_id=customer_id,
            category=ComplaintCategory.OTHER,
            description="维修后仍有异响",
            ticket_id=worked.ticket_id,
        ),
    )
    action_id = await tickets.open_corrective_action(
        manager,
        CorrectiveActionCreate(
            source=CapaSource.COMPLAINT,
            description="复训维修规范",
            owner_id=manager.user_id,
            due_on=clock.today() + timedelta(days=7),
            complaint_id=complaint_id,
        ),
    )
    loose = await tickets.open_complaint(
        agent,
        ComplaintCreate(
            customer_id=world["customer_id"], category=ComplaintCategory.OTHER, description="无工单"
        ),
    )
    period = await lonely_period()
    await Complaint.update({Complaint.received_at: period.start_at + timedelta(hours=1)}).where(
        Complaint.id.is_in([complaint_id, loose])
    )
    auditor = await make_user("auditor", locale="en")
    sample = await samples.draw_sample(auditor, "complaint", period, 2, seed=4)
    by_id = {case.entity_id: case for case in sample.case_list}

    file = await case_file(by_id[complaint_id])
    assert file.complaints[0].focus and file.complaints[0].complaint.id == complaint_id
    assert [action.id for action in file.complaints[0].corrective_actions] == [action_id]
    assert file.ticket_file is not None and file.ticket_file.ticket.id == worked.ticket_id
    actions = {event.action for event in file.events}
    assert {
        ticket_events.COMPLAINT_OPENED,
        ticket_events.CORRECTIVE_ACTION_OPENED,
        ticket_events.TICKET_CREATED,
    } <= actions

    alone = await case_file(by_id[loose])
    assert alone.ticket_file is None and [entry.complaint.id for entry in alone.complaints] == [loose]

    await as_browser.login(auditor.username, PASSWORD)
    for case in sample.case_list:
        page = await as_browser.client.get(f"/auditor/samples/{sample.id}/cases/{case.id}")
        assert page.status_code == 200, page.text[:500]
        assert f'data-complaint="{case.entity_id}"' in page.text


async def test_the_case_file_of_an_imported_ticket_begins_with_its_import(
    system: Actor, make_user: Any, world: dict[str, Any], tmp_path: Any
) -> None:
    bundle, prefix = example_bundle(tmp_path)
    report = await import_history(system, bundle)
    ticket = await Ticket.select(Ticket.id, Ticket.created_at).where(Ticket.number.like(f"{prefix}%")).first()
    assert ticket is not None
    start = ticket["created_at"].astimezone(clock.org_zone()).date()
    sample = await samples.draw_sample(
        await make_user("auditor"), "ticket", Period(start, start + timedelta(days=1)), 1000, seed=3
    )
    case = next(case for case in sample.case_list if case.entity_id == ticket["id"])
    file = await case_file(case)
    imports = [event for event in file.events if event.action == "audit_export.history_imported"]
    assert [event.reason for event in imports] == [f"import:{report.sha256}"]
