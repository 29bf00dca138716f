"""Read-only queries for the course catalogue, sessions and their roll calls."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import msgspec

from service_ops import clock
from service_ops.choices import ProductCategory, Role
from service_ops.errors import NotFound
from service_ops.tables import User
from training.queries import valid_on
from training.schemas import AttendanceRead, CourseRead, SessionDetail, SessionRead
from training.tables import Attendance, Certificate, Course, CourseRole, TrainingSession

ROSTER_LIMIT = 100
SESSION_PAGE = 100


def _course_read(row: dict[str, Any], roles: list[str]) -> CourseRead:
    return CourseRead(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        hours=float(row["hours"]),
        category=ProductCategory(row["category"]) if row["category"] else None,
        required_roles=[Role(role) for role in roles],
        validity_months=row["validity_months"],
        pass_mark=row["pass_mark"],
        is_service_manager_cert=row["is_service_manager_cert"],
        is_active=row["is_active"],
    )


async def list_courses(active_only: bool = False) -> list[CourseRead]:
    query = Course.select().order_by(Course.code)
    if active_only:
        query = query.where(Course.is_active.eq(True))
    rows = await query
    roles: dict[int, list[str]] = {}
    for row in await CourseRole.select(CourseRole.course, CourseRole.role).order_by(CourseRole.role):
        roles.setdefault(row["course"], []).append(row["role"])
    return [_course_read(row, roles.get(row["id"], [])) for row in rows]


async def get_course(course_id: int) -> CourseRead:
    row = await Course.select().where(Course.id == course_id).first()
    if row is None:
        raise NotFound("Course {id} not found.", id=course_id)
    role_rows = await CourseRole.select(CourseRole.role).where(CourseRole.course == course_id)
    return _course_read(row, sorted(r["role"] for r in role_rows))


_SESSION_COLUMNS = (
    TrainingSession.id,
    TrainingSession.course,
    TrainingSession.course.code.as_alias("course_code"),
    TrainingSession.course.title.as_alias("course_title"),
    TrainingSession.course.pass_mark.as_alias("pass_mark"),
    TrainingSession.starts_at,
    TrainingSession.hours,
    TrainingSession.trainer,
    TrainingSession.trainer.display_name.as_alias("trainer_name"),
    TrainingSession.place,
)


def _session_read(row: dict[str, Any]) -> SessionRead:
    return SessionRead(
        id=row["id"],
        course_id=row["course"],
        course_code=row["course_code"],
        course_title=row["course_title"],
        starts_at=row["starts_at"],
        hours=float(row["hours"]),
        trainer_id=row["trainer"],
        trainer_name=row["trainer_name"],
        place=row["place"],
    )


async def list_sessions(course_id: int | None = None) -> list[SessionRead]:
    """The latest sessions first (of one course, or of all)."""
    query = TrainingSession.select(*_SESSION_COLUMNS)
    if course_id is not None:
        query = query.where(TrainingSession.course == course_id)
    rows = await query.order_by(TrainingSession.starts_at, ascending=False).limit(SESSION_PAGE)
    return [_session_read(row) for row in rows]


async def _attendance_lines(session_id: int) -> list[AttendanceRead]:
    lines = await Attendance.select(
        Attendance.id,
        Attendance.user,
        Attendance.user.username,
        Attendance.user.display_name,
        Attendance.user.role,
        Attendance.attended,
        Attendance.score,
        Attendance.passed,
        Attendance.recorded_at,
    ).where(Attendance.session == session_id)
    numbers = await Certificate.select(Certificate.attendance, Certificate.number).where(
        Certificate.attendance.is_in([line["id"] for line in lines] or [0])
    )
    by_attendance = {number["attendance"]: number["number"] for number in numbers}
    attendance = [
        AttendanceRead(
            user_id=line["user"],
            username=line["user.username"],
            display_name=line["user.display_name"],
            role=Role(line["user.role"]),
            attended=line["attended"],
            score=float(line["score"]) if line["score"] is not None else None,
            passed=line["passed"],
            recorded_at=line["recorded_at"],
            certificate_number=by_attendance.get(line["id"]),
        )
        for line in lines
    ]
    return sorted(attendance, key=lambda item: (item.display_name, item.user_id))


async def get_session(session_id: int) -> SessionDetail:
    """A session with its recorded roll call, by name."""
    row = await TrainingSession.select(*_SESSION_COLUMNS).where(TrainingSession.id == session_id).first()
    if row is None:
        raise NotFound("Training session {id} not found.", id=session_id)
    read = _session_read(row)
    return SessionDetail(
        **msgspec.structs.asdict(read),
        pass_mark=row["pass_mark"],
        attendance=await _attendance_lines(session_id),
    )


async def roll_call_roster(
    session: SessionDetail, extra_user_ids: Collection[int] = ()
) -> list[AttendanceRead]:
    """One line per person for the roll-call form: those already recorded, anyone added by hand (always),
    and (up to a page) the active staff whose role requires the course and who hold no valid certificate.
    """
    recorded = {line.user_id: line for line in session.attendance}
    role_rows = await CourseRole.select(CourseRole.role).where(CourseRole.course == session.course_id)
    certified = Certificate.select(Certificate.user).where(
        (Certificate.course == session.course_id) & valid_on(clock.today())
    )
    needing = User.role.is_in([r["role"] for r in role_rows] or [""]) & User.id.not_in(certified)
    columns = (User.id, User.username, User.display_name, User.role)
    added = await User.select(*columns).where(
        User.is_active.eq(True) & User.id.is_in(list(extra_user_ids)[:ROSTER_LIMIT] or [0])
    )
    suggested = await (
        User.select(*columns)
        .where(User.is_active.eq(True) & needing)
        .order_by(User.display_name)
        .limit(ROSTER_LIMIT)
    )
    people = list({person["id"]: person for person in [*added, *suggested]}.values())
    roster = list(recorded.values()) + [
        AttendanceRead(
            user_id=person["id"],
            username=person["username"],
            display_name=person["display_name"],
            role=Role(person["role"]),
            attended=False,
            score=None,
            passed=False,
            recorded_at=None,
            certificate_number=None,
        )
        for person in people
        if person["id"] not in recorded
    ]
    return sorted(roster, key=lambda line: (line.display_name, line.user_id))


async def user_ids_for_usernames(usernames: Collection[str]) -> list[int]:
    names = [name.strip().lower() for name in usernames if name.strip()]
    if not names:
        return []
    return [row["id"] for row in await User.select(User.id).where(User.username.is_in(names[:ROSTER_LIMIT]))]


async def trainers() -> list[dict[str, Any]]:
    """Who can teach a session: active trainers and administrators."""
    return list(
        await User.select(User.id, User.display_name)
        .where(User.role.is_in([Role.TRAINER.value, Role.ADMIN.value]) & User.is_active.eq(True))
        .order_by(User.display_name)
    )
