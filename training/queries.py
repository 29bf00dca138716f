"""Read-only queries of the training domain; `qualification`, `qualified_user_ids` and
`expiring_certificates` are the contract other domains (dispatch, assignment, expiry notices) use.

The rule: the courses required for (role R, category X) are the active courses whose category is X
and whose required roles include R. A person is qualified on day D iff that set is non-empty and, for
every such course, they hold a certificate that is not revoked, issued on or before D, and expires
on or after D (or never). An expired certificate stops qualifying the day after `expires_on`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from piccolo.columns.combination import Combinable

from service_ops.errors import N_, NotFound
from service_ops.tables import User
from training.tables import Certificate, CourseRole

NO_QUALIFYING_COURSE = N_("No course qualifies this role for this product category.")
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class Qualification:
    qualified: bool
    missing: list[str]
    """Course codes lacking a valid certificate."""
    reason: str | None
    """Untranslated message id when no course qualifies, else None."""


@dataclass(frozen=True)
class ExpiringCertificate:
    certificate_id: int
    number: str
    user_id: int
    course_code: str
    course_title: str
    expires_on: date


def days_after(day: date, days: int) -> date:
    """`day` plus `days`, or the last representable day (a far-future query must not overflow)."""
    return day + timedelta(days=days) if day <= date.max - timedelta(days=days) else date.max


def valid_on(on: date) -> Combinable:
    """Where-clause: the certificate counts on day `on`."""
    return (
        Certificate.revoked_on.is_null()
        & (Certificate.issued_on <= on)
        & (Certificate.expires_on.is_null() | (Certificate.expires_on >= on))
    )


async def required_courses(category: str | None, roles: Iterable[str]) -> dict[str, dict[int, str]]:
    """role → {course id: course code} of the active courses required for it (one query).

    `category` None: every required course, whatever it qualifies for.
    """
    where = CourseRole.role.is_in(list(set(roles)) or [""]) & CourseRole.course._.is_active.eq(True)
    if category is not None:
        where &= CourseRole.course.category == category
    rows = await CourseRole.select(CourseRole.role, CourseRole.course, CourseRole.course.code).where(where)
    required: dict[str, dict[int, str]] = {}
    for row in rows:
        required.setdefault(row["role"], {})[row["course"]] = row["course.code"]
    return required


async def held_courses(
    user_ids: Collection[int], course_ids: Collection[int], on: date
) -> set[tuple[int, int]]:
    """(user id, course id) pairs with a certificate valid on `on` (one query)."""
    if not user_ids or not course_ids:
        return set()
    rows = await (
        Certificate.select(Certificate.user, Certificate.course)
        .where(
            Certificate.user.is_in(list(user_ids)) & Certificate.course.is_in(list(course_ids)) & valid_on(on)
        )
        .distinct()
    )
    return {(row["user"], row["course"]) for row in rows}


async def qualification(user_id: int, category: str, on: date) -> Qualification:
    """Is this person qualified for `category` on `on`, and if not, what is missing (≤ 3 queries)."""
    user = await User.select(User.role).where(User.id == user_id).first()
    if user is None:
        raise NotFound("Person {id} not found.", id=user_id)
    required = (await required_courses(category, [user["role"]])).get(user["role"], {})
    if not required:
        return Qualification(qualified=False, missing=[], reason=NO_QUALIFYING_COURSE)
    held = await held_courses([user_id], list(required), on)
    missing = sorted(code for course_id, code in required.items() if (user_id, course_id) not in held)
    return Qualification(qualified=not missing, missing=missing, reason=None)


async def qualified_user_ids(user_ids: Collection[int], category: str, on: date) -> set[int]:
    """Those of `user_ids` qualified for `category` on `on`: three queries, whatever the number of people."""
    ids = list(set(user_ids))
    if not ids:
        return set()
    roles = {
        row["id"]: row["role"] for row in await User.select(User.id, User.role).where(User.id.is_in(ids))
    }
    required = await required_courses(category, roles.values())
    course_ids = {course_id for courses in required.values() for course_id in courses}
    held = await held_courses(list(roles), course_ids, on)
    return {
        user_id
        for user_id, role in roles.items()
        if required.get(role) and all((user_id, course_id) in held for course_id in required[role])
    }


async def expiring_certificates(
    on: date, within_days: int = EXPIRY_WARNING_DAYS
) -> list[ExpiringCertificate]:
    """Valid certificates of active staff whose last valid day falls within `within_days` of `on`,
    soonest first; a certificate already renewed (a later one of the same course) is left out.
    """
    until = days_after(on, within_days)
    rows = await (
        Certificate.select(
            Certificate.id,
            Certificate.number,
            Certificate.user,
            Certificate.course,
            Certificate.course.code,
            Certificate.course.title,
            Certificate.expires_on,
        )
        .where(valid_on(on) & (Certificate.expires_on <= until) & Certificate.user._.is_active.eq(True))
        .order_by(Certificate.expires_on)
        .order_by(Certificate.id)
    )
    renewed = await _latest_expiry(rows, on)
    return [
        ExpiringCertificate(
            certificate_id=row["id"],
            number=row["number"],
            user_id=row["user"],
            course_code=row["course.code"],
            course_title=row["course.title"],
            expires_on=row["expires_on"],
        )
        for row in rows
        if not _renewed(renewed.get((row["user"], row["course"]), row["expires_on"]), row["expires_on"])
    ]


async def _latest_expiry(rows: list[dict[str, Any]], on: date) -> dict[tuple[int, int], date | None]:
    """(user, course) → the latest expiry of their certificates still valid on `on` (None: never)."""
    if not rows:
        return {}
    others = await Certificate.select(Certificate.user, Certificate.course, Certificate.expires_on).where(
        Certificate.user.is_in(list({row["user"] for row in rows}))
        & Certificate.course.is_in(list({row["course"] for row in rows}))
        & Certificate.revoked_on.is_null()
        & (Certificate.expires_on.is_null() | (Certificate.expires_on >= on))
    )
    latest: dict[tuple[int, int], date | None] = {}
    for row in others:
        key, expires = (row["user"], row["course"]), row["expires_on"]
        if key not in latest:
            latest[key] = expires
            continue
        current = latest[key]
        if current is not None and (expires is None or expires > current):
            latest[key] = expires
    return latest


def _renewed(latest: date | None, expires_on: date) -> bool:
    return latest is None or latest > expires_on
