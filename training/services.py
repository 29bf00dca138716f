"""State changes for courses, sessions, roll calls and certificates: each one unit of work, audited."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

import msgspec
from piccolo.columns import Column

from service_ops import clock, idempotency
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import Conflict, Invalid, InvalidTransition, NotFound
from service_ops.fund import services as fund_services
from service_ops.fund.values import from_fen, to_fen
from service_ops.tables import User
from service_ops.uow import UnitOfWork, lock_row, unit_of_work
from service_ops.validation import required_text
from training import events, scans, validation
from training.roll_call import RawEntry, RollCallLine, issue_certificates, roll_call_lines, write_lines
from training.schemas import (
    CourseCreate,
    CourseUpdate,
    ExternalCertificateCreate,
    SessionCreate,
)
from training.tables import Certificate, Course, CourseRole, TrainingSession

TRAINING_ROLES = (Role.TRAINER, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
TEACHING_ROLES = (Role.TRAINER.value, Role.ADMIN.value)


async def _set_roles(course_id: int, roles: list[str]) -> None:
    await CourseRole.delete().where(CourseRole.course == course_id)
    if roles:
        await CourseRole.insert(*[CourseRole(course=course_id, role=role) for role in roles])


async def create_course(actor: Actor, data: CourseCreate) -> int:
    """Add a course to the catalogue, with the roles that must pass it."""
    check_role(actor, TRAINING_ROLES)
    code = validation.course_code(data.code)
    values = validation.course_values(msgspec.structs.asdict(data))
    roles = validation.roles(data.required_roles)
    async with unit_of_work(actor) as uow:
        if await Course.exists().where(Course.code == code):
            raise Conflict("Course code “{code}” already exists.", field="code", code=code)
        course = Course(code=code, **values)
        await course.save()
        await _set_roles(int(course.id), roles)
        uow.record(
            events.COURSE_CREATED,
            "course",
            course.id,
            after={"code": code, **values, "required_roles": roles},
        )
        return int(course.id)


async def update_course(actor: Actor, course_id: int, data: CourseUpdate) -> None:
    """Change a course; certificates already issued keep their dates."""
    check_role(actor, TRAINING_ROLES)
    async with unit_of_work(actor) as uow:
        row = await Course.select().where(Course.id == course_id).first()
        if row is None:
            raise NotFound("Course {id} not found.", id=course_id)
        role_rows = await CourseRole.select(CourseRole.role).where(CourseRole.course == course_id)
        before = {
            **{name: row[name] for name in validation.COURSE_FIELDS},
            "required_roles": sorted(r["role"] for r in role_rows),
        }
        given = {
            name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET
        }
        merged = {**before, **given}
        values = validation.course_values(merged)
        roles = validation.roles(merged["required_roles"])
        await Course.update(cast(dict[Column | str, Any], values)).where(Course.id == course_id)
        if roles != before["required_roles"]:
            await _set_roles(course_id, roles)
        uow.record(
            events.COURSE_UPDATED,
            "course",
            course_id,
            before=before,
            after={"code": row["code"], **values, "required_roles": roles},
        )


async def _check_trainer(trainer_id: int) -> None:
    trainer = await User.select(User.role, User.is_active).where(User.id == trainer_id).first()
    if trainer is None or not trainer["is_active"]:
        raise Invalid("Unknown trainer {id}.", field="trainer_id", id=trainer_id)
    if trainer["role"] not in TEACHING_ROLES:
        raise Invalid("Only a trainer or an administrator can teach a session.", field="trainer_id")


async def schedule_session(actor: Actor, data: SessionCreate, idempotency_key: str | None = None) -> int:
    """Put a session of a course on the calendar (past sessions may be recorded too)."""
    check_role(actor, TRAINING_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "schedule_session", idempotency_key)
    if replayed is not None:
        return int(replayed)
    place = required_text(data.place, "place", 200)
    given_hours = validation.hours(data.hours) if data.hours is not None else None
    if data.starts_at.tzinfo is None:
        raise Invalid("Times must carry a time zone (e.g. 2026-11-23T09:30:00+08:00).", field="starts_at")
    if not validation.EARLIEST <= data.starts_at.date() <= clock.today() + timedelta(days=3660):
        raise Invalid("A session starts between 2000 and ten years from now.", field="starts_at")
    async with unit_of_work(actor) as uow:
        course = (
            await Course.select(Course.hours, Course.is_active).where(Course.id == data.course_id).first()
        )
        if course is None or not course["is_active"]:
            raise Invalid("Unknown or inactive course {id}.", field="course_id", id=data.course_id)
        await _check_trainer(data.trainer_id)
        after: dict[str, Any] = {
            "course": data.course_id,
            "starts_at": data.starts_at,
            "hours": given_hours or validation.hours(course["hours"]),
            "trainer": data.trainer_id,
            "place": place,
            "cost_fen": _cost_fen(data.cost),
        }
        session = TrainingSession(**after, created_at=clock.now())
        await session.save()
        await idempotency.remember(actor, "schedule_session", idempotency_key, "training_session", session.id)
        uow.record(events.SESSION_SCHEDULED, "training_session", session.id, after=after)
        return int(session.id)


def _cost_fen(cost: Decimal | None) -> int | None:
    """A session's cost to the service fund: exact CNY, at most 2 decimals, not negative."""
    if cost is None:
        return None
    if cost < 0:
        raise Invalid("A session's cost cannot be negative.", field="cost")
    return to_fen(cost, "cost")


async def _post_cost(uow: UnitOfWork, session: dict[str, Any]) -> None:
    """A held session's cost is a training expense of the service fund (posted once per session)."""
    if session["cost_fen"]:
        held_on = session["starts_at"].astimezone(clock.org_zone()).date()
        await fund_services.post_training_session_cost(
            uow, session["id"], from_fen(session["cost_fen"]), held_on
        )


async def _locked_session(session_id: int) -> dict[str, Any]:
    await lock_row(TrainingSession, session_id)
    row = await (
        TrainingSession.select(
            TrainingSession.id,
            TrainingSession.course,
            TrainingSession.starts_at,
            TrainingSession.cost_fen,
            TrainingSession.course.pass_mark,
            TrainingSession.course.validity_months,
        )
        .where(TrainingSession.id == session_id)
        .first()
    )
    if row is None:
        raise NotFound("Training session {id} not found.", id=session_id)
    return row


async def _check_people(user_ids: Collection[int]) -> None:
    found = {row["id"] for row in await User.select(User.id).where(User.id.is_in(list(user_ids)))}
    unknown = sorted(set(user_ids) - found)
    if unknown:
        raise Invalid("Unknown person {id}.", field="user_id", id=unknown[0])


async def record_roll_call(actor: Actor, session_id: int, entries: Sequence[RawEntry]) -> list[int]:
    """Mark attendance and scores for many people at once; each pass earns one certificate.

    `entries`: RollCallEntry structs or (user id, attended, score or None) tuples. Returns the ids of
    the certificates issued now. Re-recording a result updates the person's line; a pass that already
    has its certificate (even a revoked one) gets no second one.
    """
    check_role(actor, TRAINING_ROLES)
    lines = roll_call_lines(entries)
    async with unit_of_work(actor) as uow:
        session = await _locked_session(session_id)
        if session["starts_at"] > clock.now():
            raise Invalid("Attendance can be recorded once the session has started.", field="session_id")
        await _check_people(lines)
        written = await write_lines(session_id, session["course.pass_mark"], lines)
        issued = await issue_certificates(session, written.pending)
        await _post_cost(uow, session)
        uow.record(
            events.ROLL_CALL_RECORDED,
            "training_session",
            session_id,
            before={"lines": written.before},
            after={"lines": [_line_snapshot(line) for line in written.lines]},
        )
        for certificate in issued:
            uow.record(events.CERTIFICATE_ISSUED, "certificate", certificate["id"], after=certificate)
        return [int(certificate["id"]) for certificate in issued]


def _line_snapshot(line: RollCallLine) -> dict[str, Any]:
    return {"user": line.user_id, "attended": line.attended, "score": line.score, "passed": line.passed}


async def record_external_certificate(
    actor: Actor, data: ExternalCertificateCreate, scan: bytes | None, filename: str | None
) -> int:
    """Record a certificate issued by another body; it needs no pass here, but a scan of it."""
    check_role(actor, TRAINING_ROLES)
    number, issuer = validation.external_certificate(data)
    checked = scans.checked_scan(scan, filename)
    async with unit_of_work(actor) as uow:
        course = await Course.select(Course.validity_months).where(Course.id == data.course_id).first()
        if course is None:
            raise Invalid("Unknown course {id}.", field="course_id", id=data.course_id)
        await _check_people([data.user_id])
        if await Certificate.exists().where(Certificate.number == number):
            raise Conflict(
                "Certificate number “{number}” is already recorded.", field="number", number=number
            )
        validity = course["validity_months"]
        after: dict[str, Any] = {
            "number": number,
            "user": data.user_id,
            "course": data.course_id,
            "issued_on": data.issued_on,
            "expires_on": data.expires_on
            or (clock.add_months(data.issued_on, validity) if validity else None),
            "is_external": True,
            "issuer": issuer,
            "scan_path": await scans.store(checked),
            "scan_sha256": checked.sha256,
        }
        certificate = Certificate(**after)
        await certificate.save()
        uow.record(
            events.EXTERNAL_CERTIFICATE_RECORDED,
            "certificate",
            certificate.id,
            after={**after, "scan_filename": checked.filename, "scan_bytes": len(checked.content)},
        )
        return int(certificate.id)


async def revoke_certificate(actor: Actor, certificate_id: int, reason: str) -> None:
    """Withdraw a certificate (it stops qualifying at once); the record stays, with the reason."""
    check_role(actor, TRAINING_ROLES)
    why = required_text(reason, "reason", 1000)
    async with unit_of_work(actor) as uow:
        await lock_row(Certificate, certificate_id)
        row = (
            await Certificate.select(Certificate.number, Certificate.revoked_on)
            .where(Certificate.id == certificate_id)
            .first()
        )
        if row is None:
            raise NotFound("Certificate {id} not found.", id=certificate_id)
        if row["revoked_on"] is not None:
            raise InvalidTransition("Certificate {number} is already revoked.", number=row["number"])
        today = clock.today()
        await Certificate.update({Certificate.revoked_on: today, Certificate.revoke_reason: why}).where(
            Certificate.id == certificate_id
        )
        uow.record(
            events.CERTIFICATE_REVOKED,
            "certificate",
            certificate_id,
            before={"revoked_on": None},
            after={"revoked_on": today, "revoke_reason": why},
            reason=why,
        )
