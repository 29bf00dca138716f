"""Training services: every bad input of the issue is a clear 4xx that writes nothing."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from service_ops import clock
from service_ops.errors import Conflict, Invalid, InvalidTransition, NotFound, PermissionDenied
from service_ops.settings import get_settings
from service_ops.tables import AuditEvent
from tests.training.factories import SCAN, course_data, external_data, new_session, pass_course
from training import catalogue, events, services
from training.schemas import CourseUpdate, RollCallEntry, SessionCreate
from training.tables import Attendance, Certificate, Course, TrainingSession

NUMBER = re.compile(r"^C\d{4}\d{6}$")


async def _actions_after(seq: int) -> list[str]:
    rows = await AuditEvent.select(AuditEvent.action).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)
    return [row["action"] for row in rows]


async def _last_seq() -> int:
    row = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    return int(row["seq"]) if row else 0


class NothingWritten:
    """Asserts that the block wrote no audit event (and so, by rule 1, no change)."""

    async def __aenter__(self) -> None:
        self.seq = await _last_seq()

    async def __aexit__(self, *exc: object) -> None:
        assert await _last_seq() == self.seq


async def test_course_is_created_with_its_roles_and_changed(system: Any, courses: Any) -> None:
    course_id = await courses(roles=("technician", "outlet_manager"), validity_months=24)
    course = await catalogue.get_course(course_id)
    assert [r.value for r in course.required_roles] == ["outlet_manager", "technician"]
    assert course.hours == 8.0 and course.validity_months == 24 and course.pass_mark == 60

    await services.update_course(system, course_id, CourseUpdate(required_roles=[], pass_mark=None))
    changed = await catalogue.get_course(course_id)
    assert changed.required_roles == [] and changed.pass_mark is None
    assert changed.validity_months == 24 and changed.title == course.title
    rows = await AuditEvent.select(AuditEvent.action, AuditEvent.before).where(
        (AuditEvent.entity == "course") & (AuditEvent.entity_id == str(course_id))
    )
    assert [row["action"] for row in rows] == [events.COURSE_CREATED, events.COURSE_UPDATED]
    assert json.loads(rows[1]["before"])["required_roles"] == ["outlet_manager", "technician"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"hours": -2}, "hours"),
        ({"hours": 0}, "hours"),
        ({"validity_months": 0}, "validity_months"),
        ({"pass_mark": 101}, "pass_mark"),
        ({"code": "?"}, "code"),
        ({"title": "  "}, "title"),
    ],
)
async def test_bad_course_is_refused(system: Any, options: dict[str, Any], field: str) -> None:
    data = course_data()
    for name, value in options.items():
        setattr(data, name, value)
    async with NothingWritten():
        with pytest.raises(Invalid) as refused:
            await services.create_course(system, data)
    assert refused.value.field == field


async def test_duplicate_course_code_is_a_conflict(system: Any, courses: Any) -> None:
    course = await catalogue.get_course(await courses())
    data = course_data()
    data.code = course.code.lower()
    async with NothingWritten():
        with pytest.raises(Conflict):
            await services.create_course(system, data)


async def test_session_with_negative_or_zero_duration_is_refused(
    system: Any, courses: Any, trainer: Any
) -> None:
    course_id = await courses()
    for hours in (-1.5, 0, 0.01, 5000, 1e308, -1e308):
        async with NothingWritten():
            with pytest.raises(Invalid) as refused:
                await new_session(system, course_id, trainer.user_id, hours=hours)
        assert refused.value.field == "hours"
    assert not await TrainingSession.exists().where(TrainingSession.course == course_id)


async def test_session_needs_a_trainer_a_zone_and_an_active_course(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    course_id = await courses()
    technician = await make_user("technician")
    async with NothingWritten():
        with pytest.raises(Invalid, match="trainer"):
            await new_session(system, course_id, technician.user_id)
        with pytest.raises(Invalid) as naive:
            await services.schedule_session(
                system,
                SessionCreate(
                    course_id=course_id,
                    starts_at=clock.now().replace(tzinfo=None),
                    trainer_id=trainer.user_id,
                    place="A",
                ),
            )
        assert naive.value.field == "starts_at"
        for far in (datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)):
            with pytest.raises(Invalid) as outside:
                await new_session(system, course_id, trainer.user_id, starts_at=far)
            assert outside.value.field == "starts_at"
    await services.update_course(system, course_id, CourseUpdate(is_active=False))
    with pytest.raises(Invalid):
        await new_session(system, course_id, trainer.user_id)


async def test_session_hours_default_to_the_course(system: Any, courses: Any, trainer: Any) -> None:
    session = await catalogue.get_session(await new_session(system, await courses(), trainer.user_id))
    assert session.hours == 8.0 and session.attendance == []


async def test_a_held_sessions_cost_posts_to_the_service_fund_once(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    from service_ops.fund.tables import FundEntry

    with pytest.raises(Invalid, match="2 decimal"):
        await new_session(system, await courses(), trainer.user_id, cost=Decimal("120.505"))
    session_id = await new_session(system, await courses(), trainer.user_id, cost=Decimal("1800.50"))
    posted = FundEntry.select(FundEntry.amount_fen, FundEntry.kind, FundEntry.account.code).where(
        (FundEntry.reference_kind == "training_session") & (FundEntry.reference_id == str(session_id))
    )
    assert await posted == [], "nothing is spent before the session is held"
    person = await make_user("technician")
    await pass_course(system, session_id, person.user_id)
    await pass_course(system, session_id, person.user_id, score=90)
    assert await posted == [{"amount_fen": 180050, "kind": "expense", "account.code": "training"}]


async def test_roll_call_of_thirty_people_issues_certificates_for_the_passes(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    course_id = await courses(validity_months=24)
    session_id = await new_session(system, course_id, trainer.user_id)
    people = [await make_user("technician") for _ in range(30)]
    scores = [55 + index for index in range(30)]  # 55 … 84: the first five fail (pass mark 60)
    entries = [
        RollCallEntry(user_id=p.user_id, attended=True, score=s) for p, s in zip(people, scores, strict=True)
    ]
    seq = await _last_seq()
    started = time.perf_counter()
    issued = await services.record_roll_call(system, session_id, entries)
    elapsed = time.perf_counter() - started
    assert len(issued) == 25
    assert elapsed < 3, f"roll call of 30 took {elapsed:.2f} s"
    actions = await _actions_after(seq)
    assert actions == [events.ROLL_CALL_RECORDED] + [events.CERTIFICATE_ISSUED] * 25
    session = await catalogue.get_session(session_id)
    by_user = {line.user_id: line for line in session.attendance}
    assert not by_user[people[0].user_id].passed and by_user[people[0].user_id].certificate_number is None
    assert by_user[people[5].user_id].passed
    certificates = await Certificate.select().where(Certificate.id.is_in(issued))
    issued_on = session.starts_at.astimezone(clock.org_zone()).date()
    for certificate in certificates:
        assert NUMBER.match(certificate["number"]) and certificate["number"][1:5] == str(issued_on.year)
        assert certificate["issued_on"] == issued_on
        assert certificate["expires_on"] == clock.add_months(issued_on, 24)
        assert not certificate["is_external"] and certificate["attendance"] is not None


async def test_re_recording_a_result_never_duplicates_the_certificate(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    session_id = await new_session(system, await courses(), trainer.user_id)
    technician = await make_user("technician")
    [certificate_id] = await pass_course(system, session_id, technician.user_id, score=70)
    assert await pass_course(system, session_id, technician.user_id, score=70) == []
    assert await pass_course(system, session_id, technician.user_id, score=90) == []
    line = await Attendance.select().where(Attendance.user == technician.user_id).first()
    assert float(line["score"]) == 90
    assert await Certificate.count().where(Certificate.user == technician.user_id) == 1
    async with NothingWritten():
        with pytest.raises(Conflict, match="revoke"):
            await pass_course(system, session_id, technician.user_id, score=40)
    await services.revoke_certificate(system, certificate_id, "成绩录入错误")
    assert await pass_course(system, session_id, technician.user_id, score=40) == []


async def test_a_course_without_exam_is_passed_by_attending(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    session_id = await new_session(
        system, await courses(pass_mark=None, validity_months=None), trainer.user_id
    )
    present, absent = await make_user("technician"), await make_user("technician")
    issued = await services.record_roll_call(
        system,
        session_id,
        [
            RollCallEntry(user_id=present.user_id, attended=True),
            (absent.user_id, False, None),  # plain tuples are accepted too
        ],
    )
    certificate = await Certificate.select().where(Certificate.id == issued[0]).first()
    assert certificate["user"] == present.user_id and certificate["expires_on"] is None


@pytest.mark.parametrize(
    "bad",
    [
        RollCallEntry(user_id=1, attended=True, score=100.5),
        RollCallEntry(user_id=1, attended=True, score=-1),
        RollCallEntry(user_id=1, attended=True, score=float("nan")),
        RollCallEntry(user_id=1, attended=False, score=80),
    ],
)
async def test_a_bad_line_refuses_the_whole_roll_call(
    system: Any, courses: Any, trainer: Any, make_user: Any, bad: RollCallEntry
) -> None:
    session_id = await new_session(system, await courses(), trainer.user_id)
    good, other = await make_user("technician"), await make_user("technician")
    bad.user_id = other.user_id
    async with NothingWritten():
        with pytest.raises(Invalid):
            await services.record_roll_call(
                system, session_id, [RollCallEntry(user_id=good.user_id, attended=True, score=90), bad]
            )
    assert not await Attendance.exists().where(Attendance.session == session_id)


async def test_roll_call_refuses_unknown_people_doubles_and_a_future_session(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    course_id = await courses()
    session_id = await new_session(system, course_id, trainer.user_id)
    technician = await make_user("technician")
    line = RollCallEntry(user_id=technician.user_id, attended=True, score=80)
    future = await new_session(system, course_id, trainer.user_id, starts_at=clock.now() + timedelta(days=2))
    async with NothingWritten():
        with pytest.raises(Invalid, match="Unknown person"):
            await services.record_roll_call(
                system, session_id, [RollCallEntry(user_id=2_000_000_000, attended=True)]
            )
        with pytest.raises(Invalid, match="twice"):
            await services.record_roll_call(system, session_id, [line, line])
        with pytest.raises(Invalid, match="nobody"):
            await services.record_roll_call(system, session_id, [])
        with pytest.raises(Invalid, match="started"):
            await services.record_roll_call(system, future, [line])
        with pytest.raises(NotFound):
            await services.record_roll_call(system, 2_000_000_000, [line])


async def test_concurrent_roll_calls_issue_one_certificate(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    session_id = await new_session(system, await courses(), trainer.user_id)
    technician = await make_user("technician")
    results = await asyncio.gather(
        *[pass_course(system, session_id, technician.user_id, score=80) for _ in range(3)],
        return_exceptions=True,
    )
    issued = [result for result in results if isinstance(result, list) and result]
    assert len(issued) == 1, results
    assert await Certificate.count().where(Certificate.user == technician.user_id) == 1


async def test_external_certificate_is_recorded_with_its_scan(
    system: Any, courses: Any, make_user: Any
) -> None:
    course_id = await courses(validity_months=36)
    technician = await make_user("technician")
    data = external_data(technician.user_id, course_id)
    certificate_id = await services.record_external_certificate(system, data, SCAN, "证书扫描.pdf")
    row = await Certificate.select().where(Certificate.id == certificate_id).first()
    digest = hashlib.sha256(SCAN).hexdigest()
    assert row["is_external"] and row["attendance"] is None and row["scan_sha256"] == digest
    assert row["expires_on"] == clock.add_months(data.issued_on, 36)
    assert (get_settings().data_dir / row["scan_path"]).read_bytes() == SCAN
    event = (
        await AuditEvent.select(AuditEvent.after)
        .where((AuditEvent.entity == "certificate") & (AuditEvent.entity_id == str(certificate_id)))
        .first()
    )
    assert json.loads(event["after"])["scan_sha256"] == digest


@pytest.mark.parametrize(
    ("scan", "filename", "message"),
    [
        (None, None, "never passed|not passed"),
        (b"", "scan.pdf", "not passed"),
        (b"MZ\x90\x00 not a pdf", "scan.pdf", "PDF, PNG or JPEG"),
        (SCAN, "scan.exe", "PDF, PNG or JPEG"),
    ],
)
async def test_a_certificate_for_a_course_never_passed_needs_a_scan(
    system: Any, courses: Any, make_user: Any, scan: bytes | None, filename: str | None, message: str
) -> None:
    course_id = await courses()
    technician = await make_user("technician")
    async with NothingWritten():
        with pytest.raises(Invalid, match=message):
            await services.record_external_certificate(
                system, external_data(technician.user_id, course_id), scan, filename
            )
    assert not await Certificate.exists().where(Certificate.user == technician.user_id)


async def test_bad_external_certificates_are_refused(system: Any, courses: Any, make_user: Any) -> None:
    course_id = await courses()
    technician = await make_user("technician")
    first = external_data(technician.user_id, course_id)
    await services.record_external_certificate(system, first, SCAN, "scan.pdf")
    async with NothingWritten():
        with pytest.raises(Conflict):
            duplicate = external_data(technician.user_id, course_id, number=first.number.lower())
            await services.record_external_certificate(system, duplicate, SCAN, "scan.pdf")
        with pytest.raises(Invalid, match="between 2000 and today"):
            future = external_data(technician.user_id, course_id, issued_on=clock.today() + timedelta(days=1))
            await services.record_external_certificate(system, future, SCAN, "scan.pdf")
        with pytest.raises(Invalid, match="expire before"):
            backwards = external_data(
                technician.user_id, course_id, expires_on=first.issued_on - timedelta(days=1)
            )
            await services.record_external_certificate(system, backwards, SCAN, "scan.pdf")
        with pytest.raises(Invalid, match="Unknown course"):
            await services.record_external_certificate(
                system, external_data(technician.user_id, 2_000_000_000), SCAN, "scan.pdf"
            )


async def test_revoking_needs_a_reason_and_happens_once(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    session_id = await new_session(system, await courses(), trainer.user_id)
    technician = await make_user("technician")
    [certificate_id] = await pass_course(system, session_id, technician.user_id)
    async with NothingWritten():
        with pytest.raises(Invalid):
            await services.revoke_certificate(system, certificate_id, "  ")
        with pytest.raises(NotFound):
            await services.revoke_certificate(system, 2_000_000_000, "原因")
    await services.revoke_certificate(system, certificate_id, "伪造证书")
    row = await Certificate.select().where(Certificate.id == certificate_id).first()
    assert row["revoked_on"] == clock.today() and row["revoke_reason"] == "伪造证书"
    with pytest.raises(InvalidTransition):
        await services.revoke_certificate(system, certificate_id, "再次")


@pytest.mark.parametrize("role", ["technician", "agent", "outlet_manager", "auditor", "finance"])
async def test_roles_without_rights_change_nothing(
    system: Any, courses: Any, trainer: Any, make_user: Any, role: str
) -> None:
    course_id = await courses()
    session_id = await new_session(system, course_id, trainer.user_id)
    technician = await make_user("technician")
    [certificate_id] = await pass_course(system, session_id, technician.user_id)
    actor = await make_user(role)
    line = RollCallEntry(user_id=actor.user_id, attended=True, score=100)
    async with NothingWritten():
        with pytest.raises(PermissionDenied):
            await services.create_course(actor, course_data())
        with pytest.raises(PermissionDenied):
            await services.update_course(actor, course_id, CourseUpdate(title="x"))
        with pytest.raises(PermissionDenied):
            await new_session(actor, course_id, trainer.user_id)
        with pytest.raises(PermissionDenied):
            await services.record_roll_call(actor, session_id, [line])
        with pytest.raises(PermissionDenied):
            await services.record_external_certificate(
                actor, external_data(actor.user_id, course_id), SCAN, "scan.pdf"
            )
        with pytest.raises(PermissionDenied):
            await services.revoke_certificate(actor, certificate_id, "想撤销")
    assert await Course.select(Course.title).where(Course.id == course_id).first() != {"title": "x"}


@pytest.mark.parametrize("role", ["trainer", "service_manager", "hq_manager", "admin"])
async def test_training_roles_may_write(courses: Any, make_user: Any, role: str, system: Any) -> None:
    actor = await make_user(role)
    course_id = await services.create_course(actor, course_data(roles=()))
    await services.update_course(actor, course_id, CourseUpdate(is_active=False))
