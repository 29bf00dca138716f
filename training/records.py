"""Read-only queries over certificates: the staff qualification matrix and a person's training record."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from service_ops.choices import ProductCategory, Role
from service_ops.errors import NotFound
from service_ops.tables import User
from training.choices import CertificateState
from training.queries import EXPIRY_WARNING_DAYS, days_after, required_courses
from training.schemas import (
    CertificateRead,
    MatrixCell,
    MatrixCourse,
    MatrixRow,
    PersonAttendance,
    QualificationMatrix,
    TrainingRecord,
)
from training.tables import Attendance, Certificate, Course

MATRIX_LIMIT = 500
CERTIFICATE_PAGE = 200


def certificate_state(row: dict[str, Any], on: date) -> CertificateState:
    """A certificate's state on day `on` (expiring: valid, with its last day within 30 days)."""
    if row["revoked_on"] is not None:
        return CertificateState.REVOKED
    if row["issued_on"] > on:
        return CertificateState.NOT_YET_VALID
    expires_on = row["expires_on"]
    if expires_on is not None and expires_on < on:
        return CertificateState.EXPIRED
    if expires_on is not None and expires_on <= days_after(on, EXPIRY_WARNING_DAYS):
        return CertificateState.EXPIRING
    return CertificateState.VALID


_CERTIFICATE_COLUMNS = (
    *Certificate.all_columns(),
    Certificate.user.display_name.as_alias("user_name"),
    Certificate.course.code.as_alias("course_code"),
    Certificate.course.title.as_alias("course_title"),
    Certificate.course.category.as_alias("category"),
)


def _certificate_read(row: dict[str, Any], on: date) -> CertificateRead:
    return CertificateRead(
        id=row["id"],
        number=row["number"],
        user_id=row["user"],
        user_name=row["user_name"],
        course_id=row["course"],
        course_code=row["course_code"],
        course_title=row["course_title"],
        category=ProductCategory(row["category"]) if row["category"] else None,
        issued_on=row["issued_on"],
        expires_on=row["expires_on"],
        is_external=row["is_external"],
        issuer=row["issuer"],
        has_scan=row["scan_path"] is not None,
        scan_sha256=row["scan_sha256"],
        revoked_on=row["revoked_on"],
        revoke_reason=row["revoke_reason"],
        state=certificate_state(row, on),
    )


async def get_certificate(certificate_id: int, on: date) -> CertificateRead:
    row = await Certificate.select(*_CERTIFICATE_COLUMNS).where(Certificate.id == certificate_id).first()
    if row is None:
        raise NotFound("Certificate {id} not found.", id=certificate_id)
    return _certificate_read(row, on)


async def certificate_scan_path(certificate_id: int) -> str:
    row = await Certificate.select(Certificate.scan_path).where(Certificate.id == certificate_id).first()
    if row is None or row["scan_path"] is None:
        raise NotFound("Certificate {id} has no scan.", id=certificate_id)
    return str(row["scan_path"])


async def list_certificates(on: date, user_id: int | None = None) -> list[CertificateRead]:
    """Certificates, newest first (of one person, or the latest of everyone)."""
    query = Certificate.select(*_CERTIFICATE_COLUMNS)
    if user_id is not None:
        query = query.where(Certificate.user == user_id)
    rows = await query.order_by(Certificate.issued_on, ascending=False).limit(CERTIFICATE_PAGE)
    return [_certificate_read(row, on) for row in rows]


def _cell(code: str, certificates: list[dict[str, Any]], on: date) -> MatrixCell:
    """The best a person holds for one required course: valid / expiring, else expired, else missing."""
    valid = [c for c in certificates if certificate_state(c, on).qualifies]
    if valid:
        best = max(valid, key=lambda c: c["expires_on"] or date.max)
        return MatrixCell(course_code=code, state=certificate_state(best, on), expires_on=best["expires_on"])
    expired = [c for c in certificates if certificate_state(c, on) == CertificateState.EXPIRED]
    if expired:
        latest = max(expired, key=lambda c: c["expires_on"])
        return MatrixCell(course_code=code, state=CertificateState.EXPIRED, expires_on=latest["expires_on"])
    return MatrixCell(course_code=code, state=CertificateState.MISSING)


async def active_user_ids_with_role(role: Role) -> list[int]:
    rows = await (
        User.select(User.id)
        .where((User.role == role.value) & User.is_active.eq(True))
        .order_by(User.display_name)
        .limit(MATRIX_LIMIT)
    )
    return [row["id"] for row in rows]


async def _certificates_by_person_and_course(
    user_ids: list[int], course_ids: list[int]
) -> dict[tuple[int, int], list[dict[str, Any]]]:
    held: dict[tuple[int, int], list[dict[str, Any]]] = {}
    rows = await Certificate.select(
        Certificate.user,
        Certificate.course,
        Certificate.issued_on,
        Certificate.expires_on,
        Certificate.revoked_on,
    ).where(Certificate.user.is_in(user_ids) & Certificate.course.is_in(course_ids))
    for row in rows:
        held.setdefault((row["user"], row["course"]), []).append(row)
    return held


def _matrix_row(
    person: dict[str, Any],
    courses: list[dict[str, Any]],
    needed: dict[int, str],
    held: dict[tuple[int, int], list[dict[str, Any]]],
    on: date,
) -> MatrixRow:
    cells = [
        _cell(course["code"], held.get((person["id"], course["id"]), []), on)
        if course["id"] in needed
        else MatrixCell(course_code=course["code"], state=CertificateState.NOT_REQUIRED)
        for course in courses
    ]
    return MatrixRow(
        user_id=person["id"], display_name=person["display_name"], role=Role(person["role"]), cells=cells
    )


async def qualification_matrix(user_ids: Collection[int], on: date) -> QualificationMatrix:
    """Staff × the courses their roles require; each cell valid / expiring / expired / missing (4 queries)."""
    ids = list(set(user_ids))[:MATRIX_LIMIT] or [0]
    people = await User.select(User.id, User.display_name, User.role).where(User.id.is_in(ids))
    people.sort(key=lambda person: (person["display_name"], person["id"]))
    required = await required_courses(None, {person["role"] for person in people})
    course_ids = sorted({course_id for courses in required.values() for course_id in courses}) or [0]
    courses = await (
        Course.select(Course.id, Course.code, Course.title, Course.category)
        .where(Course.id.is_in(course_ids))
        .order_by(Course.code)
    )
    held = await _certificates_by_person_and_course(ids, course_ids)
    return QualificationMatrix(
        on=on,
        courses=[
            MatrixCourse(
                id=c["id"],
                code=c["code"],
                title=c["title"],
                category=ProductCategory(c["category"]) if c["category"] else None,
            )
            for c in courses
        ],
        rows=[_matrix_row(p, courses, required.get(p["role"], {}), held, on) for p in people],
    )


def _qualified_categories(matrix: QualificationMatrix) -> list[ProductCategory]:
    """Categories whose required courses the (single) person all holds: the rule of `qualification`."""
    row = matrix.rows[0]
    states: dict[ProductCategory, list[bool]] = {}
    for course, cell in zip(matrix.courses, row.cells, strict=True):
        if course.category is not None and cell.state != CertificateState.NOT_REQUIRED:
            states.setdefault(course.category, []).append(cell.state.qualifies)
    return [category for category in ProductCategory if states.get(category) and all(states[category])]


async def _attendance_of(user_id: int) -> list[PersonAttendance]:
    lines = await (
        Attendance.select(
            Attendance.session,
            Attendance.session._.course._.code.as_alias("course_code"),
            Attendance.session._.course._.title.as_alias("course_title"),
            Attendance.session.starts_at,
            Attendance.session.hours,
            Attendance.attended,
            Attendance.score,
            Attendance.passed,
        )
        .where(Attendance.user == user_id)
        .order_by(Attendance.session.starts_at, ascending=False)
    )
    return [
        PersonAttendance(
            session_id=line["session"],
            course_code=line["course_code"],
            course_title=line["course_title"],
            starts_at=line["session.starts_at"],
            hours=float(line["session.hours"]),
            attended=line["attended"],
            score=float(line["score"]) if line["score"] is not None else None,
            passed=line["passed"],
        )
        for line in lines
    ]


async def training_record(user_id: int, on: date) -> TrainingRecord:
    """Everything about one person's training: sessions, hours, certificates, what their role requires."""
    user = await User.select(User.username, User.display_name, User.role).where(User.id == user_id).first()
    if user is None:
        raise NotFound("Person {id} not found.", id=user_id)
    attendance = await _attendance_of(user_id)
    matrix = await qualification_matrix([user_id], on)
    return TrainingRecord(
        user_id=user_id,
        username=user["username"],
        display_name=user["display_name"],
        role=Role(user["role"]),
        on=on,
        hours_attended=float(sum(line.hours for line in attendance if line.attended)),
        attendance=attendance,
        certificates=await list_certificates(on, user_id),
        qualified_categories=_qualified_categories(matrix),
        required=matrix.rows[0].cells,
    )
