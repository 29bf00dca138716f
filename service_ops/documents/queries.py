"""Read-only queries of controlled documents and the registers; `current_documents`,
`current_appointments` and `targets_covering` are what audit_export reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from service_ops.documents.choices import DocumentKind, DocumentStatus, Horizon, RewardKind
from service_ops.documents.schemas import (
    CurrentDocument,
    DocumentRead,
    ManagementReviewRead,
    RewardPenaltyRead,
    ServiceTargetRead,
)
from service_ops.documents.tables import ControlledDocument, ManagementReview, RewardPenalty, ServiceTarget
from service_ops.errors import NotFound
from service_ops.tables import User

D = ControlledDocument
_DOCUMENT_COLUMNS = (
    D.id,
    D.kind,
    D.title,
    D.version,
    D.status,
    D.filename,
    D.media_type,
    D.size_bytes,
    D.sha256,
    D.approver,
    D.approver.display_name,
    D.approved_on,
    D.effective_on,
    D.appointee,
    D.appointee.display_name,
    D.superseded_by,
    D.superseded_on,
    D.retired_on,
    D.retire_reason,
    D.created_at,
)


@dataclass(frozen=True)
class Appointment:
    """Who the current appointment document of a kind names (管理者代表 / 服务监督)."""

    kind: DocumentKind
    document_id: int
    title: str
    version: str
    effective_on: date
    user_id: int
    name: str
    is_active: bool


def _document(row: dict[str, Any]) -> DocumentRead:
    return DocumentRead(
        id=row["id"],
        kind=DocumentKind(row["kind"]),
        title=row["title"],
        version=row["version"],
        status=DocumentStatus(row["status"]),
        filename=row["filename"],
        media_type=row["media_type"],
        size_bytes=row["size_bytes"],
        sha256=row["sha256"],
        approver_id=row["approver"],
        approver_name=row["approver.display_name"],
        approved_on=row["approved_on"],
        effective_on=row["effective_on"],
        appointee_id=row["appointee"],
        appointee_name=row["appointee.display_name"],
        superseded_by_id=row["superseded_by"],
        superseded_on=row["superseded_on"],
        retired_on=row["retired_on"],
        retire_reason=row["retire_reason"],
        created_at=row["created_at"],
        download_url=f"/documents/{row['id']}/file",
    )


async def get_document(document_id: int) -> DocumentRead:
    row = await D.select(*_DOCUMENT_COLUMNS).where(D.id == document_id).first()
    if row is None:
        raise NotFound("Document {id} not found.", id=document_id)
    return _document(row)


async def list_documents(
    kind: DocumentKind | None = None, status: DocumentStatus | None = None
) -> list[DocumentRead]:
    """Every version, newest first within each kind (the history stays)."""
    query = D.select(*_DOCUMENT_COLUMNS)
    if kind is not None:
        query = query.where(D.kind == kind.value)
    if status is not None:
        query = query.where(D.status == status.value)
    rows = (
        await query.order_by(D.kind).order_by(D.effective_on, ascending=False).order_by(D.id, ascending=False)
    )
    return [_document(row) for row in rows]


async def current_documents() -> list[CurrentDocument]:
    """Every kind, in the order of `DocumentKind`, with its current version or None."""
    current = {doc.kind: doc for doc in await list_documents(status=DocumentStatus.CURRENT)}
    return [CurrentDocument(kind=kind, document=current.get(kind)) for kind in DocumentKind]


async def current_document(kind: DocumentKind) -> DocumentRead | None:
    row = (
        await D.select(*_DOCUMENT_COLUMNS)
        .where((D.kind == kind.value) & (D.status == DocumentStatus.CURRENT.value))
        .first()
    )
    return _document(row) if row else None


async def current_appointments() -> dict[DocumentKind, Appointment]:
    """The management representative and the supervision function named by current appointments."""
    rows = await D.select(
        D.id,
        D.kind,
        D.title,
        D.version,
        D.effective_on,
        D.appointee,
        D.appointee.display_name,
        D.appointee.is_active,
    ).where(
        D.kind.is_in([kind.value for kind in DocumentKind if kind.appoints])
        & (D.status == DocumentStatus.CURRENT.value)
        & D.appointee.is_not_null()
    )
    return {
        DocumentKind(row["kind"]): Appointment(
            kind=DocumentKind(row["kind"]),
            document_id=row["id"],
            title=row["title"],
            version=row["version"],
            effective_on=row["effective_on"],
            user_id=row["appointee"],
            name=row["appointee.display_name"],
            is_active=bool(row["appointee.is_active"]),
        )
        for row in rows
    }


async def document_file(document_id: int) -> tuple[str, str, str]:
    """(relative path, media type, original file name) of a version's file."""
    row = await D.select(D.file_path, D.media_type, D.filename).where(D.id == document_id).first()
    if row is None:
        raise NotFound("Document {id} not found.", id=document_id)
    return row["file_path"], row["media_type"], row["filename"]


T = ServiceTarget
_TARGET_COLUMNS = (
    T.id,
    T.horizon,
    T.period_from,
    T.period_to,
    T.kpi_code,
    T.target,
    T.owner,
    T.owner.display_name,
    T.note,
    T.created_at,
)


def _target(row: dict[str, Any]) -> ServiceTargetRead:
    return ServiceTargetRead(
        id=row["id"],
        horizon=Horizon(row["horizon"]),
        period_from=row["period_from"],
        period_to=row["period_to"],
        kpi_code=row["kpi_code"],
        target=row["target"],
        owner_id=row["owner"],
        owner_name=row["owner.display_name"],
        note=row["note"],
        created_at=row["created_at"],
    )


async def list_targets(horizon: Horizon | None = None) -> list[ServiceTargetRead]:
    query = T.select(*_TARGET_COLUMNS)
    if horizon is not None:
        query = query.where(T.horizon == horizon.value)
    rows = await query.order_by(T.period_from, ascending=False).order_by(T.kpi_code).order_by(T.id)
    return [_target(row) for row in rows]


async def get_target(target_id: int) -> ServiceTargetRead:
    row = await T.select(*_TARGET_COLUMNS).where(T.id == target_id).first()
    if row is None:
        raise NotFound("Service target {id} not found.", id=target_id)
    return _target(row)


async def targets_covering(day: date, horizon: Horizon = Horizon.ANNUAL) -> dict[str, ServiceTargetRead]:
    """KPI code → the target of `horizon` whose period covers `day` (the register wins over the rubric)."""
    rows = await T.select(*_TARGET_COLUMNS).where(
        (T.horizon == horizon.value) & (T.period_from <= day) & (T.period_to >= day)
    )
    return {row["kpi_code"]: _target(row) for row in rows}


def _review(row: dict[str, Any]) -> ManagementReviewRead:
    return ManagementReviewRead(
        id=row["id"],
        held_on=row["held_on"],
        attendees=[line for line in row["attendees"].split("\n") if line],
        inputs=row["inputs"],
        decisions=row["decisions"],
        actions=row["actions"],
        created_at=row["created_at"],
    )


async def list_reviews() -> list[ManagementReviewRead]:
    rows = (
        await ManagementReview.select()
        .order_by(ManagementReview.held_on, ascending=False)
        .order_by(ManagementReview.id, ascending=False)
    )
    return [_review(row) for row in rows]


async def get_review(review_id: int) -> ManagementReviewRead:
    row = await ManagementReview.select().where(ManagementReview.id == review_id).first()
    if row is None:
        raise NotFound("Management review {id} not found.", id=review_id)
    return _review(row)


def _reward(row: dict[str, Any]) -> RewardPenaltyRead:
    return RewardPenaltyRead(
        id=row["id"],
        decided_on=row["decided_on"],
        kind=RewardKind(row["kind"]),
        person_id=row["person"],
        outlet_id=row["outlet_id"],
        subject_name=row["subject_name"],
        reason=row["reason"],
        amount=None if row["amount_fen"] is None else Decimal(row["amount_fen"]).scaleb(-2),
        corrects_id=row["corrects"],
        corrected_by_id=row["corrected_by"],
        created_at=row["created_at"],
    )


async def list_rewards() -> list[RewardPenaltyRead]:
    rows = (
        await RewardPenalty.select()
        .order_by(RewardPenalty.decided_on, ascending=False)
        .order_by(RewardPenalty.id, ascending=False)
    )
    return [_reward(row) for row in rows]


async def get_reward(record_id: int) -> RewardPenaltyRead:
    row = await RewardPenalty.select().where(RewardPenalty.id == record_id).first()
    if row is None:
        raise NotFound("Reward or penalty {id} not found.", id=record_id)
    return _reward(row)


async def people() -> list[dict[str, Any]]:
    """Active people to choose from (approver, appointee, owner, person rewarded)."""
    return list(
        await User.select(User.id, User.display_name, User.username, User.role)
        .where(User.is_active.eq(True))
        .order_by(User.display_name)
    )
