"""The self-assessment page (/self-assessment) and its JSON twin: every rubric item with its
weight, earned points and evidence, the score and grade, the prerequisites and "what would it
take"; forms to load a score sheet (service managers) and to record findings (auditors)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from audit_export.period import Period, checked_as_of
from audit_export.rubric import load_rubric
from audit_export.scoring.model import Assessment, FindingKind
from audit_export.scoring.score import assess
from audit_export.services import findings, score_sheets, snapshots
from audit_export.tables import AuditFinding, KpiSnapshot, ScoreSheet
from service_ops import clock
from service_ops.auth import CurrentActor, requires
from service_ops.choices import Role
from service_ops.documents.forms import split_upload
from service_ops.errors import N_, Invalid, NotFound
from service_ops.i18n import gettext
from service_ops.web import PathId, form_data, page

FromDate = Annotated[date | None, QueryParameter(name="from", required=False)]
ToDate = Annotated[date | None, QueryParameter(name="to", required=False)]
READ = requires(*Role)
LOAD_SHEET = requires(Role.SERVICE_MANAGER, write=True)
CLOSE = requires(*snapshots.ROLES, write=True)
FROZEN_SHOWN = 24
AUDIT = requires(Role.AUDITOR)
"""Auditors pass a read guard; the service checks the role again (admin always may)."""

STATE_LABELS = {
    "met": N_("Met"),
    "not_met": N_("Not met"),
    "no_value": N_("No value (not met)"),
    "not_scored": N_("Shown, not scored"),
    "current": N_("Current"),
    "missing": N_("Missing evidence"),
    "present": N_("Records in the period"),
    "not_kept": N_("Not kept in the system"),
    "not_sampled": N_("Not sampled"),
    "nonconformity": N_("Nonconformity"),
    "not_applicable": N_("Not applicable"),
    "applicable": N_("Applicable"),
}
KIND_LABELS = {
    FindingKind.NONCONFORMITY: N_("Nonconformity on an item"),
    FindingKind.SPECIAL_DEDUCTION: N_("Special deduction (−1)"),
    FindingKind.SPECIAL_BONUS: N_("Special bonus (+1, at most one)"),
    FindingKind.NOT_APPLICABLE: N_("Item not applicable"),
    FindingKind.APPLICABLE: N_("Item applicable (the rubric leaves it out by default)"),
}


def _period(start: date | None, end: date | None) -> Period:
    """The period asked for; the current month when none is given."""
    if start is None and end is None:
        return Period.month(clock.today())
    if start is None or end is None:
        raise Invalid(N_("Give both ends of the period (from and to)."), field="from")
    return Period(start, end)


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    return {
        "period": assessment.period.as_json(),
        "as_of": assessment.as_of.isoformat(),
        "rubric_version": assessment.rubric_version,
        "score_sheet_version": assessment.score_sheet_version,
        "grade_scheme": assessment.grade_scheme,
        "kpis": assessment.kpis_json(),
        "items": assessment.items_json(),
        "score": assessment.score,
        "grade": assessment.grade,
        "grade_reason": gettext(assessment.grade_reason.text, **assessment.grade_reason.params),
        "prerequisites": {check.code: check.met for check in assessment.prerequisites},
        "what_would_it_take": [{"code": gain.code, "points": gain.points} for gain in assessment.gains],
        "next_grade": None
        if assessment.next_grade is None
        else {"label": assessment.next_grade.label, "gap": assessment.next_grade.gap},
    }


class SelfAssessmentApi(Controller):
    path = "/api/self-assessment"
    tags = ["audit"]

    @get("", guards=[READ])
    async def self_assessment(self, start: FromDate = None, end: ToDate = None) -> dict[str, Any]:
        return assessment_json(await assess(_period(start, end), checked_as_of(None)))


async def _findings() -> list[dict[str, Any]]:
    return list(
        await AuditFinding.select(
            AuditFinding.id,
            AuditFinding.kind,
            AuditFinding.item_code,
            AuditFinding.note,
            AuditFinding.recorded_at,
            AuditFinding.recorded_by.display_name,
        )
        .where(AuditFinding.withdrawn_at.is_null())
        .order_by(AuditFinding.id)
    )


async def _sheets() -> list[dict[str, Any]]:
    return list(
        await ScoreSheet.select(
            ScoreSheet.version,
            ScoreSheet.name,
            ScoreSheet.filename,
            ScoreSheet.grade_scheme,
            ScoreSheet.loaded_at,
            ScoreSheet.loaded_by.display_name,
        ).order_by(ScoreSheet.version, ascending=False)
    )


async def _frozen() -> list[dict[str, Any]]:
    return list(
        await KpiSnapshot.select(
            KpiSnapshot.id, KpiSnapshot.period_from, KpiSnapshot.as_of, KpiSnapshot.score, KpiSnapshot.grade
        )
        .where(KpiSnapshot.kind == snapshots.FROZEN_KIND)
        .order_by(KpiSnapshot.period_from, ascending=False)
        .limit(FROZEN_SHOWN)
    )


class SelfAssessmentPages(Controller):
    path = "/self-assessment"
    include_in_schema = False

    @get("", guards=[READ])
    async def self_assessment(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        start: FromDate = None,
        end: ToDate = None,
    ) -> Template:
        assessment = await assess(_period(start, end), checked_as_of(None))
        rubric = load_rubric()
        return page(
            "audit_export/scoring/self_assessment.html",
            request,
            assessment=assessment,
            rubric_items={item.code: item for item in rubric.items},
            reason=gettext(assessment.grade_reason.text, **assessment.grade_reason.params),
            state_labels=STATE_LABELS,
            kind_labels=KIND_LABELS,
            findings=await _findings(),
            sheets=await _sheets(),
            schemes=sorted(rubric.scoring.grade_schemes),
            frozen=await _frozen(),
            can_close=actor.has_role(*snapshots.ROLES) and not actor.is_system,
            can_load=actor.has_role(Role.SERVICE_MANAGER),
            can_record=actor.has_role(Role.AUDITOR),
        )

    @post("/score-sheets", guards=[LOAD_SHEET])
    async def load_sheet(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        fields, upload = split_upload(await request.form())
        if upload is None:
            raise Invalid(N_("Choose the score sheet file to upload."), field="file")
        await score_sheets.load_score_sheet(
            actor,
            await upload.read(),
            upload.filename,
            fields.get("name", ""),
            fields.get("grade_scheme", "A"),
        )
        return Redirect(path="/self-assessment")

    @post("/close-month", guards=[CLOSE])
    async def close_month(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        month = (await form_data(request)).get("month", "")
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError as error:
            raise Invalid(N_("Choose a month (YYYY-MM)."), field="month") from error
        snapshot = await snapshots.close_month(actor, first)
        return Redirect(path=f"/self-assessment/snapshots/{snapshot.id}")

    @get("/snapshots/{snapshot_id:int}", guards=[READ])
    async def snapshot(self, request: Request[Any, Any, Any], snapshot_id: PathId) -> Template:
        row = await KpiSnapshot.objects().where(KpiSnapshot.id == snapshot_id).first()
        if row is None:
            raise NotFound(N_("Snapshot {id} not found."), id=snapshot_id)
        differences = await snapshots.snapshot_differences(row)
        return page("audit_export/scoring/snapshot.html", request, snapshot=row, differences=differences)

    @post("/findings", guards=[AUDIT])
    async def record(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        form = await form_data(request)
        await findings.record_finding(
            actor, form.get("kind", ""), form.get("item_code"), form.get("note", "")
        )
        return Redirect(path="/self-assessment")

    @post("/findings/{finding_id:int}/withdraw", guards=[AUDIT])
    async def withdraw(
        self, request: Request[Any, Any, Any], actor: CurrentActor, finding_id: PathId
    ) -> Redirect:
        await findings.withdraw_finding(actor, finding_id, (await form_data(request)).get("reason", ""))
        return Redirect(path="/self-assessment")


ROUTES = [SelfAssessmentApi, SelfAssessmentPages]
