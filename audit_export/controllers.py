"""The service-system page (/service-system) and its JSON twin: the rubric's prerequisites, each
met or not with its evidence, and the people the current appointments name."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.response import Template

from audit_export import (
    auditor_controllers,
    dashboard_controllers,
    history_controllers,
    pack_controllers,
    prerequisites,
    scoring_controllers,
)
from audit_export.rubric import load_rubric
from service_ops import clock
from service_ops.auth import requires
from service_ops.choices import Role
from service_ops.documents import queries as documents
from service_ops.documents.choices import DocumentKind
from service_ops.i18n import gettext
from service_ops.web import page

READ = requires(*Role)


class EvidenceRead(msgspec.Struct, kw_only=True):
    text: str
    href: str | None


class PrerequisiteRead(msgspec.Struct, kw_only=True):
    code: str
    title: str
    met: bool
    evidence: list[EvidenceRead]


class AppointeeRead(msgspec.Struct, kw_only=True):
    kind: DocumentKind
    user_id: int
    name: str
    document_id: int
    effective_on: date


class ServiceSystemRead(msgspec.Struct, kw_only=True):
    rubric_version: str
    as_of: date
    all_met: bool
    prerequisites: list[PrerequisiteRead]
    appointees: list[AppointeeRead]


async def service_system() -> ServiceSystemRead:
    """The prerequisites as of today, in the reader's language."""
    today = clock.today()
    checks = await prerequisites.check_all(today)
    appointments = await documents.current_appointments()
    return ServiceSystemRead(
        rubric_version=load_rubric().version,
        as_of=today,
        all_met=all(check.met for check in checks),
        prerequisites=[
            PrerequisiteRead(
                code=check.code,
                title=gettext(check.title),
                met=check.met,
                evidence=[
                    EvidenceRead(text=gettext(e.message, **e.params), href=e.href) for e in check.evidence
                ],
            )
            for check in checks
        ],
        appointees=[
            AppointeeRead(
                kind=a.kind,
                user_id=a.user_id,
                name=a.name,
                document_id=a.document_id,
                effective_on=a.effective_on,
            )
            for a in appointments.values()
        ],
    )


class ServiceSystemApi(Controller):
    path = "/api/service-system"
    tags = ["audit"]

    @get("", guards=[READ])
    async def service_system(self) -> ServiceSystemRead:
        return await service_system()


class ServiceSystemPages(Controller):
    include_in_schema = False

    @get("/service-system", guards=[READ])
    async def service_system(self, request: Request[Any, Any, Any]) -> Template:
        system = await service_system()
        appointees = {appointee.kind: appointee for appointee in system.appointees}
        return page(
            "audit_export/service_system.html",
            request,
            system=system,
            management_rep=appointees.get(DocumentKind.MANAGEMENT_REP_APPOINTMENT),
            supervision=appointees.get(DocumentKind.SUPERVISION_APPOINTMENT),
            standard=load_rubric().standard,
        )


ROUTES = [
    ServiceSystemApi,
    ServiceSystemPages,
    *history_controllers.ROUTES,
    *auditor_controllers.ROUTES,
    *dashboard_controllers.ROUTES,
    *pack_controllers.ROUTES,
    *scoring_controllers.ROUTES,
]
