"""Building blocks for the documents tests: files, versions, targets.

The database is shared by the whole run and each kind has one current version: tests register
versions effective today (or retire what they registered for a future day), so versions keep
taking effect in the order they are registered.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from typing import Any

from service_ops import clock
from service_ops.actor import Actor
from service_ops.documents import services
from service_ops.documents.choices import DocumentKind, Horizon
from service_ops.documents.schemas import DocumentCreate, ServiceTargetWrite
from tests.conftest import unique


def pdf(marker: str | None = None) -> bytes:
    """A small PDF whose content (and so SHA-256) differs per call."""
    tag = (marker or unique("doc")).encode()
    return (
        b"%PDF-1.4\n% " + tag + b"\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def docx() -> bytes:
    """A minimal Word (DOCX) package: a zip with the parts that make it a Word document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document>{unique('docx')}</w:document>")
    return buffer.getvalue()


def document_data(kind: DocumentKind, approver_id: int, **extra: Any) -> DocumentCreate:
    today = clock.today()
    values: dict[str, Any] = {
        "kind": kind,
        "title": "售后服务手册",
        "version": unique("V")[-20:],
        "approver_id": approver_id,
        "approved_on": today,
        "effective_on": today,
        **extra,
    }
    if kind.appoints and "appointee_id" not in extra:
        values["appointee_id"] = approver_id
    return DocumentCreate(**values)


async def register(
    actor: Actor, kind: DocumentKind, content: bytes | None = None, filename: str = "manual.pdf", **extra: Any
) -> int:
    assert actor.user_id is not None
    return await services.register_document(
        actor, document_data(kind, actor.user_id, **extra), pdf() if content is None else content, filename
    )


def target_data(owner_id: int, kpi_code: str = "first_time_fix_rate", **extra: Any) -> ServiceTargetWrite:
    """An annual target for a year far from any other test's (a year per call)."""
    start = date(2100 + int(unique("")[-5:]) % 800, 1, 1)
    values: dict[str, Any] = {
        "horizon": Horizon.ANNUAL,
        "period_from": start,
        "period_to": start.replace(month=12, day=31),
        "kpi_code": kpi_code,
        "target": ">=0.80",
        "owner_id": owner_id,
        **extra,
    }
    return ServiceTargetWrite(**values)


def tomorrow() -> date:
    return clock.today() + timedelta(days=1)
