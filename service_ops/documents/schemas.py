"""Shapes at the HTTP edge for controlled documents and the registers (msgspec Structs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import msgspec
from litestar.datastructures import UploadFile

from service_ops.documents.choices import DocumentKind, DocumentStatus, Horizon, RewardKind
from service_ops.schemas import Id


class DocumentCreate(msgspec.Struct, kw_only=True):
    """A new version of a controlled document; its file travels beside it (multipart)."""

    kind: DocumentKind
    title: str
    version: str
    approver_id: Id
    approved_on: date
    effective_on: date
    appointee_id: Id | None = None
    """The person appointed: required for the two appointment kinds, refused for the others."""


@dataclass
class DocumentUpload:
    """Multipart body of the API: the version's fields and its file."""

    kind: DocumentKind
    title: str
    version: str
    approver_id: int
    approved_on: date
    effective_on: date
    file: UploadFile
    appointee_id: int | None = None


class DocumentRetire(msgspec.Struct, kw_only=True):
    reason: str


class DocumentRead(msgspec.Struct, kw_only=True):
    id: int
    kind: DocumentKind
    title: str
    version: str
    status: DocumentStatus
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    approver_id: int
    approver_name: str
    approved_on: date
    effective_on: date
    appointee_id: int | None
    appointee_name: str | None
    superseded_by_id: int | None
    superseded_on: date | None
    retired_on: date | None
    retire_reason: str | None
    created_at: datetime
    download_url: str


class CurrentDocument(msgspec.Struct, kw_only=True):
    """A kind and its version in force (None: no current version)."""

    kind: DocumentKind
    document: DocumentRead | None


class ServiceTargetWrite(msgspec.Struct, kw_only=True):
    horizon: Horizon
    period_from: date
    period_to: date
    kpi_code: str
    target: str
    owner_id: Id
    note: str = ""


class ServiceTargetAmend(ServiceTargetWrite, kw_only=True):
    reason: str


class ServiceTargetRead(msgspec.Struct, kw_only=True):
    id: int
    horizon: Horizon
    period_from: date
    period_to: date
    kpi_code: str
    target: str
    owner_id: int
    owner_name: str
    note: str
    created_at: datetime


class ManagementReviewWrite(msgspec.Struct, kw_only=True):
    held_on: date
    attendees: list[str]
    inputs: str
    decisions: str
    actions: str


class ManagementReviewAmend(ManagementReviewWrite, kw_only=True):
    reason: str


class ManagementReviewRead(msgspec.Struct, kw_only=True):
    id: int
    held_on: date
    attendees: list[str]
    inputs: str
    decisions: str
    actions: str
    created_at: datetime


class RewardPenaltyWrite(msgspec.Struct, kw_only=True):
    """Given to a person (`person_id`) or an outlet (`outlet_id`), exactly one of them."""

    decided_on: date
    kind: RewardKind
    reason: str
    person_id: Id | None = None
    outlet_id: Id | None = None
    amount: Decimal | None = None


class RewardPenaltyCorrection(RewardPenaltyWrite, kw_only=True):
    correction_reason: str


class RewardPenaltyRead(msgspec.Struct, kw_only=True):
    id: int
    decided_on: date
    kind: RewardKind
    person_id: int | None
    outlet_id: int | None
    subject_name: str
    reason: str
    amount: Decimal | None
    corrects_id: int | None
    corrected_by_id: int | None
    created_at: datetime


class KpiCodeRead(msgspec.Struct, kw_only=True):
    code: str
    scale: str
