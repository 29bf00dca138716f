"""Turning the documents' and registers' form fields into the schemas the services take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.datastructures import UploadFile

from service_ops.documents.schemas import (
    DocumentCreate,
    ManagementReviewWrite,
    RewardPenaltyWrite,
    ServiceTargetWrite,
)
from service_ops.web import struct_from_form


def split_upload(form: Mapping[str, Any], field: str = "file") -> tuple[dict[str, str], UploadFile | None]:
    """Text fields and the uploaded file of a multipart form."""
    upload = form.get(field)
    fields = {key: str(value) for key, value in form.items() if not isinstance(value, UploadFile)}
    return fields, upload if isinstance(upload, UploadFile) and upload.filename else None


def document(fields: Mapping[str, str]) -> DocumentCreate:
    data: DocumentCreate = struct_from_form(DocumentCreate, _without(fields, "idempotency_key"))
    return data


def target(fields: Mapping[str, str]) -> ServiceTargetWrite:
    data: ServiceTargetWrite = struct_from_form(
        ServiceTargetWrite, _without(fields, "idempotency_key", "reason")
    )
    return data


def review(fields: Mapping[str, str]) -> ManagementReviewWrite:
    """Attendees come one per line from a text area."""
    values = dict(_without(fields, "idempotency_key", "reason"))
    attendees = [line.strip() for line in values.pop("attendees", "").splitlines() if line.strip()]
    data: ManagementReviewWrite = struct_from_form(ManagementReviewWrite, values, attendees=attendees)
    return data


def reward(fields: Mapping[str, str]) -> RewardPenaltyWrite:
    """The subject is a person or an outlet, chosen by `subject` = person / outlet."""
    values = dict(_without(fields, "idempotency_key", "correction_reason"))
    subject = values.pop("subject", "person")
    values.pop("outlet_id" if subject == "person" else "person_id", None)
    data: RewardPenaltyWrite = struct_from_form(RewardPenaltyWrite, values)
    return data


def _without(fields: Mapping[str, str], *names: str) -> dict[str, str]:
    return {key: value for key, value in fields.items() if key not in names}
