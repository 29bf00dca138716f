"""Complaints: the register, registering, the detail page with its timeline, and each handling step."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template

from service_ops import queries as core
from service_ops.auth import CurrentActor
from service_ops.web import PathId, form_data, page, struct_from_form
from tickets import events, loop_queries, queries, services
from tickets.choices import Channel, ComplaintCategory, ComplaintSeverity, ComplaintStatus
from tickets.loop_controllers.common import (
    CAPA_OPEN_ROLES,
    HANDLE,
    HANDLER_ROLES,
    MANAGE,
    MANAGER_ROLES,
    READ,
    REGISTER,
    REGISTER_ROLES,
    IdempotencyHeader,
    Lookup,
    OptionalId,
    PageNo,
    Req,
    form_key,
    may,
    yes_no,
)
from tickets.loop_schemas import (
    ComplaintClosure,
    ComplaintCreate,
    ComplaintEscalation,
    ComplaintFilter,
    ComplaintRead,
    ComplaintResolution,
    CustomerAnswer,
)


class ComplaintApi(Controller):
    path = "/api/complaints"
    tags = ["complaints"]

    @get("/", guards=[READ])
    async def list_complaints(
        self,
        status: FromQuery[ComplaintStatus | None] = None,
        severity: FromQuery[ComplaintSeverity | None] = None,
        customer_id: OptionalId = None,
        page: PageNo = 1,
    ) -> list[ComplaintRead]:
        filters = ComplaintFilter(status=status, severity=severity, customer_id=customer_id)
        return await loop_queries.list_complaints(filters, page)

    @post("/", guards=[REGISTER])
    async def open_complaint(
        self, actor: CurrentActor, data: JSONBody[ComplaintCreate], idempotency_key: IdempotencyHeader
    ) -> ComplaintRead:
        return await loop_queries.get_complaint(await services.open_complaint(actor, data, idempotency_key))

    @get("/{complaint_id:int}", guards=[READ])
    async def get_complaint(self, complaint_id: PathId) -> ComplaintRead:
        return await loop_queries.get_complaint(complaint_id)

    @post("/{complaint_id:int}/acknowledge", guards=[HANDLE])
    async def acknowledge(self, actor: CurrentActor, complaint_id: PathId) -> ComplaintRead:
        await services.acknowledge_complaint(actor, complaint_id)
        return await loop_queries.get_complaint(complaint_id)

    @post("/{complaint_id:int}/escalate", guards=[HANDLE])
    async def escalate(
        self, actor: CurrentActor, complaint_id: PathId, data: JSONBody[ComplaintEscalation]
    ) -> ComplaintRead:
        await services.escalate_complaint(actor, complaint_id, data.level, data.reason)
        return await loop_queries.get_complaint(complaint_id)

    @post("/{complaint_id:int}/resolve", guards=[HANDLE])
    async def resolve(
        self, actor: CurrentActor, complaint_id: PathId, data: JSONBody[ComplaintResolution]
    ) -> ComplaintRead:
        await services.resolve_complaint(actor, complaint_id, data.root_cause, data.resolution)
        return await loop_queries.get_complaint(complaint_id)

    @post("/{complaint_id:int}/customer-answer", guards=[HANDLE])
    async def customer_answer(
        self, actor: CurrentActor, complaint_id: PathId, data: JSONBody[CustomerAnswer]
    ) -> ComplaintRead:
        await services.record_customer_answer(actor, complaint_id, data.accepted, data.note)
        return await loop_queries.get_complaint(complaint_id)

    @post("/{complaint_id:int}/close", guards=[MANAGE])
    async def close(
        self, actor: CurrentActor, complaint_id: PathId, data: JSONBody[ComplaintClosure]
    ) -> ComplaintRead:
        await services.close_complaint(actor, complaint_id, data.note)
        return await loop_queries.get_complaint(complaint_id)


class ComplaintPages(Controller):
    include_in_schema = False

    @get("/complaints", guards=[READ])
    async def register(
        self,
        request: Req,
        status: FromQuery[ComplaintStatus | None] = None,
        severity: FromQuery[ComplaintSeverity | None] = None,
    ) -> Template:
        filters = ComplaintFilter(status=status, severity=severity)
        return page(
            "loop/complaints.html",
            request,
            complaints=await loop_queries.list_complaints(filters),
            filters=filters,
            statuses=list(ComplaintStatus),
            severities=list(ComplaintSeverity),
            may_register=may(request, *REGISTER_ROLES),
        )

    @get("/complaints/new", guards=[READ])
    async def new(self, request: Req, q: Lookup = "") -> Template:
        return page(
            "loop/complaint_new.html",
            request,
            q=q,
            callers=await queries.call_screen(q) if q.strip() else [],
            channels=list(Channel),
            categories=list(ComplaintCategory),
            severities=list(ComplaintSeverity),
            idempotency_key=uuid.uuid4().hex,
        )

    @post("/complaints", guards=[REGISTER])
    async def open_complaint(self, request: Req, actor: CurrentActor) -> Redirect:
        form = await form_data(request)
        complaint_id = await services.open_complaint(
            actor, struct_from_form(ComplaintCreate, form), form_key(form)
        )
        return Redirect(path=f"/complaints/{complaint_id}")

    @get("/complaints/{complaint_id:int}", guards=[READ])
    async def detail(self, request: Req, complaint_id: PathId) -> Template:
        complaint = await loop_queries.get_complaint(complaint_id)
        actions = await loop_queries.corrective_actions_of_complaint(complaint_id)
        return page(
            "loop/complaint_detail.html",
            request,
            complaint=complaint,
            actions=actions,
            timeline=await loop_queries.complaint_timeline(complaint, actions),
            may_handle=may(request, *HANDLER_ROLES),
            may_close=may(request, *MANAGER_ROLES),
            may_open_action=may(request, *CAPA_OPEN_ROLES),
            events=await core.audit_events_for("complaint", complaint_id),
            event_label=events.label,
        )

    @post("/complaints/{complaint_id:int}/acknowledge", guards=[HANDLE])
    async def acknowledge(self, actor: CurrentActor, complaint_id: PathId) -> Redirect:
        await services.acknowledge_complaint(actor, complaint_id)
        return Redirect(path=f"/complaints/{complaint_id}")

    @post("/complaints/{complaint_id:int}/escalate", guards=[HANDLE])
    async def escalate(self, request: Req, actor: CurrentActor, complaint_id: PathId) -> Redirect:
        data = struct_from_form(ComplaintEscalation, await form_data(request))
        await services.escalate_complaint(actor, complaint_id, data.level, data.reason)
        return Redirect(path=f"/complaints/{complaint_id}")

    @post("/complaints/{complaint_id:int}/resolve", guards=[HANDLE])
    async def resolve(self, request: Req, actor: CurrentActor, complaint_id: PathId) -> Redirect:
        form = await form_data(request)
        await services.resolve_complaint(
            actor, complaint_id, form.get("root_cause", ""), form.get("resolution", "")
        )
        return Redirect(path=f"/complaints/{complaint_id}")

    @post("/complaints/{complaint_id:int}/customer-answer", guards=[HANDLE])
    async def customer_answer(self, request: Req, actor: CurrentActor, complaint_id: PathId) -> Redirect:
        form = await form_data(request)
        await services.record_customer_answer(
            actor, complaint_id, yes_no(form, "accepted"), form.get("note", "")
        )
        return Redirect(path=f"/complaints/{complaint_id}")

    @post("/complaints/{complaint_id:int}/close", guards=[MANAGE])
    async def close(self, request: Req, actor: CurrentActor, complaint_id: PathId) -> Redirect:
        await services.close_complaint(actor, complaint_id, (await form_data(request)).get("note", ""))
        return Redirect(path=f"/complaints/{complaint_id}")
