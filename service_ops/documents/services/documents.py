"""Controlled documents: register a version, let it take effect, retire it.

Rules (the spec was silent on future dates; this is the decision):
- A version whose effective date is today or earlier becomes current when registered; the kind's
  previous current version becomes superseded (pointing at it) in the same transaction.
- A version with a future effective date is registered as pending ("not yet in force"); it
  becomes current on its effective date, through `activate_due_documents` (a periodic job, and
  any later registration of the same kind), superseding the version then current.
- Versions of a kind take effect in the order they are registered: a new version's effective
  date may not be earlier than that of the kind's latest current, pending or superseded version.
- Retiring a current (or pending) version leaves the kind with no current version; the file and
  the history stay. Exactly one current version per kind: a lock per kind, and a partial unique index.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta
from typing import Any

from service_ops import clock, idempotency
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.documents import events, files
from service_ops.documents.choices import DocumentKind, DocumentStatus
from service_ops.documents.schemas import DocumentCreate
from service_ops.documents.services.common import WRITE_ROLES, existing_user
from service_ops.documents.tables import ControlledDocument
from service_ops.errors import Conflict, Invalid, InvalidTransition, NotFound
from service_ops.uow import UnitOfWork, lock_row, unit_of_work
from service_ops.validation import required_text

D = ControlledDocument
S = DocumentStatus
EARLIEST_DATE = date(1990, 1, 1)
MAX_DAYS_AHEAD = 366
SNAPSHOT = (
    "kind",
    "title",
    "version",
    "filename",
    "media_type",
    "size_bytes",
    "sha256",
    "file_path",
    "approver",
    "approved_on",
    "effective_on",
    "appointee",
    "status",
)


async def lock_kind(kind: str) -> None:
    """Serialise changes to one kind's versions until the transaction ends (PostgreSQL; SQLite's
    write transaction already serialises writers). Covers a kind with no row to lock yet."""
    if D._meta.db.engine_type == "postgres":
        await D.raw("SELECT pg_advisory_xact_lock({})", zlib.crc32(f"controlled_document:{kind}".encode()))


def _snapshot(document: ControlledDocument) -> dict[str, Any]:
    return {column: getattr(document, column) for column in SNAPSHOT}


def _checked_dates(data: DocumentCreate, today: date) -> None:
    if not EARLIEST_DATE <= data.approved_on <= today:
        raise Invalid("The approval date cannot be in the future.", field="approved_on")
    if data.effective_on < data.approved_on:
        raise Invalid("A document takes effect on or after the day it is approved.", field="effective_on")
    if data.effective_on > today + timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid(
            "The effective date is at most {days} days ahead.", field="effective_on", days=MAX_DAYS_AHEAD
        )


def _checked_appointee(kind: DocumentKind, appointee_id: int | None) -> None:
    if kind.appoints and appointee_id is None:
        raise Invalid("An appointment names the person appointed.", field="appointee_id")
    if not kind.appoints and appointee_id is not None:
        raise Invalid("Only an appointment names a person appointed.", field="appointee_id")


async def register_document(
    actor: Actor,
    data: DocumentCreate,
    content: bytes | None,
    filename: str | None,
    idempotency_key: str | None = None,
) -> int:
    """Register a new version with its file; it is current from its effective date (see the module)."""
    check_role(actor, WRITE_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "register_document", idempotency_key)
    if replayed is not None:
        return int(replayed)
    kind = DocumentKind(data.kind)
    title = required_text(data.title, "title", 200)
    version = required_text(data.version, "version", 20)
    today = clock.today()
    _checked_dates(data, today)
    _checked_appointee(kind, data.appointee_id)
    upload = files.checked_file(content, filename)
    async with unit_of_work(actor) as uow:
        await lock_kind(kind.value)
        await existing_user(data.approver_id, "approver_id")
        if data.appointee_id is not None:
            await existing_user(data.appointee_id, "appointee_id", active=True)
        await _check_new_version(kind, version, upload.sha256, data.effective_on)
        await _activate_due(uow, kind.value, today)
        document = D(
            kind=kind.value,
            title=title,
            version=version,
            filename=upload.filename,
            media_type=upload.media_type,
            size_bytes=len(upload.content),
            sha256=upload.sha256,
            file_path=await files.store(upload),
            approver=data.approver_id,
            approved_on=data.approved_on,
            effective_on=data.effective_on,
            status=S.PENDING.value,
            appointee=data.appointee_id,
            registered_by=actor.user_id,
            created_at=clock.now(),
        )
        await document.save()
        if data.effective_on <= today:
            await _supersede_current(uow, document)
            document.status = S.CURRENT.value
            await document.save([D.status])
        uow.record(events.DOCUMENT_REGISTERED, "controlled_document", document.id, after=_snapshot(document))
        await idempotency.remember(
            actor, "register_document", idempotency_key, "controlled_document", document.id
        )
        return int(document.id)


async def _check_new_version(kind: DocumentKind, version: str, sha256: str, effective_on: date) -> None:
    if await D.exists().where((D.kind == kind.value) & (D.version == version)):
        raise Conflict(
            "Version “{version}” of this document is already registered.", field="version", version=version
        )
    live = [S.CURRENT.value, S.PENDING.value, S.SUPERSEDED.value]
    same = (
        await D.select(D.version)
        .where((D.kind == kind.value) & (D.sha256 == sha256) & D.status.is_in(live[:2]))
        .first()
    )
    if same is not None:
        raise Conflict(
            "This file is already version “{version}” of this document.",
            field="file",
            version=same["version"],
        )
    latest = (
        await D.select(D.effective_on, D.version)
        .where((D.kind == kind.value) & D.status.is_in(live))
        .order_by(D.effective_on, ascending=False)
        .first()
    )
    if latest is not None and effective_on < latest["effective_on"]:
        raise Invalid(
            "Version “{version}” takes effect on {day}: a newer version cannot take effect before it.",
            field="effective_on",
            version=latest["version"],
            day=latest["effective_on"].isoformat(),
        )


async def _supersede_current(uow: UnitOfWork, successor: ControlledDocument) -> None:
    """The kind's current version (if any) gives way to `successor`, which the caller makes current."""
    current = (
        await D.objects()
        .where((D.kind == successor.kind) & (D.status == S.CURRENT.value) & (D.id != successor.id))
        .first()
    )
    if current is None:
        return
    current.status, current.superseded_by, current.superseded_on = (
        S.SUPERSEDED.value,
        successor.id,
        successor.effective_on,
    )
    await current.save([D.status, D.superseded_by, D.superseded_on])
    uow.record(
        events.DOCUMENT_SUPERSEDED,
        "controlled_document",
        current.id,
        before={"status": S.CURRENT.value},
        after={
            "status": current.status,
            "superseded_by": successor.id,
            "superseded_on": successor.effective_on,
        },
    )


async def _activate_due(uow: UnitOfWork, kind: str, today: date) -> list[int]:
    """Pending versions of `kind` whose day has come take effect, oldest first (the caller holds
    the kind's lock)."""
    due = await (
        D.objects()
        .where((D.kind == kind) & (D.status == S.PENDING.value) & (D.effective_on <= today))
        .order_by(D.effective_on)
        .order_by(D.id)
    )
    for document in due:
        await _supersede_current(uow, document)
        document.status = S.CURRENT.value
        await document.save([D.status])
        uow.record(
            events.DOCUMENT_TOOK_EFFECT,
            "controlled_document",
            document.id,
            before={"status": S.PENDING.value},
            after={"status": S.CURRENT.value, "effective_on": document.effective_on},
        )
    return [int(document.id) for document in due]


async def activate_due_documents(actor: Actor) -> list[int]:
    """Pending versions whose effective date has come become current (safe to run repeatedly;
    nothing due: nothing written). Run by a periodic job."""
    check_role(actor, WRITE_ROLES)
    today = clock.today()
    kinds = await D.select(D.kind).where((D.status == S.PENDING.value) & (D.effective_on <= today)).distinct()
    if not kinds:
        return []
    activated: list[int] = []
    try:
        async with unit_of_work(actor) as uow:
            for kind in sorted({row["kind"] for row in kinds}):
                await lock_kind(kind)
                activated += await _activate_due(uow, kind, today)
            if not uow.events:
                raise _NothingDue
    except _NothingDue:
        return []
    return activated


class _NothingDue(Exception):
    """Another process activated them first: roll back the empty unit of work."""


async def retire_document(actor: Actor, document_id: int, reason: str) -> None:
    """Withdraw a current or pending version: the kind then has no current version (until a new one)."""
    check_role(actor, WRITE_ROLES)
    why = required_text(reason, "reason", 1000)
    async with unit_of_work(actor) as uow:
        row = await D.select(D.kind).where(D.id == document_id).first()
        if row is None:
            raise NotFound("Document {id} not found.", id=document_id)
        await lock_kind(row["kind"])
        await lock_row(D, document_id)
        document = await D.objects().get(D.id == document_id)
        if document is None:
            raise NotFound("Document {id} not found.", id=document_id)
        if document.status not in (S.CURRENT.value, S.PENDING.value):
            raise InvalidTransition(
                "Only a current or pending version can be retired; this one is {status}.",
                status=document.status,
            )
        before = document.status
        document.status, document.retired_on, document.retire_reason = S.RETIRED.value, clock.today(), why
        await document.save([D.status, D.retired_on, D.retire_reason])
        uow.record(
            events.DOCUMENT_RETIRED,
            "controlled_document",
            document_id,
            before={"status": before},
            after={"status": document.status, "retired_on": document.retired_on},
            reason=why,
        )
