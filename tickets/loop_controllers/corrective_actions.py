"""Corrective actions: register, open (from a complaint or elsewhere), close with an effectiveness check."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from service_ops import clock
from service_ops import queries as core
from service_ops.auth import CurrentActor, connection_actor
from service_ops.choices import Role
from service_ops.web import PathId, form_data, page, struct_from_form
from tickets import events, loop_queries, services
from tickets.choices import CapaSource
from tickets.loop_controllers.common import (
    CAPA_CLOSE,
    CAPA_OPEN,
    CAPA_OPEN_ROLES,
    MANAGER_ROLES,
    READ,
    IdempotencyHeader,
    OptionalId,
    PageNo,
    Req,
    form_key,
    may,
    yes_no,
)
from tickets.loop_schemas import CorrectiveActionClosure, CorrectiveActionCreate, CorrectiveActionRead


class CorrectiveActionApi(Controller):
    path = "/api/corrective-actions"
    tags = ["corrective actions"]

    @get("/", guards=[READ])
    async def list_actions(self, page: PageNo = 1) -> list[CorrectiveActionRead]:
        return await loop_queries.list_corrective_actions(page)

    @post("/", guards=[CAPA_OPEN])
    async def open_action(
        self, actor: CurrentActor, data: JSONBody[CorrectiveActionCreate], idempotency_key: IdempotencyHeader
    ) -> CorrectiveActionRead:
        action_id = await services.open_corrective_action(actor, data, idempotency_key)
        return await loop_queries.get_corrective_action(action_id)

    @get("/{action_id:int}", guards=[READ])
    async def get_action(self, action_id: PathId) -> CorrectiveActionRead:
        return await loop_queries.get_corrective_action(action_id)

    @post("/{action_id:int}/close", guards=[CAPA_CLOSE])
    async def close_action(
        self, actor: CurrentActor, action_id: PathId, data: JSONBody[CorrectiveActionClosure]
    ) -> CorrectiveActionRead:
        await services.close_corrective_action(
            actor, action_id, data.closure_note, data.effectiveness_check, data.effective
        )
        return await loop_queries.get_corrective_action(action_id)


class CorrectiveActionPages(Controller):
    include_in_schema = False

    @get("/corrective-actions", guards=[READ])
    async def register(self, request: Req) -> Template:
        return page(
            "loop/corrective_actions.html",
            request,
            actions=await loop_queries.list_corrective_actions(),
            may_open=may(request, *CAPA_OPEN_ROLES),
        )

    @get("/corrective-actions/new", guards=[READ])
    async def new(self, request: Req, complaint_id: OptionalId = None) -> Template:
        return page(
            "loop/corrective_action_new.html",
            request,
            complaint=await loop_queries.get_complaint(complaint_id) if complaint_id else None,
            sources=list(CapaSource),
            owners=await loop_queries.possible_owners(),
            today=clock.today(),
            idempotency_key=uuid.uuid4().hex,
        )

    @post("/corrective-actions", guards=[CAPA_OPEN])
    async def open_action(self, request: Req, actor: CurrentActor) -> Redirect:
        form = await form_data(request)
        data = struct_from_form(CorrectiveActionCreate, form)
        action_id = await services.open_corrective_action(actor, data, form_key(form))
        return Redirect(path=f"/corrective-actions/{action_id}")

    @get("/corrective-actions/{action_id:int}", guards=[READ])
    async def detail(self, request: Req, action_id: PathId) -> Template:
        action = await loop_queries.get_corrective_action(action_id)
        actor = connection_actor(request)
        return page(
            "loop/corrective_action_detail.html",
            request,
            action=action,
            may_close=may(request, *MANAGER_ROLES)
            or (actor is not None and actor.role != Role.AUDITOR and actor.user_id == action.owner_id),
            events=await core.audit_events_for("corrective_action", action_id),
            event_label=events.label,
        )

    @post("/corrective-actions/{action_id:int}/close", guards=[CAPA_CLOSE])
    async def close_action(self, request: Req, actor: CurrentActor, action_id: PathId) -> Redirect:
        form = await form_data(request)
        await services.close_corrective_action(
            actor,
            action_id,
            form.get("closure_note", ""),
            form.get("effectiveness_check", ""),
            yes_no(form, "effective"),
        )
        return Redirect(path=f"/corrective-actions/{action_id}")
