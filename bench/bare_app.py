"""The baseline: a bare Litestar app with `POST /api/tickets` and no database, middleware or auth.

It decodes and validates the app's own `TicketCreate` struct (same shape, same msgspec path) and
answers 201 with a small JSON body. Served exactly like the full app: `uvicorn bench.bare_app:app`.
"""

from __future__ import annotations

import itertools

import msgspec
from litestar import Litestar, get, post
from litestar.params import JSONBody

from tickets.schemas import TicketCreate

_ids = itertools.count(1)


class TicketAccepted(msgspec.Struct, kw_only=True):
    id: int
    number: str
    kind: str
    customer_id: int


@post("/api/tickets", status_code=201)
async def create_ticket(data: JSONBody[TicketCreate]) -> TicketAccepted:
    ticket_id = next(_ids)
    return TicketAccepted(
        id=ticket_id, number=f"B{ticket_id:013d}", kind=data.kind.value, customer_id=data.customer_id
    )


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[create_ticket, health], debug=False)
