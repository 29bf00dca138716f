"""Follow-up calls: the queue, recording the outcome, a complaint from a poor score; the loop settings."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post, put
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from service_ops import queries as core
from service_ops.actor import Actor
from service_ops.auth import CurrentActor
from service_ops.choices import Role
from service_ops.web import PathId, form_data, page, struct_from_form
from tickets import events, loop_queries, services
from tickets.choices import ComplaintCategory, ComplaintSeverity
from tickets.loop_controllers.common import (
    FOLLOWUP,
    FOLLOWUP_ROLES,
    READ,
    REGISTER,
    REGISTER_ROLES,
    SETTINGS,
    FollowupState,
    IdempotencyHeader,
    PageNo,
    Req,
    form_key,
    may,
    optional_int,
    yes_no,
)
from tickets.loop_schemas import (
    ComplaintFromFollowup,
    ComplaintRead,
    FollowupRead,
    FollowupRecord,
    LoopSettingsRead,
    LoopSettingsWrite,
)


class FollowupApi(Controller):
    path = "/api"
    tags = ["follow-ups"]

    @get("/followups", guards=[READ])
    async def list_followups(self, which: FollowupState = "pending", page: PageNo = 1) -> list[FollowupRead]:
        return await loop_queries.list_followups(which, page)

    @get("/followups/{followup_id:int}", guards=[READ])
    async def get_followup(self, followup_id: PathId) -> FollowupRead:
        return await loop_queries.get_followup(followup_id)

    @post("/followups/{followup_id:int}/record", guards=[FOLLOWUP])
    async def record(
        self,
        actor: CurrentActor,
        followup_id: PathId,
        data: JSONBody[FollowupRecord],
        idempotency_key: IdempotencyHeader,
    ) -> FollowupRead:
        await services.record_followup(
            actor, followup_id, data.reached, data.score, data.comment, idempotency_key
        )
        return await loop_queries.get_followup(followup_id)

    @post("/followups/{followup_id:int}/complaint", guards=[REGISTER])
    async def complaint(
        self,
        actor: CurrentActor,
        followup_id: PathId,
        data: JSONBody[ComplaintFromFollowup],
        idempotency_key: IdempotencyHeader,
    ) -> ComplaintRead:
        complaint_id = await services.complaint_from_followup(
            actor, followup_id, data.category, data.severity, data.description, idempotency_key
        )
        return await loop_queries.get_complaint(complaint_id)

    @get("/loop-settings", guards=[READ])
    async def loop_settings(self) -> LoopSettingsRead:
        return await loop_queries.settings_read()

    @put("/loop-settings", guards=[SETTINGS])
    async def update_loop_settings(
        self, actor: CurrentActor, data: JSONBody[LoopSettingsWrite]
    ) -> LoopSettingsRead:
        await _save_settings(actor, data)
        return await loop_queries.settings_read()


async def _save_settings(actor: Actor, data: LoopSettingsWrite) -> None:
    await services.update_loop_settings(
        actor,
        data.followup_due_days,
        data.complaint_ack_minutes,
        data.complaint_resolve_minutes,
        data.near_breach_percent,
    )


class FollowupPages(Controller):
    include_in_schema = False

    @get("/followups", guards=[READ])
    async def queue(self, request: Req, which: FollowupState = "pending") -> Template:
        followups = await loop_queries.list_followups(which)
        return page("loop/followups.html", request, followups=followups, state=which)

    @get("/followups/{followup_id:int}", guards=[READ])
    async def detail(self, request: Req, followup_id: PathId) -> Template:
        return page(
            "loop/followup_detail.html",
            request,
            followup=await loop_queries.get_followup(followup_id),
            categories=list(ComplaintCategory),
            severities=list(ComplaintSeverity),
            may_record=may(request, *FOLLOWUP_ROLES),
            may_complain=may(request, *REGISTER_ROLES),
            events=await core.audit_events_for("followup", followup_id),
            event_label=events.label,
            idempotency_key=uuid.uuid4().hex,
        )

    @post("/followups/{followup_id:int}", guards=[FOLLOWUP])
    async def record(self, request: Req, actor: CurrentActor, followup_id: PathId) -> Redirect:
        form = await form_data(request)
        reached = yes_no(form, "reached")
        score = optional_int(form, "score")
        await services.record_followup(
            actor, followup_id, reached, score, form.get("comment", ""), form_key(form)
        )
        return Redirect(path=f"/followups/{followup_id}")

    @post("/followups/{followup_id:int}/complaint", guards=[REGISTER])
    async def complaint(self, request: Req, actor: CurrentActor, followup_id: PathId) -> Redirect:
        form = await form_data(request)
        data = struct_from_form(ComplaintFromFollowup, form)
        complaint_id = await services.complaint_from_followup(
            actor, followup_id, data.category, data.severity, data.description, form_key(form)
        )
        return Redirect(path=f"/complaints/{complaint_id}")

    @get("/loop-settings", guards=[READ])
    async def settings(self, request: Req) -> Template:
        return page(
            "loop/loop_settings.html",
            request,
            settings=await loop_queries.settings_read(),
            may_edit=may(request, Role.SERVICE_MANAGER),
            events=await loop_queries.settings_events(),
            event_label=events.label,
        )

    @post("/loop-settings", guards=[SETTINGS])
    async def update_settings(self, request: Req, actor: CurrentActor) -> Redirect:
        await _save_settings(actor, struct_from_form(LoopSettingsWrite, await form_data(request)))
        return Redirect(path="/loop-settings")
