"""三包 requests and rules: register, request, decide; the rules page."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post, put
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from service_ops import queries as core
from service_ops.auth import CurrentActor
from service_ops.choices import Role
from service_ops.web import PathId, form_data, page, struct_from_form
from tickets import events, loop_queries, queries, services
from tickets.choices import GuaranteeKind
from tickets.guarantee_rules import DEFAULT_RULES, GuaranteeDecision
from tickets.loop_controllers.common import (
    GUARANTEE_REQUEST,
    GUARANTEE_RULES,
    MANAGE,
    MANAGER_ROLES,
    READ,
    IdempotencyHeader,
    Lookup,
    OptionalId,
    PageNo,
    Req,
    form_key,
    may,
)
from tickets.loop_schemas import (
    GuaranteeCreate,
    GuaranteeDecisionWrite,
    GuaranteeRead,
    GuaranteeRuleRead,
    GuaranteeRuleWrite,
)


def _rule_label(action: str) -> str:
    return events.label(action)


class GuaranteeApi(Controller):
    path = "/api"
    tags = ["三包"]

    @get("/guarantees", guards=[READ])
    async def list_requests(self, page: PageNo = 1) -> list[GuaranteeRead]:
        return await loop_queries.list_guarantees(page)

    @post("/guarantees", guards=[GUARANTEE_REQUEST])
    async def request_guarantee(
        self, actor: CurrentActor, data: JSONBody[GuaranteeCreate], idempotency_key: IdempotencyHeader
    ) -> GuaranteeRead:
        return await loop_queries.get_guarantee(
            await services.request_guarantee(actor, data, idempotency_key)
        )

    @get("/guarantees/{request_id:int}", guards=[READ])
    async def get_request(self, request_id: PathId) -> GuaranteeRead:
        return await loop_queries.get_guarantee(request_id)

    @post("/guarantees/{request_id:int}/decide", guards=[MANAGE])
    async def decide(
        self, actor: CurrentActor, request_id: PathId, data: JSONBody[GuaranteeDecisionWrite]
    ) -> GuaranteeRead:
        await services.decide_guarantee(actor, request_id, data.decision, data.note)
        return await loop_queries.get_guarantee(request_id)

    @get("/guarantee-rules", guards=[READ])
    async def list_rules(self) -> list[GuaranteeRuleRead]:
        return await loop_queries.list_guarantee_rules()

    @post("/guarantee-rules", guards=[GUARANTEE_RULES])
    async def create_rule(self, actor: CurrentActor, data: JSONBody[GuaranteeRuleWrite]) -> GuaranteeRuleRead:
        return await loop_queries.get_guarantee_rule(await services.create_guarantee_rule(actor, data))

    @put("/guarantee-rules/{rule_id:int}", guards=[GUARANTEE_RULES])
    async def update_rule(
        self, actor: CurrentActor, rule_id: PathId, data: JSONBody[GuaranteeRuleWrite]
    ) -> GuaranteeRuleRead:
        await services.update_guarantee_rule(actor, rule_id, data)
        return await loop_queries.get_guarantee_rule(rule_id)


class GuaranteePages(Controller):
    include_in_schema = False

    @get("/guarantees", guards=[READ])
    async def register(self, request: Req) -> Template:
        return page(
            "loop/guarantees.html",
            request,
            requests=await loop_queries.list_guarantees(),
            may_request=may(request, Role.AGENT, Role.SERVICE_MANAGER),
        )

    @get("/guarantees/new", guards=[READ])
    async def new(self, request: Req, q: Lookup = "") -> Template:
        return page(
            "loop/guarantee_new.html",
            request,
            q=q,
            callers=await queries.call_screen(q) if q.strip() else [],
            kinds=list(GuaranteeKind),
            idempotency_key=uuid.uuid4().hex,
        )

    @post("/guarantees", guards=[GUARANTEE_REQUEST])
    async def request_guarantee(self, request: Req, actor: CurrentActor) -> Redirect:
        form = await form_data(request)
        request_id = await services.request_guarantee(
            actor, struct_from_form(GuaranteeCreate, form), form_key(form)
        )
        return Redirect(path=f"/guarantees/{request_id}")

    @get("/guarantees/{request_id:int}", guards=[READ])
    async def detail(self, request: Req, request_id: PathId) -> Template:
        return page(
            "loop/guarantee_detail.html",
            request,
            item=await loop_queries.get_guarantee(request_id),
            decisions=list(GuaranteeDecision),
            may_decide=may(request, *MANAGER_ROLES),
            events=await core.audit_events_for("guarantee_request", request_id),
            event_label=events.label,
        )

    @post("/guarantees/{request_id:int}/decide", guards=[MANAGE])
    async def decide(self, request: Req, actor: CurrentActor, request_id: PathId) -> Redirect:
        form = await form_data(request)
        await services.decide_guarantee(actor, request_id, form.get("decision", ""), form.get("note", ""))
        return Redirect(path=f"/guarantees/{request_id}")

    @get("/guarantees/rules", guards=[READ])
    async def rules(self, request: Req, edit: OptionalId = None) -> Template:
        rows = await loop_queries.list_guarantee_rules()
        editing = next((rule for rule in rows if rule.id == edit), None)
        return page(
            "loop/guarantee_rules.html",
            request,
            rules=rows,
            configured=any(rule.is_active for rule in rows),
            defaults=DEFAULT_RULES,
            editing=editing,
            events=await core.audit_events_for("guarantee_rule", editing.id) if editing else [],
            kinds=list(GuaranteeKind),
            may_edit=may(request, Role.SERVICE_MANAGER),
            event_label=_rule_label,
        )

    @post("/guarantees/rules", guards=[GUARANTEE_RULES])
    async def create_rule(self, request: Req, actor: CurrentActor) -> Redirect:
        await services.create_guarantee_rule(actor, _rule_form(await form_data(request)))
        return Redirect(path="/guarantees/rules")

    @post("/guarantees/rules/{rule_id:int}", guards=[GUARANTEE_RULES])
    async def update_rule(self, request: Req, actor: CurrentActor, rule_id: PathId) -> Redirect:
        await services.update_guarantee_rule(actor, rule_id, _rule_form(await form_data(request)))
        return Redirect(path="/guarantees/rules")


def _rule_form(form: dict[str, str]) -> GuaranteeRuleWrite:
    """The active box is absent when unticked."""
    rule: GuaranteeRuleWrite = struct_from_form(
        GuaranteeRuleWrite, form, is_active=form.get("is_active") == "on"
    )
    return rule
