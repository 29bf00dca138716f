"""Controlled documents: JSON API and pages (register per kind with history, upload, detail, retire);
the registers' routes are in register_controllers."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, HeaderParameter, JSONBody
from litestar.response import File, Redirect, Template

from service_ops.auth import CurrentActor, requires
from service_ops.choices import Role
from service_ops.documents import events, files, forms, queries, services
from service_ops.documents.choices import DocumentKind, DocumentStatus
from service_ops.documents.register_controllers import RegisterApi, RegisterPages, can_write
from service_ops.documents.schemas import CurrentDocument, DocumentRead, DocumentRetire, DocumentUpload
from service_ops.documents.services.common import WRITE_ROLES
from service_ops.queries import audit_events_for
from service_ops.web import PathId, form_data, page

READ = requires(*Role)
WRITE = requires(*WRITE_ROLES, write=True)
IdempotencyHeader = Annotated[
    str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=100)
]


def _file_response(relative_path: str, media_type: str, filename: str) -> File:
    return File(
        path=files.stored_file(relative_path),
        media_type=media_type,
        filename=filename,
        content_disposition_type="attachment",
    )


class DocumentApi(Controller):
    path = "/api/documents"
    tags = ["documents"]

    @get("", guards=[READ])
    async def documents(
        self, kind: FromQuery[DocumentKind | None] = None, status: FromQuery[DocumentStatus | None] = None
    ) -> list[DocumentRead]:
        return await queries.list_documents(kind, status)

    @get("/current", guards=[READ])
    async def current(self) -> list[CurrentDocument]:
        return await queries.current_documents()

    @get("/{document_id:int}", guards=[READ])
    async def document(self, document_id: PathId) -> DocumentRead:
        return await queries.get_document(document_id)

    @get("/{document_id:int}/file", guards=[READ], media_type="application/octet-stream")
    async def file(self, document_id: PathId) -> File:
        return _file_response(*await queries.document_file(document_id))

    @post("", guards=[WRITE])
    async def register(
        self,
        actor: CurrentActor,
        data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        idempotency_key: IdempotencyHeader,
    ) -> DocumentRead:
        fields = {key: value for key, value in vars(data).items() if key != "file" and value is not None}
        content = await data.file.read() if data.file is not None else None
        filename = data.file.filename if data.file is not None else None
        document_id = await services.register_document(
            actor, forms.document(fields), content, filename, idempotency_key
        )
        return await queries.get_document(document_id)

    @post("/{document_id:int}/retire", guards=[WRITE])
    async def retire(
        self, actor: CurrentActor, document_id: PathId, data: JSONBody[DocumentRetire]
    ) -> DocumentRead:
        await services.retire_document(actor, document_id, data.reason)
        return await queries.get_document(document_id)


class DocumentPages(Controller):
    path = "/documents"
    include_in_schema = False

    @get("", guards=[READ])
    async def register(self, request: Request[Any, Any, Any]) -> Template:
        history = await queries.list_documents()
        return page(
            "documents/documents.html",
            request,
            current=await queries.current_documents(),
            pending=[doc for doc in history if doc.status == DocumentStatus.PENDING],
            history=history,
            kinds=list(DocumentKind),
            people=await queries.people() if can_write(request) else [],
            can_write=can_write(request),
            idempotency_key=uuid.uuid4().hex,
        )

    @post("", guards=[WRITE])
    async def upload(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        fields, upload = forms.split_upload(await request.form())
        content = await upload.read() if upload is not None else None
        document_id = await services.register_document(
            actor,
            forms.document(fields),
            content,
            upload.filename if upload is not None else None,
            fields.get("idempotency_key") or None,
        )
        return Redirect(path=f"/documents/{document_id}")

    @get("/{document_id:int}", guards=[READ])
    async def detail(self, request: Request[Any, Any, Any], document_id: PathId) -> Template:
        document = await queries.get_document(document_id)
        return page(
            "documents/document_detail.html",
            request,
            document=document,
            versions=await queries.list_documents(document.kind),
            can_write=can_write(request),
            events=await audit_events_for("controlled_document", document_id),
            event_label=events.label,
        )

    @get("/{document_id:int}/file", guards=[READ], media_type="application/octet-stream")
    async def file(self, document_id: PathId) -> File:
        return _file_response(*await queries.document_file(document_id))

    @post("/{document_id:int}/retire", guards=[WRITE])
    async def retire(
        self, request: Request[Any, Any, Any], actor: CurrentActor, document_id: PathId
    ) -> Redirect:
        await services.retire_document(actor, document_id, (await form_data(request)).get("reason", ""))
        return Redirect(path=f"/documents/{document_id}")


ROUTES = [DocumentApi, DocumentPages, RegisterApi, RegisterPages]
