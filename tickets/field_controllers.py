"""Technician field pages (phone first) and the work-order API, over the same services."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, HeaderParameter, JSONBody
from litestar.response import File, Redirect, Template

from outlets import queries as outlet_queries
from service_ops import clock
from service_ops.actor import Actor
from service_ops.auth import CurrentActor, requires
from service_ops.choices import Role
from service_ops.errors import Invalid
from service_ops.web import PathId, form_data, page
from tickets import dispatch_queries, field_queries, services
from tickets.choices import WorkOrderStatus, WorkResult
from tickets.field_schemas import (
    FieldJobRead,
    PartLine,
    PhotoRead,
    PhotoUpload,
    RevisitCreate,
    StepAnswer,
    StepSubmit,
    WorkOrderCancel,
    WorkOrderCompletion,
    WorkOrderRead,
)
from tickets.services.work_orders.common import OPEN_VISIT, OUTLET_ROLES

READ = requires(*Role)
TECHNICIAN = requires(Role.TECHNICIAN, write=True)
OUTLET = requires(*OUTLET_ROLES, write=True)
IdempotencyHeader = Annotated[
    str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=100)
]
PART_ROWS = 20


class FieldApi(Controller):
    path = "/api"
    tags = ["field"]

    @get("/field/jobs", guards=[READ])
    async def jobs(self, actor: CurrentActor) -> list[FieldJobRead]:
        """The caller's open visits (overdue first, then by appointment) and those finished today."""
        return await field_queries.my_jobs(actor.user_id) if actor.user_id else []

    @get("/work-orders/{work_order_id:int}", guards=[READ])
    async def work_order(self, actor: CurrentActor, work_order_id: PathId) -> WorkOrderRead:
        return await field_queries.get_work_order(work_order_id, actor)

    @post("/work-orders/{work_order_id:int}/steps", guards=[TECHNICIAN])
    async def step(
        self,
        actor: CurrentActor,
        work_order_id: PathId,
        data: JSONBody[StepSubmit],
        idempotency_key: IdempotencyHeader,
    ) -> StepAnswer:
        step_id = await services.take_step(
            actor, work_order_id, data.step, data.device_at, data.offline, idempotency_key
        )
        return await field_queries.step_answer(step_id)

    @post("/work-orders/{work_order_id:int}/complete", guards=[TECHNICIAN])
    async def complete(
        self,
        actor: CurrentActor,
        work_order_id: PathId,
        data: JSONBody[WorkOrderCompletion],
        idempotency_key: IdempotencyHeader,
    ) -> WorkOrderRead:
        await services.complete_work_order(actor, work_order_id, data, idempotency_key)
        return await field_queries.get_work_order(work_order_id, actor)

    @post("/work-orders/{work_order_id:int}/photos", guards=[TECHNICIAN])
    async def photo(
        self,
        actor: CurrentActor,
        work_order_id: PathId,
        data: Annotated[PhotoUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        idempotency_key: IdempotencyHeader,
    ) -> PhotoRead:
        photo_id = await _upload(actor, work_order_id, data.photo, data.caption, idempotency_key)
        photos = await field_queries.photos_of(work_order_id)
        return next(photo for photo in photos if photo.id == photo_id)

    @post("/work-orders/{work_order_id:int}/confirmation-code", guards=[TECHNICIAN])
    async def confirmation_code(self, actor: CurrentActor, work_order_id: PathId) -> WorkOrderRead:
        await services.send_confirmation_code(actor, work_order_id)
        return await field_queries.get_work_order(work_order_id, actor)

    @post("/work-orders/{work_order_id:int}/revisit", guards=[OUTLET])
    async def revisit(
        self,
        actor: CurrentActor,
        work_order_id: PathId,
        data: JSONBody[RevisitCreate],
        idempotency_key: IdempotencyHeader,
    ) -> WorkOrderRead:
        """Schedule the next visit; returns the new work order."""
        visit_id = await services.schedule_revisit(
            actor, work_order_id, data.arrival_due, data.technician_id, idempotency_key
        )
        return await field_queries.get_work_order(visit_id, actor)

    @post("/work-orders/{work_order_id:int}/cancel", guards=[OUTLET])
    async def cancel(
        self, actor: CurrentActor, work_order_id: PathId, data: JSONBody[WorkOrderCancel]
    ) -> WorkOrderRead:
        await services.cancel_work_order(actor, work_order_id, data.reason)
        return await field_queries.get_work_order(work_order_id, actor)


async def _upload(
    actor: Actor, work_order_id: int, upload: object, caption: object, idempotency_key: str | None
) -> int:
    """The uploaded file of a multipart form or body, handed to the service (which checks it)."""
    if not isinstance(upload, UploadFile):
        raise Invalid("Choose a photo to upload.", field="photo")
    content = await upload.read()
    return await services.add_work_order_photo(
        actor, work_order_id, content, upload.filename, str(caption or "")[:200], idempotency_key
    )


def _job_url(work_order_id: int) -> str:
    return f"/field/jobs/{work_order_id}"


class FieldPages(Controller):
    include_in_schema = False

    @get("/field", guards=[READ])
    async def jobs(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Template:
        jobs = await field_queries.my_jobs(actor.user_id) if actor.user_id else []
        return page("field/jobs.html", request, jobs=jobs, today=clock.today(), open_statuses=OPEN_VISIT)

    @get("/field/jobs/{work_order_id:int}", guards=[READ])
    async def job(
        self, request: Request[Any, Any, Any], actor: CurrentActor, work_order_id: PathId
    ) -> Template:
        job = await field_queries.get_work_order(work_order_id, actor)
        can_manage = actor.role != Role.AUDITOR and actor.has_role(*OUTLET_ROLES)
        revisit_due = can_manage and _revisit_due(job)
        return page(
            "field/job.html",
            request,
            job=job,
            can_work=actor.user_id == job.technician_id and job.status in OPEN_VISIT,
            can_manage=can_manage,
            revisit_due=revisit_due,
            technicians=await _technicians(job) if revisit_due else [],
            keys={name: uuid.uuid4().hex for name in ("en_route", "arrived", "complete", "photo", "revisit")},
            part_rows=range(1),
            today=clock.today(),
            statuses=WorkOrderStatus,
        )

    @post("/field/jobs/{work_order_id:int}/steps", guards=[TECHNICIAN])
    async def step(
        self, request: Request[Any, Any, Any], actor: CurrentActor, work_order_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        await services.take_step(
            actor,
            work_order_id,
            form.get("step", ""),
            _moment(form.get("device_at", ""), "device_at"),
            form.get("offline") == "true",
            form.get("idempotency_key") or None,
        )
        return Redirect(path=_job_url(work_order_id))

    @post("/field/jobs/{work_order_id:int}/complete", guards=[TECHNICIAN])
    async def complete(
        self, request: Request[Any, Any, Any], actor: CurrentActor, work_order_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        data = completion_from_form(form)
        await services.complete_work_order(actor, work_order_id, data, form.get("idempotency_key") or None)
        return Redirect(path=_job_url(work_order_id))

    @post("/field/jobs/{work_order_id:int}/photos", guards=[TECHNICIAN])
    async def photo(
        self, request: Request[Any, Any, Any], actor: CurrentActor, work_order_id: PathId
    ) -> Redirect:
        form = await request.form()
        key = form.get("idempotency_key")
        await _upload(actor, work_order_id, form.get("photo"), form.get("caption"), str(key) if key else None)
        return Redirect(path=_job_url(work_order_id))

    @post("/field/jobs/{work_order_id:int}/confirmation-code", guards=[TECHNICIAN])
    async def confirmation_code(self, actor: CurrentActor, work_order_id: PathId) -> Redirect:
        await services.send_confirmation_code(actor, work_order_id)
        return Redirect(path=_job_url(work_order_id) + "#complete")

    @post("/field/jobs/{work_order_id:int}/cancel", guards=[OUTLET])
    async def cancel(
        self, request: Request[Any, Any, Any], actor: CurrentActor, work_order_id: PathId
    ) -> Redirect:
        await services.cancel_work_order(actor, work_order_id, (await form_data(request)).get("reason", ""))
        return Redirect(path=_job_url(work_order_id))

    @post("/field/jobs/{work_order_id:int}/revisit", guards=[OUTLET])
    async def revisit(
        self, request: Request[Any, Any, Any], actor: CurrentActor, work_order_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        arrival_due = _moment(form.get("arrival_due", ""), "arrival_due")
        if arrival_due is None:
            raise Invalid("Choose when the technician is to arrive.", field="arrival_due")
        technician = form.get("technician_id", "")
        visit_id = await services.schedule_revisit(
            actor,
            work_order_id,
            arrival_due,
            int(technician) if technician.isdigit() and len(technician) < 10 else None,
            form.get("idempotency_key") or None,
        )
        return Redirect(path=_job_url(visit_id))

    @get("/field/photos/{photo_id:int}", guards=[READ])
    async def photo_file(self, actor: CurrentActor, photo_id: PathId) -> File:
        path, media_type = await field_queries.photo_file(photo_id, actor)
        return File(path=path, media_type=media_type, content_disposition_type="inline")


def _revisit_due(job: WorkOrderRead) -> bool:
    unresolved = job.status == WorkOrderStatus.COMPLETED and job.result and not job.result.resolves_ticket
    return bool(unresolved or job.status == WorkOrderStatus.CANCELLED)


async def _technicians(job: WorkOrderRead) -> list[Any]:
    category = await dispatch_queries.ticket_category(job.ticket_id) or ""
    options = await outlet_queries.technicians_for(job.outlet_id, category, clock.today())
    return [option for option in options if option.qualified]


def _moment(raw: str, field: str) -> datetime | None:
    """An ISO time from a script (with its zone), or a date-time field's local time (the org's zone)."""
    text = raw.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise Invalid("“{value}” is not a date and time.", field=field, value=text[:30]) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.org_zone())


def _amount(raw: str, field: str) -> Decimal:
    text = raw.strip().replace(",", ".") or "0"
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise Invalid("“{value}” is not an amount.", field=field, value=text[:20]) from error


def _quantity(raw: str) -> int:
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 6):
        raise Invalid("“{value}” is not a quantity: use a whole number.", field="quantity", value=text[:20])
    return int(text)


def parts_from_form(form: Mapping[str, str]) -> list[PartLine]:
    """Rows part_no_N / name_N / quantity_N / unit_price_N / in_warranty_N; blank rows are skipped."""
    parts = []
    for row in range(PART_ROWS):
        values = {
            name: form.get(f"{name}_{row}", "").strip()
            for name in ("part_no", "name", "quantity", "unit_price")
        }
        if not any(values.values()):
            continue
        parts.append(
            PartLine(
                part_no=values["part_no"][:64],
                name=values["name"][:200],
                quantity=_quantity(values["quantity"] or "1"),
                unit_price=_amount(values["unit_price"], "unit_price"),
                in_warranty=form.get(f"in_warranty_{row}") == "on",
            )
        )
    return parts


def completion_from_form(form: Mapping[str, str]) -> WorkOrderCompletion:
    """The completion form's fields as the service's input (a missing result is a clear 400)."""
    try:
        result = WorkResult(form.get("result", ""))
    except ValueError as error:
        raise Invalid("Choose the result of the visit.", field="result") from error
    return WorkOrderCompletion(
        result=result,
        diagnosis=form.get("diagnosis", "")[:4000],
        fault_code=form.get("fault_code", "")[:32],
        parts=parts_from_form(form),
        labour_fee=_amount(form.get("labour_fee", ""), "labour_fee"),
        signature_png=form.get("signature_png") or None,
        confirmation_code=form.get("confirmation_code", "")[:16] or None,
        device_at=_moment(form.get("device_at", ""), "device_at"),
        offline=form.get("offline") == "true",
    )


ROUTES: list[type[Controller]] = [FieldApi, FieldPages]
