"""Turning the training pages' form fields into the schemas the services take."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar.datastructures import UploadFile

from service_ops import clock
from service_ops.choices import Role
from service_ops.errors import Invalid
from service_ops.web import MAX_ID
from training.schemas import RollCallEntry

MAX_IDS = 500


@dataclass
class ExternalCertificateUpload:
    """Multipart body: the certificate's fields and the scan file."""

    user_id: int
    course_id: int
    number: str
    issuer: str
    issued_on: date
    scan: UploadFile
    expires_on: date | None = None


def parse_id(raw: str, field: str) -> int:
    value = raw.strip()
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_ID):
        raise Invalid("“{value}” is not a record id.", field=field, value=value[:20])
    return int(value)


def parse_ids(values: Iterable[str] | None, field: str = "user_ids") -> list[int]:
    """Ids given as repeated parameters, comma-separated, or both (?user_ids=1,2&user_ids=3)."""
    ids = [parse_id(part, field) for value in values or [] for part in value.split(",") if part.strip()]
    return list(dict.fromkeys(ids))[:MAX_IDS]


def _number(raw: str, field: str) -> float:
    try:
        return float(raw.replace(",", ".").strip())
    except ValueError as error:
        raise Invalid("“{value}” is not a number.", field=field, value=raw[:20]) from error


def course_form(form: Mapping[str, str], editing: bool) -> dict[str, Any]:
    """Blank category / validity / pass mark mean none (no exam: attending passes); roles are checkboxes."""
    values: dict[str, Any] = {key: form[key] for key in ("code", "title", "hours") if key in form}
    values["category"] = form.get("category") or None
    values["validity_months"] = form.get("validity_months") or None
    values["pass_mark"] = form.get("pass_mark") or None
    values["required_roles"] = [role.value for role in Role if form.get(f"role_{role.value}") == "on"]
    values["is_service_manager_cert"] = form.get("is_service_manager_cert") == "on"
    if editing:
        values.pop("code", None)
        values["is_active"] = form.get("is_active") == "on"
    return values


def session_form(form: Mapping[str, str]) -> dict[str, Any]:
    """A browser's date-time field has no zone: it is the organisation's local time."""
    values: dict[str, Any] = dict(form)
    if not form.get("cost", "").strip():
        values.pop("cost", None)
    raw = form.get("starts_at", "").strip()
    if raw:
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError as error:
            raise Invalid("“{value}” is not a date and time.", field="starts_at", value=raw[:30]) from error
        values["starts_at"] = (
            moment if moment.tzinfo else moment.replace(tzinfo=clock.org_zone())
        ).isoformat()
    return values


def roll_call_entries(form: Mapping[str, str], recorded: set[int]) -> list[RollCallEntry]:
    """One entry per row of the form that says something: ticked, scored, or already on record."""
    entries = []
    for key in form:
        if not key.startswith("row_"):
            continue
        user_id = parse_id(key.removeprefix("row_"), "user_id")
        attended = form.get(f"attended_{user_id}") == "on"
        raw_score = form.get(f"score_{user_id}", "").strip()
        score = _number(raw_score, "score") if raw_score else None
        if attended or score is not None or user_id in recorded:
            entries.append(RollCallEntry(user_id=user_id, attended=attended, score=score))
    return entries


def split_upload(form: Mapping[str, Any]) -> tuple[dict[str, str], UploadFile | None]:
    """Text fields and the uploaded scan of a multipart form."""
    upload = form.get("scan")
    fields = {key: str(value) for key, value in form.items() if not isinstance(value, UploadFile)}
    return fields, upload if isinstance(upload, UploadFile) and upload.filename else None
