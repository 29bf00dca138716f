"""Shapes at the HTTP edge for courses, sessions, roll calls, certificates and qualifications."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from service_ops.choices import ProductCategory, Role
from service_ops.schemas import Id
from training.choices import CertificateState

Months = Annotated[int, msgspec.Meta(ge=1, le=600)]
Mark = Annotated[int, msgspec.Meta(ge=0, le=100)]


class CourseCreate(msgspec.Struct, kw_only=True):
    code: str
    title: str
    hours: float
    category: ProductCategory | None = None
    required_roles: list[Role] = []
    validity_months: Months | None = None
    pass_mark: Mark | None = 60
    is_service_manager_cert: bool = False
    is_active: bool = True


class CourseUpdate(msgspec.Struct, kw_only=True):
    """Only the fields given change (the code never does)."""

    title: str | UnsetType = UNSET
    hours: float | UnsetType = UNSET
    category: ProductCategory | UnsetType | None = UNSET
    required_roles: list[Role] | UnsetType = UNSET
    validity_months: Months | UnsetType | None = UNSET
    pass_mark: Mark | UnsetType | None = UNSET
    is_service_manager_cert: bool | UnsetType = UNSET
    is_active: bool | UnsetType = UNSET


class CourseRead(msgspec.Struct, kw_only=True):
    id: int
    code: str
    title: str
    hours: float
    category: ProductCategory | None
    required_roles: list[Role]
    validity_months: int | None
    pass_mark: int | None
    is_service_manager_cert: bool
    is_active: bool


class SessionCreate(msgspec.Struct, kw_only=True):
    course_id: Id
    starts_at: datetime
    trainer_id: Id
    place: str
    hours: float | None = None
    cost: Decimal | None = None


class SessionRead(msgspec.Struct, kw_only=True):
    id: int
    course_id: int
    course_code: str
    course_title: str
    starts_at: datetime
    hours: float
    trainer_id: int
    trainer_name: str
    place: str


class RollCallEntry(msgspec.Struct, kw_only=True):
    """One person's line: attended or not, and the exam score (0–100) if the course has an exam."""

    user_id: Id
    attended: bool
    score: float | None = None


class RollCall(msgspec.Struct, kw_only=True):
    entries: list[RollCallEntry]


class AttendanceRead(msgspec.Struct, kw_only=True):
    user_id: int
    username: str
    display_name: str
    role: Role
    attended: bool
    score: float | None
    passed: bool
    recorded_at: datetime | None
    certificate_number: str | None


class SessionDetail(SessionRead, kw_only=True):
    pass_mark: int | None
    attendance: list[AttendanceRead]


class ExternalCertificateCreate(msgspec.Struct, kw_only=True):
    """A certificate issued by another body; recorded only with a scan of it."""

    user_id: Id
    course_id: Id
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None = None


class CertificateRevoke(msgspec.Struct, kw_only=True):
    reason: str


class CertificateRead(msgspec.Struct, kw_only=True):
    id: int
    number: str
    user_id: int
    user_name: str
    course_id: int
    course_code: str
    course_title: str
    category: ProductCategory | None
    issued_on: date
    expires_on: date | None
    is_external: bool
    issuer: str | None
    has_scan: bool
    scan_sha256: str | None
    revoked_on: date | None
    revoke_reason: str | None
    state: CertificateState


class QualificationRead(msgspec.Struct, kw_only=True):
    user_id: int
    category: ProductCategory
    on: date
    qualified: bool
    missing: list[str]
    reason: str | None


class MatrixCourse(msgspec.Struct, kw_only=True):
    id: int
    code: str
    title: str
    category: ProductCategory | None


class MatrixCell(msgspec.Struct, kw_only=True):
    course_code: str
    state: CertificateState
    expires_on: date | None = None


class MatrixRow(msgspec.Struct, kw_only=True):
    user_id: int
    display_name: str
    role: Role
    cells: list[MatrixCell]


class QualificationMatrix(msgspec.Struct, kw_only=True):
    on: date
    courses: list[MatrixCourse]
    rows: list[MatrixRow]


class PersonAttendance(msgspec.Struct, kw_only=True):
    session_id: int
    course_code: str
    course_title: str
    starts_at: datetime
    hours: float
    attended: bool
    score: float | None
    passed: bool


class TrainingRecord(msgspec.Struct, kw_only=True):
    user_id: int
    username: str
    display_name: str
    role: Role
    on: date
    hours_attended: float
    attendance: list[PersonAttendance]
    certificates: list[CertificateRead]
    qualified_categories: list[ProductCategory]
    required: list[MatrixCell]
