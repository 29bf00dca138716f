"""Work orders: the technician's steps with both clocks, completion with parts, fees and the customer's
confirmation, photos, revisits and cancellation — through the services and the JSON API."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from service_ops import clock
from service_ops.audit import verify_chain
from service_ops.errors import Conflict, Invalid, InvalidTransition, PermissionDenied
from service_ops.settings import get_settings
from service_ops.tables import AuditEvent, Notification, OutboxMessage
from tests.conftest import PASSWORD
from tests.outlets.network import retire_course
from tests.tickets.field import AssignedJob, assigned_job
from tickets import events, field_queries, services
from tickets.choices import TicketKind, WorkResult
from tickets.field_schemas import PartLine, WorkOrderCompletion
from tickets.services.work_orders.common import step_time
from tickets.tables import Followup, Ticket, WorkOrder, WorkOrderPart, WorkOrderPhoto, WorkOrderStep


def tiny_png(seed: int = 0) -> bytes:
    """A valid 1×1 PNG (a different pixel per seed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixel = bytes([0, seed % 256, 128, 64])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(pixel))
        + chunk(b"IEND", b"")
    )


SIGNATURE = "data:image/png;base64," + base64.b64encode(tiny_png(7)).decode()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


@pytest.fixture
async def job(system: Any, make_user: Any, world: dict[str, Any]) -> AsyncIterator[AssignedJob]:
    built = await assigned_job(system, make_user)
    yield built
    await retire_course(system, built.network["course_id"])


@pytest.fixture
async def install_job(system: Any, make_user: Any, world: dict[str, Any]) -> AsyncIterator[AssignedJob]:
    built = await assigned_job(system, make_user, kind=TicketKind.INSTALL)
    yield built
    await retire_course(system, built.network["course_id"])


def repair(**changes: Any) -> WorkOrderCompletion:
    values: dict[str, Any] = {
        "result": WorkResult.FIXED,
        "diagnosis": "主板电容鼓包，已更换",
        "fault_code": "E21",
        "parts": [
            PartLine(
                part_no="PCB-100", name="电源板", quantity=1, unit_price=Decimal("180.00"), in_warranty=True
            )
        ],
        "labour_fee": Decimal("50.00"),
        "signature_png": SIGNATURE,
    }
    return WorkOrderCompletion(**{**values, **changes})


async def on_site(job: AssignedJob) -> None:
    await services.take_step(job.technician, job.work_order_id, "en_route")
    await services.take_step(job.technician, job.work_order_id, "arrived")


async def counts(work_order_id: int) -> dict[str, int]:
    return {
        "steps": await WorkOrderStep.count().where(WorkOrderStep.work_order == work_order_id),
        "parts": await WorkOrderPart.count().where(WorkOrderPart.work_order == work_order_id),
        "photos": await WorkOrderPhoto.count().where(WorkOrderPhoto.work_order == work_order_id),
        "events": await AuditEvent.count(),
    }


async def test_full_repair_flow_resolves_the_ticket_with_both_clocks_and_a_followup(job: AssignedJob) -> None:
    tech, order_id = job.technician, job.work_order_id
    created = (await WorkOrder.objects().get(WorkOrder.id == order_id)).created_at
    with clock.frozen_at(created + timedelta(minutes=10)):
        pressed = clock.now() - timedelta(minutes=2)  # tapped offline two minutes before it got through
        await services.take_step(tech, order_id, "en_route", device_at=pressed, offline=True)
    ticket = await Ticket.objects().get(Ticket.id == job.ticket_id)
    assert ticket.status == "in_progress", "visit 1 going en route starts the ticket"
    await services.take_step(tech, order_id, "arrived")
    photo_id = await services.add_work_order_photo(tech, order_id, tiny_png(1), "before.png", "坏的电源板")
    data = repair(
        parts=[
            PartLine(
                part_no="PCB-100", name="电源板", quantity=1, unit_price=Decimal("180"), in_warranty=True
            ),
            PartLine(
                part_no="FUSE-5", name="保险丝", quantity=2, unit_price=Decimal("3.50"), in_warranty=False
            ),
        ]
    )
    assert await services.complete_work_order(tech, order_id, data) == order_id

    order = await WorkOrder.objects().get(WorkOrder.id == order_id)
    assert (order.status, order.result, order.fault_code) == ("completed", "fixed", "E21")
    assert order.parts_fee == Decimal("187.00") and order.labour_fee == Decimal("50.00")
    assert order.total_fee == Decimal("237.00")
    assert order.customer_pays == Decimal("7.00"), "in warranty: only the out-of-warranty fuses"
    assert order.payer == "customer" and order.confirmed_by == "signature"
    assert len(order.signature_sha256) == 64 and order.signature_path.endswith(".png")
    assert (get_settings().data_dir / order.signature_path).read_bytes() == tiny_png(7)
    ticket = await Ticket.objects().get(Ticket.id == job.ticket_id)
    assert ticket.status == "resolved" and ticket.resolved_at == order.completed_at
    assert ticket.resolution == "主板电容鼓包，已更换"
    followup = await Followup.objects().get(Followup.ticket == job.ticket_id)
    assert followup is not None and followup.due_at > order.completed_at

    steps = (
        await WorkOrderStep.select().where(WorkOrderStep.work_order == order_id).order_by(WorkOrderStep.id)
    )
    assert [s["step"] for s in steps] == ["en_route", "arrived", "completed"]
    assert steps[0]["device_at"] == pressed and steps[0]["taken_at"] == pressed
    assert steps[0]["received_at"] > pressed and steps[0]["was_offline"] is True
    assert all(s["actor"] == tech.user_id and s["received_at"] is not None for s in steps)
    assert order.en_route_at == pressed and order.arrived_at == steps[1]["taken_at"]
    assert await WorkOrderPart.count().where(WorkOrderPart.work_order == order_id) == 2
    photo = await WorkOrderPhoto.objects().get(WorkOrderPhoto.id == photo_id)
    assert photo.content_type == "image/png" and len(photo.sha256) == 64

    actions = [
        row["action"]
        for row in await AuditEvent.select(AuditEvent.action)
        .where((AuditEvent.entity == "work_order") & (AuditEvent.entity_id == str(order_id)))
        .order_by(AuditEvent.seq)
    ]
    assert actions == [
        events.WORK_ORDER_CREATED,
        events.WORK_ORDER_EN_ROUTE,
        events.WORK_ORDER_ARRIVED,
        events.WORK_ORDER_PHOTO_ADDED,
        events.WORK_ORDER_COMPLETED,
    ]
    read = await field_queries.get_work_order(order_id, tech)
    assert read.status.value == "completed" and len(read.steps) == 3 and len(read.photos) == 1
    verified = await verify_chain()
    assert verified.ok, verified


async def test_steps_out_of_order_or_twice_are_refused(
    job: AssignedJob, api_client: Any, client: Any
) -> None:
    with pytest.raises(InvalidTransition, match="next step"):
        await services.take_step(job.technician, job.work_order_id, "arrived")
    with pytest.raises(InvalidTransition):
        await services.complete_work_order(job.technician, job.work_order_id, repair())
    with pytest.raises(Invalid):
        await services.take_step(job.technician, job.work_order_id, "completed")
    await _login_api(client, job.technician.username)
    response = await client.post(f"/api/work-orders/{job.work_order_id}/steps", json={"step": "arrived"})
    assert response.status_code == 409 and "application/problem+json" in response.headers["content-type"]
    await services.take_step(job.technician, job.work_order_id, "en_route")
    again = await client.post(f"/api/work-orders/{job.work_order_id}/steps", json={"step": "en_route"})
    assert again.status_code == 409 and "无需重复操作" in again.json()["detail"], "in the user's language"
    assert await WorkOrderStep.count().where(WorkOrderStep.work_order == job.work_order_id) == 1


async def _login_api(client: Any, username: str) -> None:
    response = await client.post(
        "/api/auth/token", json={"username": username, "password": PASSWORD, "name": "t"}
    )
    assert response.status_code == 201, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"


async def test_only_the_assigned_technician_sees_and_works_the_job(job: AssignedJob, client: Any) -> None:
    other = job.other_technician
    with pytest.raises(PermissionDenied):
        await services.take_step(other, job.work_order_id, "en_route")
    with pytest.raises(PermissionDenied):
        await services.add_work_order_photo(other, job.work_order_id, tiny_png(2))
    with pytest.raises(PermissionDenied):
        await services.take_step(job.outlet_manager, job.work_order_id, "en_route")
    await _login_api(client, other.username)
    assert (await client.get(f"/api/work-orders/{job.work_order_id}")).status_code == 403
    step = await client.post(f"/api/work-orders/{job.work_order_id}/steps", json={"step": "en_route"})
    assert step.status_code == 403
    mine = await client.get("/api/field/jobs")
    assert job.work_order_id not in {j["id"] for j in mine.json()}
    await _login_api(client, job.technician.username)
    listed = (await client.get("/api/field/jobs")).json()
    assert [j["id"] for j in listed if j["id"] == job.work_order_id] == [job.work_order_id]
    assert (await client.get(f"/api/work-orders/{job.work_order_id}")).status_code == 200
    assert await WorkOrderStep.count().where(WorkOrderStep.work_order == job.work_order_id) == 0


async def test_a_replayed_key_gives_the_same_answer_and_one_record(job: AssignedJob, client: Any) -> None:
    await _login_api(client, job.technician.username)
    url = f"/api/work-orders/{job.work_order_id}/steps"
    body = {"step": "en_route", "device_at": (clock.now() - timedelta(seconds=5)).isoformat()}
    first = await client.post(url, json=body, headers={"Idempotency-Key": "step-key-0001"})
    events_after_first = await AuditEvent.count()
    second = await client.post(url, json=body, headers={"Idempotency-Key": "step-key-0001"})
    assert first.status_code == second.status_code == 201, first.text
    assert first.json() == second.json()
    answer = first.json()
    assert (answer["work_order_id"], answer["status"], answer["step"]["step"]) == (
        job.work_order_id,
        "en_route",
        "en_route",
    )
    assert answer["step"]["device_at"] is not None and answer["step"]["received_at"] is not None
    assert await WorkOrderStep.count().where(WorkOrderStep.work_order == job.work_order_id) == 1
    assert await AuditEvent.count() == events_after_first, "a replay writes nothing"
    without_key = await client.post(url, json=body)
    assert without_key.status_code == 409
    # the same key on a completion and a photo
    await services.take_step(job.technician, job.work_order_id, "arrived")
    keyed = await services.add_work_order_photo(
        job.technician, job.work_order_id, JPEG, "a.jpg", "", "photo-key-01"
    )
    assert (
        await services.add_work_order_photo(
            job.technician, job.work_order_id, JPEG, "a.jpg", "", "photo-key-01"
        )
        == keyed
    )
    with pytest.raises(Conflict):
        await services.add_work_order_photo(job.technician, job.work_order_id, JPEG, "a.jpg")
    done = await services.complete_work_order(job.technician, job.work_order_id, repair(), "complete-key-1")
    assert (
        await services.complete_work_order(job.technician, job.work_order_id, repair(), "complete-key-1")
        == done
    )
    assert await WorkOrderPart.count().where(WorkOrderPart.work_order == job.work_order_id) == 1


INCOMPLETE: list[tuple[dict[str, Any], str]] = [
    ({"diagnosis": "  "}, "diagnosis"),
    ({"fault_code": ""}, "fault_code"),
    ({"signature_png": None}, "signature_png"),
    ({"result": WorkResult.INSTALLED}, "result"),
    ({"signature_png": "data:image/png;base64,bm90IGEgcG5n"}, "signature_png"),
    ({"signature_png": "data:image/png;base64,!!!"}, "signature_png"),
    ({"labour_fee": Decimal("12.345")}, "labour_fee"),
    ({"labour_fee": Decimal("-1")}, "labour_fee"),
    ({"labour_fee": Decimal("NaN")}, "labour_fee"),
    ({"parts": [PartLine(part_no="X", quantity=0, unit_price=Decimal(1), in_warranty=True)]}, "quantity"),
    ({"parts": [PartLine(part_no=" ", quantity=1, unit_price=Decimal(1), in_warranty=True)]}, "part_no"),
    ({"confirmation_code": "123456", "signature_png": None}, "confirmation_code"),
]


async def test_an_incomplete_completion_is_refused_and_writes_nothing(job: AssignedJob) -> None:
    await on_site(job)
    before = await counts(job.work_order_id)
    for changes, field in INCOMPLETE:
        with pytest.raises(Invalid) as refused:
            await services.complete_work_order(job.technician, job.work_order_id, repair(**changes))
        assert refused.value.field == field, changes
    assert await counts(job.work_order_id) == before
    order = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    assert order.status == "arrived" and order.result is None


async def test_out_of_warranty_fees_need_the_customers_confirmation(job: AssignedJob) -> None:
    await WorkOrder.update({WorkOrder.in_warranty: False}).where(WorkOrder.id == job.work_order_id)
    await on_site(job)
    with pytest.raises(Invalid, match="pays"):
        await services.complete_work_order(job.technician, job.work_order_id, repair(signature_png=None))
    await services.complete_work_order(job.technician, job.work_order_id, repair())
    order = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    assert order.customer_pays == Decimal("50.00"), "labour out of warranty; the part was in warranty"
    assert order.payer == "customer"


async def test_completion_through_the_api(job: AssignedJob, client: Any) -> None:
    await on_site(job)
    await _login_api(client, job.technician.username)
    url = f"/api/work-orders/{job.work_order_id}/complete"
    bad = await client.post(
        url,
        json={
            "result": "fixed",
            "diagnosis": "ok",
            "fault_code": "E1",
            "signature_png": SIGNATURE,
            "parts": [{"part_no": "A", "quantity": 1, "unit_price": "1.001", "in_warranty": False}],
        },
    )
    assert bad.status_code == 400 and bad.json()["field"] == "unit_price"
    body = {
        "result": "fixed",
        "diagnosis": "换电源板",
        "fault_code": "E21",
        "labour_fee": "30",
        "parts": [
            {"part_no": "PCB", "name": "板", "quantity": 1, "unit_price": "99.5", "in_warranty": False}
        ],
        "signature_png": SIGNATURE,
    }
    done = await client.post(url, json=body, headers={"Idempotency-Key": "api-complete-1"})
    assert done.status_code == 201, done.text
    read = done.json()
    assert (
        read["status"] == "completed" and read["customer_pays"] == "99.50" and read["total_fee"] == "129.50"
    )
    assert read["parts"][0]["unit_price"] == "99.50"


async def test_photos_must_be_images_within_the_limit(job: AssignedJob, client: Any) -> None:
    await on_site(job)
    before = await counts(job.work_order_id)
    with pytest.raises(Invalid, match="not a photo"):
        await services.add_work_order_photo(
            job.technician, job.work_order_id, b"%PDF-1.4 not a photo", "x.jpg"
        )
    with pytest.raises(Invalid, match="too large"):
        big = b"\xff\xd8\xff" + b"\x00" * get_settings().upload_max_bytes
        await services.add_work_order_photo(job.technician, job.work_order_id, big, "big.jpg")
    with pytest.raises(Invalid):
        await services.add_work_order_photo(job.technician, job.work_order_id, b"", "empty.jpg")
    assert await counts(job.work_order_id) == before
    webp = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
    assert await services.add_work_order_photo(job.technician, job.work_order_id, webp, "a.webp")
    await _login_api(client, job.technician.username)
    url = f"/api/work-orders/{job.work_order_id}/photos"
    text = await client.post(url, files={"photo": ("notes.txt", b"just text", "text/plain")})
    assert text.status_code == 400, text.text
    sent = await client.post(
        url, files={"photo": ("p.png", tiny_png(3), "image/png")}, data={"caption": "铭牌"}
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["caption"] == "铭牌" and sent.json()["content_type"] == "image/png"
    shown = await client.get(f"/field/photos/{sent.json()['id']}")
    assert shown.status_code == 200 and shown.content == tiny_png(3)


async def test_the_confirmation_code_is_sent_by_sms_and_checked(job: AssignedJob) -> None:
    tech = job.technician
    await services.take_step(tech, job.work_order_id, "en_route")
    with pytest.raises(InvalidTransition):
        await services.send_confirmation_code(tech, job.work_order_id)
    await services.take_step(tech, job.work_order_id, "arrived")
    await services.send_confirmation_code(tech, job.work_order_id)
    with pytest.raises(Conflict):
        await services.send_confirmation_code(tech, job.work_order_id)
    message = (
        await OutboxMessage.select()
        .where(
            (OutboxMessage.entity == "work_order_code")
            & OutboxMessage.entity_id.like(f"{job.work_order_id}-%")
        )
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    assert message["recipient"] == "13911112222" and message["entity_id"].startswith(f"{job.work_order_id}-")
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", message["body"]).group(1)
    order = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    assert code not in order.confirmation_code_hash and order.confirmation_sent_at is not None
    queued = await AuditEvent.select(AuditEvent.after).where(
        (AuditEvent.entity == "outbox_message") & (AuditEvent.entity_id == str(message["id"]))
    )
    assert queued and all(code not in str(row["after"]) for row in queued), "the code stays out of the trail"
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    before = await counts(job.work_order_id)
    with pytest.raises(Invalid, match="wrong"):
        await services.complete_work_order(
            tech, job.work_order_id, repair(signature_png=None, confirmation_code=wrong)
        )
    assert await counts(job.work_order_id) == before
    with clock.frozen_at(clock.now() + timedelta(hours=2)), pytest.raises(Invalid, match="expired"):
        await services.complete_work_order(
            tech, job.work_order_id, repair(signature_png=None, confirmation_code=code)
        )
    await services.complete_work_order(
        tech, job.work_order_id, repair(signature_png=None, confirmation_code=code)
    )
    order = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    assert order.confirmed_by == "code" and order.signature_sha256 == ""


def test_device_time_counts_only_when_plausible() -> None:
    now = clock.now()
    previous = now - timedelta(hours=1)
    assert step_time(None, previous, now) == now
    assert step_time(now - timedelta(minutes=10), previous, now) == now - timedelta(minutes=10)
    assert step_time(now + timedelta(seconds=90), previous, now) == now + timedelta(seconds=90)
    assert step_time(now + timedelta(minutes=3), previous, now) == now, "too far ahead"
    assert step_time(previous - timedelta(seconds=1), previous, now) == now, "before the previous step"
    old_previous = now - timedelta(days=3)
    assert step_time(now - timedelta(hours=25), old_previous, now) == now, "older than 24 h"
    assert step_time(now - timedelta(hours=23), old_previous, now) == now - timedelta(hours=23)
    with pytest.raises(Invalid):
        step_time(now.replace(tzinfo=None), previous, now)


async def test_implausible_device_times_fall_back_to_the_server_clock(job: AssignedJob) -> None:
    order = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    with clock.frozen_at(order.created_at + timedelta(hours=1)):
        ahead = clock.now() + timedelta(minutes=10)
        await services.take_step(job.technician, job.work_order_id, "en_route", device_at=ahead)
        clock.advance(timedelta(minutes=20))
        before_departure = clock.now() - timedelta(minutes=30)
        await services.take_step(job.technician, job.work_order_id, "arrived", device_at=before_departure)
        steps = (
            await WorkOrderStep.select()
            .where(WorkOrderStep.work_order == job.work_order_id)
            .order_by(WorkOrderStep.id)
        )
    assert steps[0]["device_at"] == ahead and steps[0]["taken_at"] == steps[0]["received_at"] != ahead
    assert steps[1]["device_at"] == before_departure and steps[1]["taken_at"] == steps[1]["received_at"]


async def test_not_fixed_keeps_the_ticket_open_and_a_revisit_gets_its_own_commitment(
    job: AssignedJob,
) -> None:
    await on_site(job)
    await services.complete_work_order(
        job.technician,
        job.work_order_id,
        repair(result=WorkResult.NOT_FIXED, parts=[], labour_fee=Decimal(0)),
    )
    ticket = await Ticket.objects().get(Ticket.id == job.ticket_id)
    assert ticket.status == "in_progress" and ticket.resolved_at is None
    assert not await Followup.exists().where(Followup.ticket == job.ticket_id)
    assert await Notification.exists().where(
        (Notification.user == job.outlet_manager.user_id) & (Notification.entity_id == str(job.work_order_id))
    ), "the outlet manager is asked to schedule a revisit"

    due = clock.now() + timedelta(days=1)
    with pytest.raises(PermissionDenied):
        await services.schedule_revisit(job.technician, job.work_order_id, due)
    with pytest.raises(Invalid):
        await services.schedule_revisit(
            job.outlet_manager, job.work_order_id, clock.now() - timedelta(hours=1)
        )
    far_manager = await _far_manager(job)
    with pytest.raises(PermissionDenied):
        await services.schedule_revisit(far_manager, job.work_order_id, due)
    with pytest.raises(Invalid):
        await services.schedule_revisit(
            job.outlet_manager, job.work_order_id, due, job.network["unqualified"].user_id
        )
    visit_id = await services.schedule_revisit(
        job.outlet_manager, job.work_order_id, due, idempotency_key="revisit-k1"
    )
    assert (
        await services.schedule_revisit(
            job.outlet_manager, job.work_order_id, due, idempotency_key="revisit-k1"
        )
        == visit_id
    )
    with pytest.raises(Conflict):
        await services.schedule_revisit(job.outlet_manager, job.work_order_id, due)
    visit = await WorkOrder.objects().get(WorkOrder.id == visit_id)
    assert (visit.visit_no, visit.previous, visit.status) == (2, job.work_order_id, "assigned")
    assert visit.arrival_due == due and visit.technician == job.technician.user_id
    first = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    assert first.arrival_due != due, "visit 1 keeps its own commitment"
    await services.take_step(job.technician, visit_id, "en_route")
    await services.take_step(job.technician, visit_id, "arrived")
    await services.complete_work_order(job.technician, visit_id, repair())
    ticket = await Ticket.objects().get(Ticket.id == job.ticket_id)
    assert ticket.status == "resolved"
    with pytest.raises(InvalidTransition):
        await services.schedule_revisit(job.outlet_manager, visit_id, due)


async def _far_manager(job: AssignedJob) -> Any:
    from service_ops.auth import load_actor

    return await load_actor(job.network["far_manager"].user_id)


async def test_the_outlet_cancels_a_visit_and_can_replace_it(job: AssignedJob) -> None:
    await services.take_step(job.technician, job.work_order_id, "en_route")
    with pytest.raises(PermissionDenied):
        await services.cancel_work_order(job.technician, job.work_order_id, "不去了")
    with pytest.raises(PermissionDenied):
        await services.cancel_work_order(await _far_manager(job), job.work_order_id, "不是我的")
    with pytest.raises(Invalid):
        await services.cancel_work_order(job.outlet_manager, job.work_order_id, "  ")
    await services.cancel_work_order(job.outlet_manager, job.work_order_id, "客户改约")
    order = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    assert (
        order.status == "cancelled" and order.cancel_reason == "客户改约" and order.cancelled_at is not None
    )
    step = (
        await WorkOrderStep.select()
        .where((WorkOrderStep.work_order == job.work_order_id) & (WorkOrderStep.step == "cancelled"))
        .first()
    )
    assert step["actor"] == job.outlet_manager.user_id
    with pytest.raises(InvalidTransition, match=r"Cancelled|取消"):
        await services.take_step(job.technician, job.work_order_id, "arrived")
    with pytest.raises(InvalidTransition):
        await services.cancel_work_order(job.outlet_manager, job.work_order_id, "again")
    assert await Notification.exists().where(
        (Notification.user == job.technician.user_id) & (Notification.entity_id == str(job.work_order_id))
    )
    replacement = await services.schedule_revisit(
        job.outlet_manager, job.work_order_id, clock.now() + timedelta(hours=3)
    )
    visit = await WorkOrder.objects().get(WorkOrder.id == replacement)
    assert visit.visit_no == 1 and visit.previous == job.work_order_id, (
        "a cancelled visit's number is given again"
    )


async def test_installation_results(install_job: AssignedJob) -> None:
    job = install_job
    await on_site(job)
    with pytest.raises(Invalid) as wrong:
        await services.complete_work_order(job.technician, job.work_order_id, repair(result=WorkResult.FIXED))
    assert wrong.value.field == "result"
    await services.complete_work_order(
        job.technician,
        job.work_order_id,
        WorkOrderCompletion(result=WorkResult.INSTALLED, signature_png=SIGNATURE),
    )
    order = await WorkOrder.objects().get(WorkOrder.id == job.work_order_id)
    assert (order.result, order.diagnosis, order.total_fee) == ("installed", "", Decimal("0.00"))
    ticket = await Ticket.objects().get(Ticket.id == job.ticket_id)
    assert ticket.status == "resolved" and ticket.resolution
    assert await Followup.exists().where(Followup.ticket == job.ticket_id)
    verified = await verify_chain()
    assert verified.ok, verified


BAD_INPUT: dict[str, list[dict[str, Any]]] = {
    "steps": [
        {"step": "en_route", "device_at": "2026-11-23T09:30:00"},
        {"step": "completed"},
        {"step": "en_route", "offline": "maybe"},
    ],
    "complete": [
        {"result": "fixed", "labour_fee": "1e999999", "signature_png": SIGNATURE},
        {"result": "fixed", "labour_fee": "Infinity", "signature_png": SIGNATURE},
        {
            "result": "fixed",
            "parts": [{"part_no": "A", "quantity": 1.5, "unit_price": "1", "in_warranty": True}],
        },
        {
            "result": "fixed",
            "parts": [{"part_no": "A", "quantity": 10**12, "unit_price": "1", "in_warranty": True}],
        },
        {
            "result": "fixed",
            "parts": [{"part_no": "A", "quantity": 1, "unit_price": "abc", "in_warranty": True}],
        },
        {"result": "fixed", "signature_png": "data:image/svg+xml;base64,PHN2Zz4="},
        {"result": "exploded"},
    ],
    "revisit": [
        {"arrival_due": "2030-01-01T09:00:00"},
        {"arrival_due": "2030-01-01T09:00:00+08:00", "technician_id": 0},
    ],
    "cancel": [{"reason": ""}],
}


async def test_bad_input_is_a_400_problem_and_writes_nothing(job: AssignedJob, client: Any) -> None:
    await _login_api(client, job.technician.username)
    for path, bodies in BAD_INPUT.items():
        if path == "complete":
            await on_site(job)
        if path == "revisit":
            await _login_api(client, job.outlet_manager.username)
        before = await counts(job.work_order_id)
        for body in bodies:
            response = await client.post(f"/api/work-orders/{job.work_order_id}/{path}", json=body)
            assert response.status_code == 400, (body, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["detail"]
        assert await counts(job.work_order_id) == before, path


async def test_route_guards_by_role(job: AssignedJob, client: Any, make_user: Any) -> None:
    base = f"/api/work-orders/{job.work_order_id}"
    assert (await client.get("/api/field/jobs")).status_code == 401
    auditor = await make_user("auditor")
    await _login_api(client, auditor.username)
    assert (await client.get(base)).status_code == 200, "auditors read everything"
    assert (await client.post(f"{base}/steps", json={"step": "en_route"})).status_code == 403
    assert (await client.post(f"{base}/cancel", json={"reason": "审核"})).status_code == 403
    agent = await make_user("agent")
    await _login_api(client, agent.username)
    assert (await client.post(f"{base}/steps", json={"step": "en_route"})).status_code == 403
    due = (clock.now() + timedelta(days=1)).isoformat()
    assert (await client.post(f"{base}/revisit", json={"arrival_due": due})).status_code == 403
    await _login_api(client, job.network["far_manager"].username)
    assert (await client.get(base)).status_code == 403, "another outlet's manager"
    await _login_api(client, job.outlet_manager.username)
    assert (await client.get(base)).status_code == 200
    cancelled = await client.post(f"{base}/cancel", json={"reason": "客户改约"})
    assert cancelled.status_code == 201 and cancelled.json()["status"] == "cancelled"
    assert await WorkOrderStep.count().where(WorkOrderStep.work_order == job.work_order_id) == 1


async def test_warranty_costs_of_a_completed_job_post_to_the_service_fund(job: AssignedJob) -> None:
    """The fund pays in-warranty parts and the labour of an in-warranty visit, never the customer's part."""
    from service_ops.fund.tables import FundEntry

    tech = job.technician
    await services.take_step(tech, job.work_order_id, "en_route")
    await services.take_step(tech, job.work_order_id, "arrived")
    await services.complete_work_order(
        tech,
        job.work_order_id,
        repair(
            parts=[
                PartLine(part_no="CAP-1", quantity=2, unit_price=Decimal("38.50"), in_warranty=True),
                PartLine(part_no="REM-1", quantity=1, unit_price=Decimal("20.00"), in_warranty=False),
            ],
            labour_fee=Decimal("60.00"),
        ),
    )
    rows = await FundEntry.select(FundEntry.account.code, FundEntry.amount_fen, FundEntry.outlet_id).where(
        (FundEntry.reference_kind == "work_order") & (FundEntry.reference_id == str(job.work_order_id))
    )
    posted = sorted((row["account.code"], row["amount_fen"], row["outlet_id"]) for row in rows)
    assert posted == [("labour", 6000, job.network["near"]), ("parts", 7700, job.network["near"])]
