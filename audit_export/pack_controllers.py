"""Evidence packs: the page (/evidence-packs: request a pack, watch its progress, download it)
and its JSON twin (/api/evidence-packs). Every download is audited."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import JSONBody
from litestar.response import File, Redirect, Template

from audit_export.pack.queries import EvidencePackRead, get_pack, list_packs
from audit_export.period import Period
from audit_export.services import packs
from service_ops.auth import CurrentActor, requires
from service_ops.errors import N_, Invalid
from service_ops.web import PathId, form_data, page

READ = requires(*packs.ROLES)
REQUEST = requires(*packs.ROLES, write=True)
ZIP = "application/zip"


class PackRequest(msgspec.Struct, kw_only=True, rename={"period_from": "from", "period_to": "to"}):
    period_from: date
    period_to: date
    """Exclusive end: the period is [from, to)."""
    as_of: datetime | None = None


def _parse(value: str, kind: type[date] | type[datetime], field: str) -> Any:
    try:
        return kind.fromisoformat(value.strip())
    except ValueError as error:
        raise Invalid(N_("{value} is not a valid date or time."), field=field, value=value) from error


def _from_form(fields: dict[str, str]) -> PackRequest:
    if not fields.get("from") or not fields.get("to"):
        raise Invalid(N_("Give the first day of the period and the day after its last."), field="from")
    as_of = fields.get("as_of", "").strip()
    return PackRequest(
        period_from=_parse(fields["from"], date, "from"),
        period_to=_parse(fields["to"], date, "to"),
        as_of=_parse(as_of, datetime, "as_of") if as_of else None,
    )


async def _request(actor: Any, data: PackRequest) -> EvidencePackRead:
    pack = await packs.request_pack(actor, Period(data.period_from, data.period_to), data.as_of)
    return await get_pack(int(pack.id))


async def _download(actor: Any, pack_id: int) -> File:
    path = await packs.record_download(actor, pack_id)
    return File(path=path, media_type=ZIP, filename=path.name, content_disposition_type="attachment")


class EvidencePackApi(Controller):
    path = "/api/evidence-packs"
    tags = ["audit"]

    @get("", guards=[READ])
    async def list_packs(self) -> list[EvidencePackRead]:
        return await list_packs()

    @get("/{pack_id:int}", guards=[READ])
    async def get_pack(self, pack_id: PathId) -> EvidencePackRead:
        return await get_pack(pack_id)

    @post("", guards=[REQUEST], status_code=202)
    async def request_pack(self, data: JSONBody[PackRequest], actor: CurrentActor) -> EvidencePackRead:
        """Queue a pack for [from, to) as of `as_of` (default now); the pack already in flight for
        the period is returned instead of a second one. Poll it for its progress."""
        return await _request(actor, data)

    @get("/{pack_id:int}/file", guards=[READ], media_type=ZIP)
    async def download(self, pack_id: PathId, actor: CurrentActor) -> File:
        return await _download(actor, pack_id)


class EvidencePackPages(Controller):
    include_in_schema = False

    @get("/evidence-packs", guards=[READ])
    async def packs_page(self, request: Request[Any, Any, Any]) -> Template:
        listed = await list_packs()
        return page(
            "audit_export/packs/packs.html",
            request,
            packs=listed,
            in_flight=any(pack.status in ("queued", "running") for pack in listed),
        )

    @post("/evidence-packs", guards=[REQUEST])
    async def request_pack(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        await _request(actor, _from_form(await form_data(request)))
        return Redirect(path="/evidence-packs", status_code=303)

    @get("/evidence-packs/{pack_id:int}/download", guards=[READ], media_type=ZIP)
    async def download(self, pack_id: PathId, actor: CurrentActor) -> File:
        return await _download(actor, pack_id)


ROUTES = [EvidencePackApi, EvidencePackPages]
