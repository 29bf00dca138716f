"""Training: JSON API and pages (course catalogue, roll call, qualification matrix, training records)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, HeaderParameter, JSONBody, QueryParameter
from litestar.response import File, Redirect, Template

from service_ops import clock
from service_ops.auth import CurrentActor, connection_actor, requires
from service_ops.choices import ProductCategory, Role
from service_ops.i18n import gettext
from service_ops.queries import audit_events_for
from service_ops.web import MAX_ID, PathId, form_data, page, struct_from_form
from training import catalogue, events, forms, queries, records, scans, services
from training.choices import CertificateState
from training.queries import ExpiringCertificate
from training.schemas import (
    CertificateRead,
    CertificateRevoke,
    CourseCreate,
    CourseRead,
    CourseUpdate,
    ExternalCertificateCreate,
    QualificationMatrix,
    QualificationRead,
    RollCall,
    SessionCreate,
    SessionDetail,
    SessionRead,
    TrainingRecord,
)

READ = requires(*Role)
WRITE = requires(*services.TRAINING_ROLES, write=True)
QueryId = Annotated[int, QueryParameter(ge=1, le=MAX_ID)]
IdList = Annotated[list[str] | None, QueryParameter(description="User ids: repeated or comma-separated")]
IdempotencyHeader = Annotated[
    str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=100)
]


async def _record_external(actor: Any, fields: dict[str, Any], scan: UploadFile | None) -> int:
    data = struct_from_form(ExternalCertificateCreate, fields)
    content = await scan.read() if scan is not None else None
    filename = scan.filename if scan is not None else None
    return await services.record_external_certificate(actor, data, content, filename)


async def _matrix(user_ids: list[str] | None, role: Role | None, on: date | None) -> QualificationMatrix:
    ids = forms.parse_ids(user_ids)
    if not ids:
        ids = await records.active_user_ids_with_role(role or Role.TECHNICIAN)
    return await records.qualification_matrix(ids, on or clock.today())


def _can_write(request: Request[Any, Any, Any]) -> bool:
    """Show the forms only to those who may send them (auditors read, never write)."""
    actor = connection_actor(request)
    return actor is not None and actor.role != Role.AUDITOR and actor.has_role(*services.TRAINING_ROLES)


class TrainingApi(Controller):
    path = "/api/training"
    tags = ["training"]

    @get("/courses", guards=[READ])
    async def courses(self) -> list[CourseRead]:
        return await catalogue.list_courses()

    @post("/courses", guards=[WRITE])
    async def create_course(self, actor: CurrentActor, data: JSONBody[CourseCreate]) -> CourseRead:
        return await catalogue.get_course(await services.create_course(actor, data))

    @get("/courses/{course_id:int}", guards=[READ])
    async def course(self, course_id: PathId) -> CourseRead:
        return await catalogue.get_course(course_id)

    @patch("/courses/{course_id:int}", guards=[WRITE])
    async def update_course(
        self, actor: CurrentActor, course_id: PathId, data: JSONBody[CourseUpdate]
    ) -> CourseRead:
        await services.update_course(actor, course_id, data)
        return await catalogue.get_course(course_id)

    @get("/sessions", guards=[READ])
    async def sessions(self, course_id: FromQuery[QueryId | None] = None) -> list[SessionRead]:
        return await catalogue.list_sessions(course_id)

    @post("/sessions", guards=[WRITE])
    async def schedule_session(
        self, actor: CurrentActor, data: JSONBody[SessionCreate], idempotency_key: IdempotencyHeader
    ) -> SessionDetail:
        return await catalogue.get_session(await services.schedule_session(actor, data, idempotency_key))

    @get("/sessions/{session_id:int}", guards=[READ])
    async def session(self, session_id: PathId) -> SessionDetail:
        return await catalogue.get_session(session_id)

    @post("/sessions/{session_id:int}/roll-call", guards=[WRITE])
    async def roll_call(
        self, actor: CurrentActor, session_id: PathId, data: JSONBody[RollCall]
    ) -> SessionDetail:
        await services.record_roll_call(actor, session_id, data.entries)
        return await catalogue.get_session(session_id)

    @get("/certificates", guards=[READ])
    async def certificates(self, user_id: FromQuery[QueryId | None] = None) -> list[CertificateRead]:
        return await records.list_certificates(clock.today(), user_id)

    @get("/certificates/expiring", guards=[READ])
    async def expiring(
        self,
        on: FromQuery[date | None] = None,
        within_days: Annotated[int, QueryParameter(ge=0, le=366)] = queries.EXPIRY_WARNING_DAYS,
    ) -> list[ExpiringCertificate]:
        return await queries.expiring_certificates(on or clock.today(), within_days)

    @get("/certificates/{certificate_id:int}", guards=[READ])
    async def certificate(self, certificate_id: PathId) -> CertificateRead:
        return await records.get_certificate(certificate_id, clock.today())

    @post("/certificates/external", guards=[WRITE])
    async def record_external(
        self,
        actor: CurrentActor,
        data: Annotated[forms.ExternalCertificateUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> CertificateRead:
        fields = {key: value for key, value in vars(data).items() if key != "scan"}
        certificate_id = await _record_external(actor, fields, data.scan)
        return await records.get_certificate(certificate_id, clock.today())

    @post("/certificates/{certificate_id:int}/revoke", guards=[WRITE])
    async def revoke(
        self, actor: CurrentActor, certificate_id: PathId, data: JSONBody[CertificateRevoke]
    ) -> CertificateRead:
        await services.revoke_certificate(actor, certificate_id, data.reason)
        return await records.get_certificate(certificate_id, clock.today())

    @get("/qualification", guards=[READ])
    async def qualification(
        self, user_id: QueryId, category: FromQuery[ProductCategory], on: FromQuery[date | None] = None
    ) -> QualificationRead:
        day = on or clock.today()
        verdict = await queries.qualification(user_id, category.value, day)
        return QualificationRead(
            user_id=user_id,
            category=category,
            on=day,
            qualified=verdict.qualified,
            missing=verdict.missing,
            reason=gettext(verdict.reason) if verdict.reason else None,
        )

    @get("/matrix", guards=[READ])
    async def matrix(
        self, user_ids: IdList = None, role: FromQuery[Role | None] = None, on: FromQuery[date | None] = None
    ) -> QualificationMatrix:
        return await _matrix(user_ids, role, on)

    @get("/people/{user_id:int}", guards=[READ])
    async def person(self, user_id: PathId, on: FromQuery[date | None] = None) -> TrainingRecord:
        return await records.training_record(user_id, on or clock.today())


class TrainingPages(Controller):
    path = "/training"
    include_in_schema = False

    @get("/courses", guards=[READ])
    async def catalogue(self, request: Request[Any, Any, Any]) -> Template:
        return page(
            "training/courses.html",
            request,
            courses=await catalogue.list_courses(),
            categories=list(ProductCategory),
            roles=list(Role),
            can_write=_can_write(request),
        )

    @post("/courses", guards=[WRITE])
    async def create_course(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        data = struct_from_form(CourseCreate, forms.course_form(await form_data(request), editing=False))
        return Redirect(path=f"/training/courses/{await services.create_course(actor, data)}")

    @get("/courses/{course_id:int}", guards=[READ])
    async def course(self, request: Request[Any, Any, Any], course_id: PathId) -> Template:
        return page(
            "training/course_detail.html",
            request,
            course=await catalogue.get_course(course_id),
            sessions=await catalogue.list_sessions(course_id),
            trainers=await catalogue.trainers(),
            categories=list(ProductCategory),
            roles=list(Role),
            can_write=_can_write(request),
            idempotency_key=uuid.uuid4().hex,
            events=await audit_events_for("course", course_id),
            event_label=events.label,
        )

    @post("/courses/{course_id:int}", guards=[WRITE])
    async def update_course(
        self, request: Request[Any, Any, Any], actor: CurrentActor, course_id: PathId
    ) -> Redirect:
        data = struct_from_form(CourseUpdate, forms.course_form(await form_data(request), editing=True))
        await services.update_course(actor, course_id, data)
        return Redirect(path=f"/training/courses/{course_id}")

    @post("/courses/{course_id:int}/sessions", guards=[WRITE])
    async def schedule_session(
        self, request: Request[Any, Any, Any], actor: CurrentActor, course_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        data = struct_from_form(SessionCreate, forms.session_form(form), course_id=course_id)
        session_id = await services.schedule_session(actor, data, form.get("idempotency_key") or None)
        return Redirect(path=f"/training/sessions/{session_id}")

    @get("/sessions/{session_id:int}", guards=[READ])
    async def session(
        self,
        request: Request[Any, Any, Any],
        session_id: PathId,
        add: Annotated[str | None, QueryParameter(max_length=2000)] = None,
        user_ids: IdList = None,
    ) -> Template:
        """The roll-call form; `add` (user names) and `user_ids` put more people on the list."""
        session = await catalogue.get_session(session_id)
        extra = forms.parse_ids(user_ids)
        extra += await catalogue.user_ids_for_usernames((add or "").replace("，", ",").split(","))
        return page(
            "training/session_detail.html",
            request,
            session=session,
            roster=await catalogue.roll_call_roster(session, extra),
            add=add or "",
            can_write=_can_write(request),
            started=session.starts_at <= clock.now(),
        )

    @post("/sessions/{session_id:int}", guards=[WRITE])
    async def roll_call(
        self, request: Request[Any, Any, Any], actor: CurrentActor, session_id: PathId
    ) -> Redirect:
        recorded = {line.user_id for line in (await catalogue.get_session(session_id)).attendance}
        await services.record_roll_call(
            actor, session_id, forms.roll_call_entries(await form_data(request), recorded)
        )
        return Redirect(path=f"/training/sessions/{session_id}")

    @get("/matrix", guards=[READ])
    async def matrix(
        self,
        request: Request[Any, Any, Any],
        user_ids: IdList = None,
        role: FromQuery[Role | None] = None,
        on: FromQuery[date | None] = None,
    ) -> Template:
        matrix = await _matrix(user_ids, role, on)
        return page(
            "training/matrix.html",
            request,
            matrix=matrix,
            role=role if not user_ids else None,
            user_ids=",".join(str(row.user_id) for row in matrix.rows) if user_ids else "",
            roles=list(Role),
            states=[state for state in CertificateState if state != CertificateState.REVOKED],
        )

    @get("/people/{user_id:int}", guards=[READ])
    async def person(self, request: Request[Any, Any, Any], user_id: PathId) -> Template:
        return page(
            "training/person.html",
            request,
            record=await records.training_record(user_id, clock.today()),
            courses=await catalogue.list_courses(active_only=True),
            can_write=_can_write(request),
        )

    @post("/people/{user_id:int}/certificates", guards=[WRITE])
    async def record_external(
        self, request: Request[Any, Any, Any], actor: CurrentActor, user_id: PathId
    ) -> Redirect:
        fields, scan = forms.split_upload(await request.form())
        await _record_external(actor, {**fields, "user_id": user_id}, scan)
        return Redirect(path=f"/training/people/{user_id}")

    @post("/certificates/{certificate_id:int}/revoke", guards=[WRITE])
    async def revoke(
        self, request: Request[Any, Any, Any], actor: CurrentActor, certificate_id: PathId
    ) -> Redirect:
        await services.revoke_certificate(actor, certificate_id, (await form_data(request)).get("reason", ""))
        certificate = await records.get_certificate(certificate_id, clock.today())
        return Redirect(path=f"/training/people/{certificate.user_id}")

    @get("/certificates/{certificate_id:int}/scan", guards=[READ])
    async def scan(self, certificate_id: PathId) -> File:
        relative_path = await records.certificate_scan_path(certificate_id)
        return File(
            path=scans.scan_file(relative_path),
            media_type=scans.media_type(relative_path),
            content_disposition_type="inline",
        )


ROUTES = [TrainingApi, TrainingPages]
