"""Outlets: JSON API (and, in outlets.pages, the HTML pages) over the same services and queries."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, get, patch, post, put
from litestar.params import FromQuery, JSONBody, QueryParameter

from outlets import queries, services
from outlets.pages import OutletPages
from outlets.queries import OutletCandidate, TechnicianOption
from outlets.schemas import (
    CategoriesWrite,
    CoverageWrite,
    InspectionCreate,
    InspectionRead,
    MemberRead,
    MembershipCreate,
    MembershipEnd,
    OutletCreate,
    OutletRead,
    OutletUpdate,
    StatusChange,
)
from service_ops import clock
from service_ops.auth import CurrentActor, requires
from service_ops.choices import ProductCategory, Role
from service_ops.schemas import RegionRead
from service_ops.web import MAX_ID, PathId

READ = requires(*Role)
NETWORK = requires(Role.SERVICE_MANAGER, Role.HQ_MANAGER, write=True)
RegionId = Annotated[int, QueryParameter(ge=1, le=MAX_ID, description="The ticket's region")]


class OutletApi(Controller):
    path = "/api/outlets"
    tags = ["outlets"]

    @get("/", guards=[READ])
    async def list_outlets(self) -> list[OutletRead]:
        return await queries.list_outlets()

    @post("/", guards=[NETWORK])
    async def create_outlet(self, actor: CurrentActor, data: JSONBody[OutletCreate]) -> OutletRead:
        return await queries.get_outlet(await services.create_outlet(actor, data))

    @get("/{outlet_id:int}", guards=[READ])
    async def get_outlet(self, outlet_id: PathId) -> OutletRead:
        return await queries.get_outlet(outlet_id)

    @patch("/{outlet_id:int}", guards=[NETWORK])
    async def update_outlet(
        self, actor: CurrentActor, outlet_id: PathId, data: JSONBody[OutletUpdate]
    ) -> OutletRead:
        await services.update_outlet(actor, outlet_id, data)
        return await queries.get_outlet(outlet_id)

    @put("/{outlet_id:int}/coverage", guards=[NETWORK])
    async def set_coverage(
        self, actor: CurrentActor, outlet_id: PathId, data: JSONBody[CoverageWrite]
    ) -> OutletRead:
        await services.set_coverage(actor, outlet_id, data.region_codes)
        return await queries.get_outlet(outlet_id)

    @put("/{outlet_id:int}/categories", guards=[NETWORK])
    async def set_categories(
        self, actor: CurrentActor, outlet_id: PathId, data: JSONBody[CategoriesWrite]
    ) -> OutletRead:
        await services.set_categories(actor, outlet_id, data.categories)
        return await queries.get_outlet(outlet_id)

    @post("/{outlet_id:int}/activate", guards=[NETWORK])
    async def activate(
        self, actor: CurrentActor, outlet_id: PathId, data: JSONBody[StatusChange]
    ) -> OutletRead:
        await services.activate_outlet(actor, outlet_id, data.reason)
        return await queries.get_outlet(outlet_id)

    @post("/{outlet_id:int}/deactivate", guards=[NETWORK])
    async def deactivate(
        self, actor: CurrentActor, outlet_id: PathId, data: JSONBody[StatusChange]
    ) -> OutletRead:
        await services.deactivate_outlet(actor, outlet_id, data.reason)
        return await queries.get_outlet(outlet_id)

    @get("/{outlet_id:int}/members", guards=[READ])
    async def members(self, outlet_id: PathId) -> list[MemberRead]:
        await queries.get_outlet(outlet_id)
        return await queries.members_of(outlet_id)

    @post("/{outlet_id:int}/members", guards=[NETWORK])
    async def add_member(
        self, actor: CurrentActor, outlet_id: PathId, data: JSONBody[MembershipCreate]
    ) -> dict[str, Any]:
        return {"id": await services.add_member(actor, outlet_id, data)}

    @post("/memberships/{membership_id:int}/end", guards=[NETWORK])
    async def end_membership(
        self, actor: CurrentActor, membership_id: PathId, data: JSONBody[MembershipEnd]
    ) -> dict[str, Any]:
        await services.end_membership(actor, membership_id, data.until)
        return {"id": membership_id}

    @get("/{outlet_id:int}/inspections", guards=[READ])
    async def inspections(self, outlet_id: PathId) -> list[InspectionRead]:
        await queries.get_outlet(outlet_id)
        return await queries.inspections_of(outlet_id)

    @post("/{outlet_id:int}/inspections", guards=[NETWORK])
    async def record_inspection(
        self, actor: CurrentActor, outlet_id: PathId, data: JSONBody[InspectionCreate]
    ) -> InspectionRead:
        return await queries.get_inspection(await services.record_inspection(actor, outlet_id, data))

    @get("/{outlet_id:int}/technicians", guards=[READ])
    async def technicians(
        self, outlet_id: PathId, category: FromQuery[ProductCategory], on: FromQuery[date | None] = None
    ) -> list[TechnicianOption]:
        await queries.get_outlet(outlet_id)
        return await queries.technicians_for(outlet_id, category.value, on or clock.today())

    @get("/ranking", guards=[READ])
    async def ranking(
        self, region_id: RegionId, category: FromQuery[ProductCategory], on: FromQuery[date | None] = None
    ) -> list[OutletCandidate]:
        """Diagnostics: the ranking for a region and category with no open load and no on-time history."""
        return await queries.rank_outlets(region_id, category.value, on or clock.today(), {}, {})

    @get("/uncovered-regions", guards=[READ])
    async def uncovered_regions(self, on: FromQuery[date | None] = None) -> list[RegionRead]:
        return await queries.uncovered_sales_regions(on or clock.today())


ROUTES = [OutletApi, OutletPages]
