"""Hotline desk: JSON API and agent pages over the same services."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.params import FromQuery, HeaderParameter, JSONBody, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from service_ops import queries as core
from service_ops.auth import CurrentActor, requires
from service_ops.choices import Role, ServiceClass
from service_ops.errors import Invalid
from service_ops.web import PathId, form_data, page, struct_from_form
from tickets import events, field_queries, queries, services
from tickets.choices import Channel, Priority, TicketKind, TicketStatus, WorkOrderStatus, WorkResult
from tickets.dispatch_controllers import DispatchApi, DispatchPages
from tickets.field_controllers import ROUTES as FIELD_ROUTES
from tickets.loop_controllers import ROUTES as LOOP_ROUTES
from tickets.schemas import (
    CallRead,
    CallRecord,
    CallStart,
    CustomerHistory,
    SlaPolicyRead,
    SlaPolicyWrite,
    TicketCancel,
    TicketCreate,
    TicketFilter,
    TicketRead,
    TicketResolve,
)

READ = requires(*Role)
HOTLINE = requires(Role.AGENT, Role.DISPATCHER, Role.SERVICE_MANAGER, write=True)
SLA_ADMIN = requires(Role.SERVICE_MANAGER, Role.HQ_MANAGER, write=True)
IdempotencyHeader = Annotated[
    str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=100)
]
SearchTerm = Annotated[str, QueryParameter(max_length=100, description="Phone, serial number or name")]


class HotlineApi(Controller):
    path = "/api"
    tags = ["hotline"]

    @get("/call-screen", guards=[READ])
    async def call_screen(self, q: SearchTerm) -> list[CustomerHistory]:
        return await queries.call_screen(q)

    @post("/calls", guards=[HOTLINE])
    async def start_call(self, actor: CurrentActor, data: JSONBody[CallStart]) -> CallRead:
        return await queries.get_call(await services.start_call(actor, data))

    @post("/calls/record", guards=[HOTLINE])
    async def record_call(self, actor: CurrentActor, data: JSONBody[CallRecord]) -> CallRead:
        return await queries.get_call(await services.record_call(actor, data))

    @get("/calls/{call_id:int}", guards=[READ])
    async def get_call(self, call_id: PathId) -> CallRead:
        return await queries.get_call(call_id)

    @post("/calls/{call_id:int}/end", guards=[HOTLINE])
    async def end_call(self, actor: CurrentActor, call_id: PathId) -> CallRead:
        await services.end_call(actor, call_id)
        return await queries.get_call(call_id)

    @get("/tickets", guards=[READ])
    async def list_tickets(
        self,
        status: FromQuery[TicketStatus | None] = None,
        kind: FromQuery[TicketKind | None] = None,
        due: Annotated[str | None, QueryParameter(pattern="^(overdue|due_today|open)$")] = None,
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
    ) -> list[TicketRead]:
        return await queries.list_tickets(TicketFilter(status=status, kind=kind, due=due), page)

    @post("/tickets", guards=[HOTLINE])
    async def create_ticket(
        self, actor: CurrentActor, data: JSONBody[TicketCreate], idempotency_key: IdempotencyHeader
    ) -> TicketRead:
        return await queries.get_ticket(await services.create_ticket(actor, data, idempotency_key))

    @get("/tickets/{ticket_id:int}", guards=[READ])
    async def get_ticket(self, ticket_id: PathId) -> TicketRead:
        return await queries.get_ticket(ticket_id)

    @get("/tickets/by-number/{number:str}", guards=[READ])
    async def ticket_by_number(self, number: Annotated[str, PathParameter(max_length=40)]) -> TicketRead:
        return await queries.get_ticket_by_number(number)

    @post("/tickets/{ticket_id:int}/first-response", guards=[HOTLINE])
    async def first_response(self, actor: CurrentActor, ticket_id: PathId) -> TicketRead:
        await services.record_first_response(actor, ticket_id)
        return await queries.get_ticket(ticket_id)

    @post("/tickets/{ticket_id:int}/resolve", guards=[HOTLINE])
    async def resolve(
        self, actor: CurrentActor, ticket_id: PathId, data: JSONBody[TicketResolve]
    ) -> TicketRead:
        await services.resolve_ticket(actor, ticket_id, data.resolution)
        return await queries.get_ticket(ticket_id)

    @post("/tickets/{ticket_id:int}/cancel", guards=[HOTLINE])
    async def cancel(
        self, actor: CurrentActor, ticket_id: PathId, data: JSONBody[TicketCancel]
    ) -> TicketRead:
        await services.cancel_ticket(actor, ticket_id, data.reason)
        return await queries.get_ticket(ticket_id)

    @get("/sla-policies", guards=[READ])
    async def policies(self, request: Request[Any, Any, Any]) -> Template:
        return await _policies_page(request, editing=None)

    @get("/sla-policies/{policy_id:int}", guards=[READ])
    async def edit_policy(self, request: Request[Any, Any, Any], policy_id: PathId) -> Template:
        return await _policies_page(request, editing=await queries.get_sla_policy(policy_id))

    @post("/sla-policies", guards=[SLA_ADMIN])
    async def create_policy(self, actor: CurrentActor, data: JSONBody[SlaPolicyWrite]) -> SlaPolicyRead:
        return await queries.get_sla_policy(await services.create_sla_policy(actor, data))

    @put("/sla-policies/{policy_id:int}", guards=[SLA_ADMIN])
    async def update_policy(
        self, actor: CurrentActor, policy_id: PathId, data: JSONBody[SlaPolicyWrite]
    ) -> SlaPolicyRead:
        await services.update_sla_policy(actor, policy_id, data)
        return await queries.get_sla_policy(policy_id)


async def _ticket_trail(ticket_id: int, work_order_ids: list[int]) -> list[dict[str, Any]]:
    """The ticket's own events and its visits', in the order they happened."""
    trail = await core.audit_events_for("ticket", ticket_id)
    for work_order_id in work_order_ids:
        trail += await core.audit_events_for("work_order", work_order_id)
    return sorted(trail, key=lambda event: event["seq"])


class HotlinePages(Controller):
    include_in_schema = False

    @get("/calls", guards=[READ])
    async def call_screen(self, request: Request[Any, Any, Any], q: SearchTerm = "") -> Template:
        results = await queries.call_screen(q) if q.strip() else []
        return page("tickets/call_screen.html", request, q=q, results=results)

    @post("/calls", guards=[HOTLINE])
    async def start_call(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        data = struct_from_form(CallStart, await form_data(request))
        return Redirect(path=f"/calls/{await services.start_call(actor, data)}")

    @get("/calls/{call_id:int}", guards=[READ])
    async def call_detail(self, request: Request[Any, Any, Any], call_id: PathId) -> Template:
        call = await queries.get_call(call_id)
        if call.customer_id is not None:
            callers = [await queries.customer_history(call.customer_id)]
        else:
            callers = await queries.call_screen(call.phone)
        return page(
            "tickets/call_detail.html",
            request,
            call=call,
            callers=callers,
            tickets=await queries.tickets_of_call(call_id),
            kinds=list(TicketKind),
            priorities=list(Priority),
            idempotency_key=uuid.uuid4().hex,
        )

    @post("/calls/{call_id:int}/end", guards=[HOTLINE])
    async def end_call(
        self, request: Request[Any, Any, Any], actor: CurrentActor, call_id: PathId
    ) -> Redirect:
        await services.end_call(actor, call_id, (await form_data(request)).get("notes", ""))
        return Redirect(path=f"/calls/{call_id}")

    @post("/calls/{call_id:int}/tickets", guards=[HOTLINE])
    async def open_ticket(
        self, request: Request[Any, Any, Any], actor: CurrentActor, call_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        data = struct_from_form(TicketCreate, form, call_id=call_id, channel=Channel.PHONE.value)
        ticket_id = await services.create_ticket(actor, data, form.get("idempotency_key") or None)
        return Redirect(path=f"/tickets/{ticket_id}")

    @get("/tickets", guards=[READ])
    async def ticket_list(
        self,
        request: Request[Any, Any, Any],
        status: FromQuery[TicketStatus | None] = None,
        kind: FromQuery[TicketKind | None] = None,
        due: Annotated[str | None, QueryParameter(max_length=20)] = None,
    ) -> Template:
        filters = TicketFilter(status=status, kind=kind, due=due)
        return page(
            "tickets/ticket_list.html",
            request,
            tickets=await queries.list_tickets(filters),
            filters=filters,
            statuses=list(TicketStatus),
            kinds=list(TicketKind),
        )

    @get("/tickets/{ticket_id:int}", guards=[READ])
    async def ticket_detail(self, request: Request[Any, Any, Any], ticket_id: PathId) -> Template:
        ticket = await queries.get_ticket(ticket_id)
        visits = await field_queries.visits_of_ticket(ticket_id)
        return page(
            "tickets/ticket_detail.html",
            request,
            ticket=ticket,
            customer=await core.get_customer(ticket.customer_id),
            unit=await core.get_unit(ticket.unit_id) if ticket.unit_id else None,
            visits=visits,
            statuses=WorkOrderStatus,
            results=WorkResult,
            events=await _ticket_trail(ticket_id, [visit["id"] for visit in visits]),
            event_label=events.label,
        )

    @post("/tickets/{ticket_id:int}/first-response", guards=[HOTLINE])
    async def first_response(self, actor: CurrentActor, ticket_id: PathId) -> Redirect:
        await services.record_first_response(actor, ticket_id)
        return Redirect(path=f"/tickets/{ticket_id}")

    @post("/tickets/{ticket_id:int}/resolve", guards=[HOTLINE])
    async def resolve(
        self, request: Request[Any, Any, Any], actor: CurrentActor, ticket_id: PathId
    ) -> Redirect:
        await services.resolve_ticket(actor, ticket_id, (await form_data(request)).get("resolution", ""))
        return Redirect(path=f"/tickets/{ticket_id}")

    @post("/tickets/{ticket_id:int}/cancel", guards=[HOTLINE])
    async def cancel(
        self, request: Request[Any, Any, Any], actor: CurrentActor, ticket_id: PathId
    ) -> Redirect:
        await services.cancel_ticket(actor, ticket_id, (await form_data(request)).get("reason", ""))
        return Redirect(path=f"/tickets/{ticket_id}")

    @get("/sla-policies", guards=[READ])
    async def policies(self, request: Request[Any, Any, Any]) -> Template:
        return page(
            "tickets/sla_policies.html",
            request,
            policies=await queries.list_sla_policies(),
            kinds=list(TicketKind),
            priorities=list(Priority),
            classes=list(ServiceClass),
            editing=None,
        )

    @get("/sla-policies/{policy_id:int}", guards=[READ])
    async def edit_policy(self, request: Request[Any, Any, Any], policy_id: PathId) -> Template:
        return page(
            "tickets/sla_policies.html",
            request,
            policies=await queries.list_sla_policies(),
            kinds=list(TicketKind),
            priorities=list(Priority),
            classes=list(ServiceClass),
            editing=await queries.get_sla_policy(policy_id),
        )

    @post("/sla-policies", guards=[SLA_ADMIN])
    async def create_policy(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        data = struct_from_form(SlaPolicyWrite, _policy_form(await form_data(request)))
        await services.create_sla_policy(actor, data)
        return Redirect(path="/sla-policies")

    @post("/sla-policies/{policy_id:int}", guards=[SLA_ADMIN])
    async def update_policy(
        self, request: Request[Any, Any, Any], actor: CurrentActor, policy_id: PathId
    ) -> Redirect:
        data = struct_from_form(SlaPolicyWrite, _policy_form(await form_data(request)))
        await services.update_sla_policy(actor, policy_id, data)
        return Redirect(path="/sla-policies")


async def _policies_page(request: Request[Any, Any, Any], editing: SlaPolicyRead | None) -> Template:
    """The policy table with the form for a new policy, or for the one being edited."""
    return page(
        "tickets/sla_policies.html",
        request,
        policies=await queries.list_sla_policies(),
        editing=editing,
        kinds=list(TicketKind),
        priorities=list(Priority),
        classes=list(ServiceClass),
    )


def _policy_form(form: dict[str, str]) -> dict[str, Any]:
    """Hours on the page, minutes in the model; the active box is absent when unticked."""
    values: dict[str, Any] = {k: v for k, v in form.items() if not k.endswith("_hours")}
    for name in ("response", "arrival", "resolve", "accept"):
        hours = form.get(f"{name}_hours", "").strip()
        if hours:
            try:
                values[f"{name}_minutes"] = round(float(hours) * 60)
            except ValueError as error:
                raise Invalid("Hours must be a number.", field=f"{name}_hours") from error
    values["is_active"] = form.get("is_active") == "on"
    return values


ROUTES = [HotlineApi, HotlinePages, DispatchApi, DispatchPages, *FIELD_ROUTES, *LOOP_ROUTES]
