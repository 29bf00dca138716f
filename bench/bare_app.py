"""The baseline: a bare Litestar app with the measured routes and no database, middleware or auth.

* `POST /api/tickets` decodes and validates the app's own `TicketCreate` struct (same shape, same
  msgspec path) and answers 201 with a small JSON body.
* `GET /field` answers a fixed HTML page of the same size and shape as a technician's job list
  (11 jobs, ~7.6 KB), gzip-compressed like the full app's responses.
* `POST /api/work-orders/{id}/steps` decodes the app's own `StepSubmit` struct and answers 201.

Served exactly like the full app: `uvicorn bench.bare_app:app`.
"""

from __future__ import annotations

import itertools

import msgspec
from litestar import Litestar, MediaType, get, post
from litestar.config.compression import CompressionConfig
from litestar.params import JSONBody

from tickets.field_schemas import StepSubmit
from tickets.schemas import TicketCreate

_ids = itertools.count(1)
JOB = """<article class="job st-assigned" data-job="T20261124{n:05d}-1">
  <a class="open" href="/field/jobs/{n}">
    <span class="top"><strong>杨超晨</strong><span class="badge st">Assigned</span></span>
    <span class="addr">新疆维吾尔自治区昌平市海临区新华街523号2栋3239室</span>
<span class="sla sla-running" data-field="arrival-sla">
Appointment 09:00–11:00  · 剩余 (4 小时 42 分钟)</span>    <span class="muted">维修 · 静享 1匹 变频挂机
<span class="badge ok" data-field="warranty">保内</span>
</span>
  </a>
<a class="call" href="tel:13528745873" aria-label="Call the customer">☎ 13528745873</a></article>
"""
FIELD_PAGE = (
    '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>My jobs · 售后服务</title>\n"
    '<link rel="stylesheet" href="/static/field.css">\n<script src="/static/field.js" defer></script>\n'
    '</head>\n<body class="field">\n<header class="bar"><a class="home" href="/field">My jobs</a></header>\n'
    "<main>\n<h1>Jobs to do <small>2026-11-24</small></h1>\n"
    + "".join(JOB.format(n=692485 + n) for n in range(11))
    + "</main>\n</body>\n</html>\n"
)


class TicketAccepted(msgspec.Struct, kw_only=True):
    id: int
    number: str
    kind: str
    customer_id: int


class StepAccepted(msgspec.Struct, kw_only=True):
    id: int
    status: str


@post("/api/tickets", status_code=201)
async def create_ticket(data: JSONBody[TicketCreate]) -> TicketAccepted:
    ticket_id = next(_ids)
    return TicketAccepted(
        id=ticket_id, number=f"B{ticket_id:013d}", kind=data.kind.value, customer_id=data.customer_id
    )


@get("/field", media_type=MediaType.HTML)
async def field_jobs() -> str:
    return FIELD_PAGE


@post("/api/work-orders/{work_order_id:int}/steps", status_code=201)
async def take_step(work_order_id: int, data: JSONBody[StepSubmit]) -> StepAccepted:
    return StepAccepted(id=work_order_id, status=data.step)


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(
    route_handlers=[create_ticket, field_jobs, take_step, health],
    compression_config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6),
    debug=False,
)
