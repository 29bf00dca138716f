"""Outlet pages: the network list, one outlet's detail, the coverage gaps, the inspection register."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from outlets import events, queries, services
from outlets.schemas import InspectionCreate
from service_ops import clock
from service_ops import queries as core
from service_ops.auth import CurrentActor, connection_actor, requires
from service_ops.choices import ProductCategory, Role
from service_ops.web import PathId, form_data, page, struct_from_form

READ = requires(*Role)
NETWORK = requires(Role.SERVICE_MANAGER, Role.HQ_MANAGER, write=True)
NETWORK_ROLES = ("service_manager", "hq_manager", "admin")


class OutletPages(Controller):
    include_in_schema = False

    @get("/outlets", guards=[READ])
    async def outlet_list(self, request: Request[Any, Any, Any]) -> Template:
        return page("outlets/outlet_list.html", request, outlets=await queries.list_outlets())

    @get("/outlets/coverage", guards=[READ])
    async def coverage_gaps(self, request: Request[Any, Any, Any]) -> Template:
        today = clock.today()
        return page(
            "outlets/coverage.html",
            request,
            regions=await queries.uncovered_sales_regions(today),
            on=today,
        )

    @get("/outlets/{outlet_id:int}", guards=[READ])
    async def outlet_detail(self, request: Request[Any, Any, Any], outlet_id: PathId) -> Template:
        outlet = await queries.get_outlet(outlet_id)
        return page(
            "outlets/outlet_detail.html",
            request,
            outlet=outlet,
            coverage=await queries.coverage_of(outlet_id),
            members=await queries.members_of(outlet_id),
            inspections=await queries.inspections_of(outlet_id),
            categories=list(ProductCategory),
            category_labels={category.value: category.label for category in ProductCategory},
            role_labels={role.value: role.label for role in Role},
            events=await core.audit_events_for("outlet", outlet_id),
            event_label=events.label,
            today=clock.today(),
            may_write=_may_write(request),
        )

    @get("/outlets/{outlet_id:int}/inspections", guards=[READ])
    async def inspection_register(self, request: Request[Any, Any, Any], outlet_id: PathId) -> Template:
        return page(
            "outlets/inspections.html",
            request,
            outlet=await queries.get_outlet(outlet_id),
            inspections=await queries.inspections_of(outlet_id),
            today=clock.today(),
            may_write=_may_write(request),
        )

    @post("/outlets/{outlet_id:int}/inspections", guards=[NETWORK])
    async def record_inspection(
        self, request: Request[Any, Any, Any], actor: CurrentActor, outlet_id: PathId
    ) -> Redirect:
        data = struct_from_form(InspectionCreate, await form_data(request))
        await services.record_inspection(actor, outlet_id, data)
        return Redirect(path=f"/outlets/{outlet_id}/inspections")

    @post("/outlets/{outlet_id:int}/coverage", guards=[NETWORK])
    async def set_coverage(
        self, request: Request[Any, Any, Any], actor: CurrentActor, outlet_id: PathId
    ) -> Redirect:
        codes = (await form_data(request)).get("region_codes", "").replace(",", " ").split()
        await services.set_coverage(actor, outlet_id, codes)
        return Redirect(path=f"/outlets/{outlet_id}")

    @post("/outlets/{outlet_id:int}/categories", guards=[NETWORK])
    async def set_categories(
        self, request: Request[Any, Any, Any], actor: CurrentActor, outlet_id: PathId
    ) -> Redirect:
        form = await request.form()
        await services.set_categories(
            actor, outlet_id, [str(value) for value in form.getall("categories", [])]
        )
        return Redirect(path=f"/outlets/{outlet_id}")

    @post("/outlets/{outlet_id:int}/status", guards=[NETWORK])
    async def set_status(
        self, request: Request[Any, Any, Any], actor: CurrentActor, outlet_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        if form.get("active") == "yes":
            await services.activate_outlet(actor, outlet_id, form.get("reason", ""))
        else:
            await services.deactivate_outlet(actor, outlet_id, form.get("reason", ""))
        return Redirect(path=f"/outlets/{outlet_id}")


def _may_write(request: Request[Any, Any, Any]) -> bool:
    actor = connection_actor(request)
    return actor is not None and actor.role.value in NETWORK_ROLES
