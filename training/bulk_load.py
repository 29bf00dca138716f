"""Bulk loads for the history import: courses (with their roles), sessions, attendance, certificates.

The functions take rows already validated (values by column name of the bundle's file) and the
origin (`import:<bundle sha256>`) and write with executemany inside the caller's open unit of work.
They record no audit event: the import records one for the whole bundle. Imported records are
history: an imported session has no trainer or place, an imported certificate no exam behind it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from service_ops import clock
from service_ops.bulk import execute_many, ids_by, select_in

Values = dict[str, Any]
Updates = Sequence[tuple[Values, Values]]
IMPORTED_PASS_MARK = 60  # the table's default


def _rows(inserts: Sequence[Values], updates: Updates) -> list[Values]:
    return [*inserts, *(v for v, _ in updates)]


async def existing_courses(codes: Collection[str]) -> dict[str, Values]:
    """Courses among `codes` as courses.csv values; roles and categories sorted."""
    rows = await select_in(
        "SELECT id, code, title, hours, validity_months, is_service_manager_cert, category "
        "FROM course WHERE code IN ({values})",
        codes,
    )
    roles: dict[int, list[str]] = {}
    for row in await select_in(
        "SELECT course, role FROM course_role WHERE course IN ({values})", [row["id"] for row in rows]
    ):
        roles.setdefault(row["course"], []).append(row["role"])
    found = {}
    for row in rows:
        category = row.pop("category")
        row["categories"] = [category] if category else []
        row["required_for_roles"] = sorted(roles.get(row.pop("id"), []))
        row["is_service_manager_cert"] = bool(row["is_service_manager_cert"])
        found[row["code"]] = row
    return found


async def load_courses(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Courses by code (at most one category each) and the roles that must pass them."""

    def params(v: Values) -> tuple[Any, ...]:
        category = v["categories"][0] if v["categories"] else None
        return (v["title"], v["hours"], category, v["validity_months"], v["is_service_manager_cert"])

    await execute_many(
        "INSERT INTO course (title, hours, category, validity_months, is_service_manager_cert, code, "
        "pass_mark, is_active, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*params(v), v["code"], IMPORTED_PASS_MARK, True, origin) for v in inserts],
    )
    await execute_many(
        "UPDATE course SET title = ?, hours = ?, category = ?, validity_months = ?, "
        "is_service_manager_cert = ? WHERE code = ?",
        [(*params(v), v["code"]) for v, _ in updates],
    )
    rows = _rows(inserts, updates)
    courses = await ids_by("course", "code", [v["code"] for v in rows])
    wanted = {(courses[v["code"]], role) for v in rows for role in v["required_for_roles"]}
    have = {
        (row["course"], row["role"])
        for row in await select_in(
            "SELECT course, role FROM course_role WHERE course IN ({values})", courses.values()
        )
    }
    await execute_many("DELETE FROM course_role WHERE course = ? AND role = ?", sorted(have - wanted))
    await execute_many("INSERT INTO course_role (course, role) VALUES (?, ?)", sorted(wanted - have))


async def existing_sessions(codes: Collection[str]) -> dict[str, Values]:
    rows = await select_in(
        "SELECT s.code, c.code AS course_code, s.starts_at, s.hours FROM training_session s "
        "JOIN course c ON c.id = s.course WHERE s.code IN ({values})",
        codes,
    )
    return {row["code"]: row for row in rows}


async def load_sessions(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Sessions by code (no trainer, no place: the history does not say)."""
    courses = await ids_by("course", "code", [v["course_code"] for v in _rows(inserts, updates)])
    now = clock.now()
    await execute_many(
        "INSERT INTO training_session (course, starts_at, hours, code, trainer, place, created_at, origin) "
        "VALUES (?, ?, ?, ?, NULL, '', ?, ?)",
        [(courses[v["course_code"]], v["starts_at"], v["hours"], v["code"], now, origin) for v in inserts],
    )
    await execute_many(
        "UPDATE training_session SET course = ?, starts_at = ?, hours = ? WHERE code = ?",
        [(courses[v["course_code"]], v["starts_at"], v["hours"], v["code"]) for v, _ in updates],
    )


def _score(value: Decimal | None) -> Decimal | int | None:
    return int(value) if value is not None and value == int(value) else value


async def existing_attendance(keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], Values]:
    """Roll-call lines among (session code, username) keys as attendance.csv values."""
    rows = await select_in(
        "SELECT s.code AS session_code, u.username AS staff_code, a.attended, a.score AS exam_score, "
        'a.passed FROM attendance a JOIN training_session s ON s.id = a."session" '
        'JOIN app_user u ON u.id = a."user" WHERE s.code IN ({values})',
        [key[0] for key in keys],
    )
    wanted = set(keys)
    found = {}
    for row in rows:
        key = (row["session_code"], row["staff_code"])
        if key in wanted:
            row.update(
                attended=bool(row["attended"]),
                passed=bool(row["passed"]),
                exam_score=_score(row["exam_score"]),
            )
            found[key] = row
    return found


async def load_attendance(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Roll-call lines by (session code, username)."""
    rows = _rows(inserts, updates)
    sessions = await ids_by("training_session", "code", [v["session_code"] for v in rows])
    users = await ids_by("app_user", "username", [v["staff_code"] for v in rows])
    now = clock.now()

    def params(v: Values) -> tuple[Any, ...]:
        return (
            v["attended"],
            v["exam_score"],
            v["passed"],
            sessions[v["session_code"]],
            users[v["staff_code"]],
        )

    await execute_many(
        'INSERT INTO attendance (attended, score, passed, "session", "user", recorded_at, origin) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*params(v), now, origin) for v in inserts],
    )
    await execute_many(
        'UPDATE attendance SET attended = ?, score = ?, passed = ? WHERE "session" = ? AND "user" = ?',
        [params(v) for v, _ in updates],
    )


async def existing_certificates(numbers: Collection[str]) -> dict[str, Values]:
    rows = await select_in(
        "SELECT t.number, u.username AS staff_code, c.code AS course_code, t.issued_on, t.expires_on "
        'FROM certificate t JOIN app_user u ON u.id = t."user" JOIN course c ON c.id = t.course '
        "WHERE t.number IN ({values})",
        numbers,
    )
    return {row["number"]: row for row in rows}


async def load_certificates(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Certificates by number, for a person (username) and a course (code)."""
    rows = _rows(inserts, updates)
    users = await ids_by("app_user", "username", [v["staff_code"] for v in rows])
    courses = await ids_by("course", "code", [v["course_code"] for v in rows])

    def params(v: Values) -> tuple[Any, ...]:
        return (users[v["staff_code"]], courses[v["course_code"]], v["issued_on"], v["expires_on"])

    await execute_many(
        'INSERT INTO certificate ("user", course, issued_on, expires_on, number, is_external, origin) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*params(v), v["number"], False, origin) for v in inserts],
    )
    await execute_many(
        'UPDATE certificate SET "user" = ?, course = ?, issued_on = ?, expires_on = ? WHERE number = ?',
        [(*params(v), v["number"]) for v, _ in updates],
    )
