"""The admin page for importing history bundles (/history-import) and its JSON twin.

The upload streams through `UploadLimit`, which refuses a body larger than the upload limit from
its Content-Length before anything is read, and counts the bytes as they arrive otherwise: a 2 GB
upload is never written whole (the CSRF check reads the form only behind this guard).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.params import JSONBody
from litestar.response import Redirect, Template
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from audit_export.services import history_jobs
from audit_export.services.history_jobs import HistoryImportJobRead
from service_ops.auth import CurrentActor, requires
from service_ops.choices import Role
from service_ops.errors import N_, Invalid
from service_ops.web import PathId, form_data, page

ADMIN = requires(Role.ADMIN, write=True)


class AbandonImport(msgspec.Struct, kw_only=True):
    reason: str


"""Admins only, for reading too: the page shows uploaded files and their problems."""


class UploadLimit(ASGIMiddleware):
    """Refuse a request body over the history upload limit: by Content-Length, then by counting."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        limit = history_jobs.upload_limit() + history_jobs.MULTIPART_OVERHEAD
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise history_jobs.too_large()
        received = 0

        async def counted() -> ReceiveMessage:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise history_jobs.too_large()
            return message

        await next_app(scope, counted, send)


async def _upload(request: Request[Any, Any, Any], actor: Any) -> HistoryImportJobRead:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid(N_("Choose the bundle (.zip) to upload."), field="file")
    try:
        return await history_jobs.request_import(actor, upload.filename, _chunks(upload))
    finally:
        await upload.close()


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(history_jobs.CHUNK):
        yield chunk


UPLOAD_OPTIONS: dict[str, Any] = {
    "guards": [ADMIN],
    "middleware": [UploadLimit()],
    "request_max_body_size": None,  # UploadLimit applies the configured limit instead
}


class HistoryImportApi(Controller):
    path = "/api/history-imports"
    tags = ["audit"]

    @get("", guards=[ADMIN])
    async def list_imports(self) -> list[HistoryImportJobRead]:
        return await history_jobs.list_jobs()

    @get("/{job_id:int}", guards=[ADMIN])
    async def get_import(self, job_id: PathId) -> HistoryImportJobRead:
        return await history_jobs.get_job(job_id)

    @post("", status_code=202, **UPLOAD_OPTIONS)
    async def upload(self, request: Request[Any, Any, Any], actor: CurrentActor) -> HistoryImportJobRead:
        """Upload a bundle as multipart field `file`; poll the returned job for its progress."""
        return await _upload(request, actor)

    @post("/{job_id:int}/abandon", guards=[ADMIN], status_code=200)
    async def abandon(
        self, actor: CurrentActor, job_id: PathId, data: JSONBody[AbandonImport]
    ) -> HistoryImportJobRead:
        """Mark failed an import whose process stopped, so another bundle can be uploaded."""
        await history_jobs.abandon_import(actor, job_id, data.reason)
        return await history_jobs.get_job(job_id)


class HistoryImportPages(Controller):
    include_in_schema = False

    @get("/history-import", guards=[ADMIN])
    async def imports(self, request: Request[Any, Any, Any]) -> Template:
        jobs = await history_jobs.list_jobs()
        return page(
            "audit_export/history/imports.html",
            request,
            jobs=jobs,
            running=next((job for job in jobs if job.in_flight), None),
            limit_kb=history_jobs.upload_limit() // 1024,
        )

    @get("/history-import/{job_id:int}", guards=[ADMIN])
    async def job(self, request: Request[Any, Any, Any], job_id: PathId) -> Template:
        return page("audit_export/history/job.html", request, job=await history_jobs.get_job(job_id))

    @post("/history-import", **UPLOAD_OPTIONS)
    async def upload(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        job = await _upload(request, actor)
        return Redirect(path=f"/history-import/{job.id}", status_code=303)

    @post("/history-import/{job_id:int}/abandon", guards=[ADMIN])
    async def abandon(self, request: Request[Any, Any, Any], actor: CurrentActor, job_id: PathId) -> Redirect:
        form = await form_data(request)
        await history_jobs.abandon_import(actor, job_id, form.get("reason", ""))
        return Redirect(path=f"/history-import/{job_id}", status_code=303)


ROUTES = [HistoryImportApi, HistoryImportPages]
