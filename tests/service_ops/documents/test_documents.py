"""Controlled documents: one current version per kind, history kept, retiring, files checked."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from service_ops import clock
from service_ops.actor import Actor
from service_ops.audit import verify_chain
from service_ops.documents import files, queries, services
from service_ops.documents.choices import DocumentKind, DocumentStatus
from service_ops.documents.tables import ControlledDocument
from service_ops.errors import Conflict, Invalid, InvalidTransition, PermissionDenied
from service_ops.settings import get_settings
from service_ops.tables import AuditEvent
from tests.service_ops.documents.factories import document_data, docx, pdf, register, tomorrow

KIND = DocumentKind.SERVICE_PROCEDURES


async def _actions_since(seq: int) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)
    return [row["action"] for row in rows]


async def _last_seq() -> int:
    row = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    return int(row["seq"]) if row else 0


async def test_a_new_version_supersedes_the_current_one_and_the_history_stays(
    manager: Actor, data_dir: Any
) -> None:
    content = pdf()
    first = await register(manager, KIND, content)
    seq = await _last_seq()
    second = await register(manager, KIND, title="服务规范 2 版")

    assert (await queries.current_document(KIND)).id == second  # type: ignore[union-attr]
    old = await queries.get_document(first)
    assert old.status == DocumentStatus.SUPERSEDED
    assert old.superseded_by_id == second and old.superseded_on == clock.today()
    assert old.sha256 == hashlib.sha256(content).hexdigest()
    assert (data_dir / "uploads" / "documents" / f"{old.sha256}.pdf").read_bytes() == content
    history = [doc.id for doc in await queries.list_documents(KIND)]
    assert first in history and second in history
    current = await ControlledDocument.count().where(
        (ControlledDocument.kind == KIND.value) & (ControlledDocument.status == "current")
    )
    assert current == 1
    assert await _actions_since(seq) == ["documents.document_superseded", "documents.document_registered"]
    assert (await verify_chain()).ok


async def test_retiring_leaves_the_kind_without_a_current_version(manager: Actor) -> None:
    document_id = await register(manager, DocumentKind.JOB_DESCRIPTIONS)
    await services.retire_document(manager, document_id, "岗位调整，重新编制")

    retired = await queries.get_document(document_id)
    assert retired.status == DocumentStatus.RETIRED and retired.retire_reason == "岗位调整，重新编制"
    assert retired.retired_on == clock.today()
    assert await queries.current_document(DocumentKind.JOB_DESCRIPTIONS) is None
    entry = next(e for e in await queries.current_documents() if e.kind == DocumentKind.JOB_DESCRIPTIONS)
    assert entry.document is None
    with pytest.raises(InvalidTransition):
        await services.retire_document(manager, document_id, "again")
    with pytest.raises(Invalid):
        await services.retire_document(manager, await register(manager, DocumentKind.JOB_DESCRIPTIONS), " ")


async def test_a_future_version_waits_for_its_effective_date(manager: Actor, system: Actor) -> None:
    kind = DocumentKind.LEGAL_REGISTER
    today_id = await register(manager, kind)
    future_id = await register(manager, kind, effective_on=tomorrow())
    try:
        assert (await queries.get_document(future_id)).status == DocumentStatus.PENDING
        assert (await queries.current_document(kind)).id == today_id  # type: ignore[union-attr]
        assert await services.activate_due_documents(system) == []  # not due yet: nothing written
        with pytest.raises(Invalid) as refused:
            await register(manager, kind)  # effective today, before the pending version
        assert refused.value.field == "effective_on"

        with clock.frozen_at(clock.now() + timedelta(days=1)):
            assert future_id in await services.activate_due_documents(system)
            assert await services.activate_due_documents(system) == []
        assert (await queries.current_document(kind)).id == future_id  # type: ignore[union-attr]
        assert (await queries.get_document(today_id)).superseded_by_id == future_id
    finally:
        await services.retire_document(manager, future_id, "测试结束")


async def test_versions_take_effect_in_the_order_they_are_registered(manager: Actor) -> None:
    await register(manager, DocumentKind.SERVICE_COMMITMENT)
    with pytest.raises(Invalid) as refused:
        await register(
            manager,
            DocumentKind.SERVICE_COMMITMENT,
            approved_on=clock.today() - timedelta(days=40),
            effective_on=clock.today() - timedelta(days=30),
        )
    assert refused.value.field == "effective_on"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"approved_on": tomorrow()}, "approved_on"),
        ({"approved_on": clock.today(), "effective_on": clock.today() - timedelta(days=1)}, "effective_on"),
        ({"effective_on": clock.today() + timedelta(days=400)}, "effective_on"),
        ({"title": "  "}, "title"),
        ({"version": "x" * 21}, "version"),
        ({"appointee_id": 1}, "appointee_id"),
    ],
)
async def test_bad_fields_are_refused(manager: Actor, changes: dict[str, Any], field: str) -> None:
    assert manager.user_id is not None
    with pytest.raises(Invalid) as refused:
        await services.register_document(
            manager, document_data(DocumentKind.ORG_CHART, manager.user_id, **changes), pdf(), "org.pdf"
        )
    assert refused.value.field == field


async def test_an_appointment_names_an_active_person(manager: Actor, make_user: Any) -> None:
    assert manager.user_id is not None
    data = msgspec.structs.replace(
        document_data(DocumentKind.SUPERVISION_APPOINTMENT, manager.user_id), appointee_id=None
    )
    with pytest.raises(Invalid) as refused:
        await services.register_document(manager, data, pdf(), "appointment.pdf")
    assert refused.value.field == "appointee_id"
    supervisor = await make_user("service_manager")
    document_id = await register(
        manager, DocumentKind.SUPERVISION_APPOINTMENT, appointee_id=supervisor.user_id
    )
    appointment = (await queries.current_appointments())[DocumentKind.SUPERVISION_APPOINTMENT]
    assert appointment.document_id == document_id and appointment.user_id == supervisor.user_id


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"GIF89a not accepted", "scan.gif"),
        (b"PK\x03\x04 a zip that is not a Word file", "manual.docx"),
        (b"\xd0\xcf\x11\xe0 an old .doc", "manual.doc"),
        (b"", "empty.pdf"),
    ],
)
async def test_only_pdf_docx_png_or_jpeg_files_are_accepted(
    manager: Actor, content: bytes, filename: str
) -> None:
    with pytest.raises(Invalid) as refused:
        await register(manager, DocumentKind.ORG_CHART, content, filename)
    assert refused.value.field == "file"


async def test_docx_png_and_jpeg_are_recognised_by_their_content() -> None:
    assert files.file_type(docx()) == (files.DOCX_MEDIA_TYPE, ".docx")
    assert files.file_type(b"\x89PNG\r\n\x1a\n....") == ("image/png", ".png")
    assert files.file_type(b"\xff\xd8\xff\xe0....") == ("image/jpeg", ".jpg")
    checked = files.checked_file(docx(), "C:\\fakepath\\手册.docx")
    assert checked.filename == "手册.docx" and checked.extension == ".docx"


async def test_a_file_over_the_upload_limit_is_refused(
    manager: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = dataclasses.replace(get_settings(), upload_max_bytes=1000)
    monkeypatch.setattr(files, "get_settings", lambda: small)
    with pytest.raises(Invalid) as refused:
        await register(manager, DocumentKind.ORG_CHART, pdf() + b"0" * 1000)
    assert refused.value.field == "file"


async def test_a_version_number_and_a_file_are_registered_once_per_kind(manager: Actor) -> None:
    content = pdf()
    first = await register(manager, DocumentKind.SERVICE_CONCEPT, content)
    version = (await queries.get_document(first)).version
    with pytest.raises(Conflict):
        await register(manager, DocumentKind.SERVICE_CONCEPT, version=version)
    with pytest.raises(Conflict):
        await register(manager, DocumentKind.SERVICE_CONCEPT, content)


async def test_only_service_and_head_office_managers_keep_documents(make_user: Any) -> None:
    for role in ("auditor", "agent", "technician", "finance"):
        with pytest.raises(PermissionDenied):
            await register(await make_user(role), DocumentKind.ORG_CHART)
    await register(await make_user("hq_manager"), DocumentKind.ORG_CHART)


async def test_concurrent_registrations_leave_exactly_one_current_version(manager: Actor) -> None:
    kind = DocumentKind.SERVICE_MANUAL
    results = await asyncio.gather(*(register(manager, kind) for _ in range(4)), return_exceptions=True)
    assert all(isinstance(result, int) for result in results), results
    current = await ControlledDocument.select(ControlledDocument.id).where(
        (ControlledDocument.kind == kind.value) & (ControlledDocument.status == "current")
    )
    assert [row["id"] for row in current] == [max(results)]  # type: ignore[type-var]


async def test_a_replayed_registration_returns_the_first_version(manager: Actor) -> None:
    assert manager.user_id is not None
    data = document_data(DocumentKind.ORG_CHART, manager.user_id)
    first = await services.register_document(manager, data, pdf(), "org.pdf", "doc-key-0001")
    again = await services.register_document(manager, data, pdf(), "org.pdf", "doc-key-0001")
    assert first == again


async def test_the_database_refuses_a_second_current_version_of_a_kind(manager: Actor) -> None:
    from service_ops.web import integrity_error_types

    first = await register(manager, KIND)
    row = await ControlledDocument.select().where(ControlledDocument.id == first).first()
    twin = {key: value for key, value in row.items() if key != "id"} | {
        "version": "twin-" + row["version"][-14:]
    }
    with pytest.raises(integrity_error_types()):
        await ControlledDocument.insert(ControlledDocument(**twin))
