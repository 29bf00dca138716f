"""Outlet API (the full network pages arrive with dispatch)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import JSONBody

from outlets import queries, services
from outlets.schemas import MembershipCreate, OutletCreate, OutletRead
from service_ops.auth import CurrentActor, requires
from service_ops.choices import Role
from service_ops.web import PathId


class OutletApi(Controller):
    path = "/api/outlets"
    tags = ["outlets"]

    @get("/", guards=[requires(*Role)])
    async def list_outlets(self) -> list[OutletRead]:
        return await queries.list_outlets()

    @post("/", guards=[requires(Role.SERVICE_MANAGER, Role.HQ_MANAGER, write=True)])
    async def create_outlet(self, actor: CurrentActor, data: JSONBody[OutletCreate]) -> dict[str, int]:
        return {"id": await services.create_outlet(actor, data)}

    @post("/{outlet_id:int}/members", guards=[requires(Role.SERVICE_MANAGER, Role.HQ_MANAGER, write=True)])
    async def add_member(
        self, actor: CurrentActor, outlet_id: PathId, data: JSONBody[MembershipCreate]
    ) -> dict[str, Any]:
        return {"id": await services.add_member(actor, outlet_id, data)}


ROUTES = [OutletApi]
