"""The auditor's workspace: the rubric tree with evidence, reproducible samples, case files and
verdicts — pages under /auditor and their JSON twins under /api/audit.

Viewing: auditors, head-office managers and admins. Drawing samples and recording verdicts: the
auditor (and admin). Auditors stay read-only everywhere else (service_ops.auth).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import Body, QueryParameter
from litestar.response import File, Redirect, Template

from audit_export.period import Period, checked_as_of
from audit_export.rubric import load_rubric
from audit_export.sampling import case_files, events, workspace
from audit_export.sampling.frame import SampleEntity, Stratify
from audit_export.sampling.queries import (
    CaseRead,
    SampleRead,
    SampleSummary,
    get_case,
    get_sample,
    list_samples,
)
from audit_export.services import samples as services
from service_ops import clock
from service_ops import queries as core
from service_ops.auth import CurrentActor, connection_actor, requires
from service_ops.choices import Role
from service_ops.errors import N_, Invalid, NotFound
from service_ops.web import PathId, form_data, page
from tickets import events as ticket_events
from tickets.services.work_orders.files import stored_file
from tickets.tables import WorkOrder

VIEW = requires(Role.AUDITOR, Role.HQ_MANAGER)
DRAW = requires(Role.AUDITOR, write=True)
Req = Request[Any, Any, Any]
DateFrom = Annotated[date | None, QueryParameter(name="from", description="Period start (inclusive)")]
DateTo = Annotated[date | None, QueryParameter(name="to", description="Period end (exclusive)")]


class SampleDraw(msgspec.Struct, kw_only=True):
    """A sample to draw: records of `entity` in the half-open period [from, to)."""

    entity: SampleEntity
    period_from: date = msgspec.field(name="from")
    period_to: date = msgspec.field(name="to")
    size: int
    seed: int | None = None
    stratify_by: Stratify = Stratify.NONE
    item_code: str | None = None


class CaseResult(msgspec.Struct, kw_only=True):
    result: str
    note: str = ""


def _period(start: date | None, end: date | None) -> Period:
    """The given period, or the current month when neither end is given."""
    if start is None and end is None:
        return Period.month(clock.today())
    if start is None or end is None:
        raise Invalid(N_("Give both ends of the period (from and to) or neither."), field="from")
    return Period(start, end)


async def _draw(actor: Any, data: SampleDraw) -> SampleRead:
    return await services.draw_sample(
        actor,
        data.entity.value,
        Period(data.period_from, data.period_to),
        data.size,
        seed=data.seed,
        stratify_by=data.stratify_by.value,
        item_code=data.item_code,
    )


async def _record(actor: Any, sample_id: int, case_id: int, result: str, note: str) -> CaseRead:
    await get_case(sample_id, case_id)  # the case must belong to the sample in the address
    await services.record_case_result(actor, case_id, result, note)
    return await get_case(sample_id, case_id)


class AuditorApi(Controller):
    path = "/api/audit"
    tags = ["audit"]

    @get("/rubric", guards=[VIEW])
    async def rubric(self, start: DateFrom = None, end: DateTo = None) -> workspace.RubricTreeRead:
        return await workspace.rubric_tree(_period(start, end), checked_as_of(None))

    @get("/samples", guards=[VIEW])
    async def list_samples(self) -> list[SampleSummary]:
        return await list_samples()

    @post("/samples", guards=[DRAW])
    async def draw_sample(self, actor: CurrentActor, data: Annotated[SampleDraw, Body()]) -> SampleRead:
        return await _draw(actor, data)

    @get("/samples/{sample_id:int}", guards=[VIEW])
    async def get_sample(self, sample_id: PathId) -> SampleRead:
        return await get_sample(sample_id)

    @get("/samples/{sample_id:int}/cases/{case_id:int}", guards=[VIEW])
    async def case_file(self, sample_id: PathId, case_id: PathId) -> case_files.CaseFile:
        return await case_files.case_file(await get_case(sample_id, case_id))

    @post("/samples/{sample_id:int}/cases/{case_id:int}/result", guards=[DRAW], status_code=200)
    async def record_result(
        self, actor: CurrentActor, sample_id: PathId, case_id: PathId, data: Annotated[CaseResult, Body()]
    ) -> CaseRead:
        return await _record(actor, sample_id, case_id, data.result, data.note)


def _may_draw(request: Req) -> bool:
    actor = connection_actor(request)
    return actor is not None and actor.has_role(Role.AUDITOR)


def _event_label(action: str) -> str:
    return events.label(action) if action.startswith("audit_export.") else ticket_events.label(action)


def _optional_int(raw: str, field: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not (text.lstrip("-").isdigit() and len(text) <= 18):
        raise Invalid(N_("“{value}” is not a whole number."), field=field, value=text[:20])
    return int(text)


def _date(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as error:
        raise Invalid(N_("“{value}” is not a date (YYYY-MM-DD)."), field=field, value=raw[:20]) from error


def _sample_items() -> list[Any]:
    return [item for item in load_rubric().items if "sample" in item.assess]


class AuditorPages(Controller):
    include_in_schema = False

    @get("/auditor", guards=[VIEW])
    async def rubric(self, request: Req, start: DateFrom = None, end: DateTo = None) -> Template:
        tree = await workspace.rubric_tree(_period(start, end), checked_as_of(None))
        return page("audit_export/auditor/rubric.html", request, tree=tree)

    @get("/auditor/samples", guards=[VIEW])
    async def samples(self, request: Req) -> Template:
        month = Period.month(clock.add_months(clock.today().replace(day=1), -1))
        return page(
            "audit_export/auditor/samples.html",
            request,
            samples=await list_samples(),
            may_draw=_may_draw(request),
            entities=list(SampleEntity),
            strata=list(Stratify),
            items=_sample_items(),
            default_period=month,
        )

    @post("/auditor/samples", guards=[DRAW])
    async def draw(self, request: Req, actor: CurrentActor) -> Redirect:
        form = await form_data(request)
        sample = await services.draw_sample(
            actor,
            form.get("entity", ""),
            Period(_date(form.get("from", ""), "from"), _date(form.get("to", ""), "to")),
            _optional_int(form.get("size", ""), "size") or 0,
            seed=_optional_int(form.get("seed", ""), "seed"),
            stratify_by=form.get("stratify_by", "none"),
            item_code=form.get("item_code") or None,
        )
        return Redirect(path=f"/auditor/samples/{sample.id}")

    @get("/auditor/samples/{sample_id:int}", guards=[VIEW])
    async def sample(self, request: Req, sample_id: PathId) -> Template:
        return page(
            "audit_export/auditor/sample.html",
            request,
            sample=await get_sample(sample_id),
            may_draw=_may_draw(request),
            events=await core.audit_events_for("audit_sample", sample_id),
            event_label=_event_label,
        )

    @get("/auditor/samples/{sample_id:int}/cases/{case_id:int}", guards=[VIEW])
    async def case(self, request: Req, sample_id: PathId, case_id: PathId) -> Template:
        file = await case_files.case_file(await get_case(sample_id, case_id))
        return page(
            "audit_export/auditor/case.html",
            request,
            file=file,
            sample=await get_sample(sample_id),
            may_draw=_may_draw(request),
            event_label=_event_label,
        )

    @post("/auditor/samples/{sample_id:int}/cases/{case_id:int}/result", guards=[DRAW])
    async def record_result(
        self, request: Req, actor: CurrentActor, sample_id: PathId, case_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        await _record(actor, sample_id, case_id, form.get("result", ""), form.get("note", ""))
        if form.get("back") == "case":
            return Redirect(path=f"/auditor/samples/{sample_id}/cases/{case_id}")
        return Redirect(path=f"/auditor/samples/{sample_id}#case-{case_id}")

    @get("/auditor/signatures/{work_order_id:int}", guards=[VIEW])
    async def signature(self, work_order_id: PathId) -> File:
        row = await WorkOrder.select(WorkOrder.signature_path).where(WorkOrder.id == work_order_id).first()
        if row is None or not row["signature_path"]:
            raise NotFound(N_("Work order {id} has no signature."), id=work_order_id)
        path: Path = stored_file(row["signature_path"])
        return File(path=path, media_type="image/png", content_disposition_type="inline")


ROUTES: list[type[Controller]] = [AuditorApi, AuditorPages]
