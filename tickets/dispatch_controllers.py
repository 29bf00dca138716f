"""Dispatch: the dispatcher's queue and ranking, the outlet manager's queue (JSON API and pages)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from outlets import queries as outlet_queries
from service_ops import clock
from service_ops.auth import CurrentActor, requires
from service_ops.choices import Role
from service_ops.errors import Invalid, NotFound
from service_ops.web import PathId, form_data, page
from tickets import dispatch_queries, queries, services
from tickets.schemas import (
    CandidateRead,
    DispatchRefusal,
    DispatchTo,
    TechnicianAssignment,
    TechnicianRead,
    TicketRead,
)
from tickets.services.dispatch import rank_for_ticket, reason_texts
from tickets.tables import Ticket

READ = requires(*Role)
DISPATCH = requires(Role.DISPATCHER, Role.SERVICE_MANAGER, Role.HQ_MANAGER, write=True)
OUTLET = requires(Role.OUTLET_MANAGER, Role.SERVICE_MANAGER, Role.HQ_MANAGER, write=True)
OUTLET_READ = requires(Role.OUTLET_MANAGER, Role.SERVICE_MANAGER, Role.HQ_MANAGER, Role.DISPATCHER)


async def candidates(ticket_id: int) -> list[CandidateRead]:
    """The ranking of a ticket, reasons in the reader's language; the first eligible is suggested."""
    ticket = await Ticket.objects().get(Ticket.id == ticket_id)
    if ticket is None:
        raise NotFound("Ticket {id} not found.", id=ticket_id)
    ranking = await rank_for_ticket(ticket)
    first_eligible = next((c.outlet_id for c in ranking if c.eligible), None)
    return [
        CandidateRead(
            outlet_id=c.outlet_id,
            code=c.code,
            name=c.name,
            eligible=c.eligible,
            suggested=c.outlet_id == first_eligible,
            score=round(c.score, 3),
            load=c.load,
            capacity=c.capacity,
            on_time_rate=c.on_time_rate,
            qualified_technicians=c.qualified_technicians,
            reasons=reason_texts(c),
        )
        for c in ranking
    ]


async def technicians(ticket_id: int) -> list[TechnicianRead]:
    ticket = await queries.get_ticket(ticket_id)
    category = await dispatch_queries.ticket_category(ticket_id)
    if ticket.outlet_id is None or category is None:
        return []
    options = await outlet_queries.technicians_for(ticket.outlet_id, category, clock.today())
    return [
        TechnicianRead(user_id=o.user_id, name=o.name, qualified=o.qualified, missing=o.missing)
        for o in options
    ]


class DispatchApi(Controller):
    path = "/api"
    tags = ["dispatch"]

    @get("/dispatch/queue", guards=[READ])
    async def queue(self) -> list[TicketRead]:
        return await dispatch_queries.dispatch_queue()

    @get("/tickets/{ticket_id:int}/candidates", guards=[READ])
    async def candidates(self, ticket_id: PathId) -> list[CandidateRead]:
        return await candidates(ticket_id)

    @post("/tickets/{ticket_id:int}/dispatch", guards=[DISPATCH])
    async def dispatch(
        self, actor: CurrentActor, ticket_id: PathId, data: JSONBody[DispatchTo]
    ) -> TicketRead:
        await services.dispatch_ticket(actor, ticket_id, data.outlet_id)
        return await queries.get_ticket(ticket_id)

    @post("/tickets/{ticket_id:int}/auto-dispatch", guards=[DISPATCH])
    async def auto_dispatch(self, actor: CurrentActor, ticket_id: PathId) -> TicketRead:
        await services.auto_dispatch(actor, ticket_id)
        return await queries.get_ticket(ticket_id)

    @get("/outlet-queue", guards=[OUTLET_READ])
    async def outlet_queue(self, actor: CurrentActor) -> list[TicketRead]:
        return await dispatch_queries.outlet_queue(sorted(actor.outlet_ids))

    @post("/tickets/{ticket_id:int}/accept", guards=[OUTLET])
    async def accept(self, actor: CurrentActor, ticket_id: PathId) -> TicketRead:
        await services.accept_dispatch(actor, ticket_id)
        return await queries.get_ticket(ticket_id)

    @post("/tickets/{ticket_id:int}/refuse", guards=[OUTLET])
    async def refuse(
        self, actor: CurrentActor, ticket_id: PathId, data: JSONBody[DispatchRefusal]
    ) -> TicketRead:
        await services.refuse_dispatch(actor, ticket_id, data.reason)
        return await queries.get_ticket(ticket_id)

    @get("/tickets/{ticket_id:int}/technicians", guards=[READ])
    async def technicians(self, ticket_id: PathId) -> list[TechnicianRead]:
        return await technicians(ticket_id)

    @post("/tickets/{ticket_id:int}/assign", guards=[OUTLET])
    async def assign(
        self, actor: CurrentActor, ticket_id: PathId, data: JSONBody[TechnicianAssignment]
    ) -> TicketRead:
        await services.assign_technician(actor, ticket_id, data.technician_id, data.override_reason)
        return await queries.get_ticket(ticket_id)


class DispatchPages(Controller):
    include_in_schema = False

    @get("/dispatch", guards=[READ])
    async def queue(self, request: Request[Any, Any, Any]) -> Template:
        return page("tickets/dispatch_queue.html", request, tickets=await dispatch_queries.dispatch_queue())

    @get("/dispatch/{ticket_id:int}", guards=[READ])
    async def ranking(self, request: Request[Any, Any, Any], ticket_id: PathId) -> Template:
        return page(
            "tickets/dispatch_ticket.html",
            request,
            ticket=await queries.get_ticket(ticket_id),
            candidates=await candidates(ticket_id),
            history=await dispatch_queries.dispatch_history(ticket_id),
            idempotency_key=uuid.uuid4().hex,
        )

    @post("/dispatch/{ticket_id:int}", guards=[DISPATCH])
    async def dispatch(
        self, request: Request[Any, Any, Any], actor: CurrentActor, ticket_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        try:
            outlet_id = int(form.get("outlet_id", ""))
        except ValueError as error:
            raise Invalid("Choose an outlet.", field="outlet_id") from error
        await services.dispatch_ticket(actor, ticket_id, outlet_id, form.get("idempotency_key") or None)
        return Redirect(path="/dispatch")

    @get("/outlet-queue", guards=[OUTLET_READ])
    async def outlet_queue(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Template:
        tickets = await dispatch_queries.outlet_queue(sorted(actor.outlet_ids))
        options = {
            t.id: await technicians(t.id)
            for t in tickets
            if t.status.value == "accepted" and not t.technician_id
        }
        return page("tickets/outlet_queue.html", request, tickets=tickets, technicians=options)

    @get("/outlets/{outlet_id:int}/jobs", guards=[READ])
    async def outlet_jobs(self, request: Request[Any, Any, Any], outlet_id: PathId) -> Template:
        """One outlet's open jobs, read-only (linked from the outlet's page)."""
        outlet = await outlet_queries.get_outlet(outlet_id)
        tickets = await dispatch_queries.outlet_queue([outlet_id])
        return page(
            "tickets/outlet_queue.html",
            request,
            tickets=tickets,
            technicians={},
            outlet=outlet,
            read_only=True,
        )

    @post("/tickets/{ticket_id:int}/accept", guards=[OUTLET])
    async def accept(self, actor: CurrentActor, ticket_id: PathId) -> Redirect:
        await services.accept_dispatch(actor, ticket_id)
        return Redirect(path="/outlet-queue")

    @post("/tickets/{ticket_id:int}/refuse", guards=[OUTLET])
    async def refuse(
        self, request: Request[Any, Any, Any], actor: CurrentActor, ticket_id: PathId
    ) -> Redirect:
        await services.refuse_dispatch(actor, ticket_id, (await form_data(request)).get("reason", ""))
        return Redirect(path="/outlet-queue")

    @post("/tickets/{ticket_id:int}/assign", guards=[OUTLET])
    async def assign(
        self, request: Request[Any, Any, Any], actor: CurrentActor, ticket_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        try:
            technician_id = int(form.get("technician_id", ""))
        except ValueError as error:
            raise Invalid("Choose a technician.", field="technician_id") from error
        await services.assign_technician(actor, ticket_id, technician_id, form.get("override_reason") or None)
        return Redirect(path="/outlet-queue")
