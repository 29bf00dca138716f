"""Qualification rules: valid, expired the next day, revoked, missing, no course; the matrix and records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from service_ops import clock
from tests.training.factories import SCAN, external_data, new_session, pass_course, retire_course
from training import catalogue, queries, records, services
from training.choices import CertificateState
from training.tables import Certificate

CATEGORY = "water_heater"


@pytest.fixture
def count_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every SQL statement run while the test holds the list."""
    engine_type = type(Certificate._meta.db)
    seen: list[str] = []
    original = engine_type.run_querystring

    async def counting(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_type, "run_querystring", counting)
    yield seen


async def _certified(system: Any, course_id: int, trainer: Any, person: Any) -> int:
    session_id = await new_session(system, course_id, trainer.user_id)
    [certificate_id] = await pass_course(system, session_id, person.user_id)
    return certificate_id


async def _expiry(certificate_id: int) -> Any:
    row = await Certificate.select(Certificate.expires_on).where(Certificate.id == certificate_id).first()
    return row["expires_on"]


async def test_a_valid_certificate_qualifies(system: Any, courses: Any, trainer: Any, make_user: Any) -> None:
    course_id = await courses(category=CATEGORY)
    technician = await make_user("technician")
    assert not (await queries.qualification(technician.user_id, CATEGORY, clock.today())).qualified
    await _certified(system, course_id, trainer, technician)
    verdict = await queries.qualification(technician.user_id, CATEGORY, clock.today())
    assert verdict == queries.Qualification(qualified=True, missing=[], reason=None)
    assert await queries.qualified_user_ids([technician.user_id], CATEGORY, clock.today()) == {
        technician.user_id
    }


async def test_an_expired_certificate_stops_qualifying_the_next_day(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    course_id = await courses(category=CATEGORY, validity_months=6)
    technician = await make_user("technician")
    expires_on = await _expiry(await _certified(system, course_id, trainer, technician))
    last_day = datetime.combine(expires_on, time(23, 59), tzinfo=clock.org_zone())
    with clock.frozen_at(last_day):
        today = await queries.qualification(technician.user_id, CATEGORY, clock.today())
        assert today.qualified
        assert technician.user_id in await queries.qualified_user_ids(
            [technician.user_id], CATEGORY, clock.today()
        )
    with clock.frozen_at(last_day + timedelta(minutes=2)):
        tomorrow = await queries.qualification(technician.user_id, CATEGORY, clock.today())
        code = (await records.qualification_matrix([technician.user_id], clock.today())).courses[0].code
        assert tomorrow == queries.Qualification(qualified=False, missing=[code], reason=None)
        assert await queries.qualified_user_ids([technician.user_id], CATEGORY, clock.today()) == set()


async def test_a_revoked_certificate_does_not_qualify(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    course_id = await courses(category=CATEGORY)
    technician = await make_user("technician")
    certificate_id = await _certified(system, course_id, trainer, technician)
    await services.revoke_certificate(system, certificate_id, "违规操作")
    assert not (await queries.qualification(technician.user_id, CATEGORY, clock.today())).qualified


async def test_every_required_course_is_needed_and_the_missing_ones_are_named(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    first, second = await courses(category=CATEGORY), await courses(category=CATEGORY)
    await courses(category="refrigerator")  # another category: not required for water heaters
    await courses(category=CATEGORY, roles=("outlet_manager",))  # another role
    technician = await make_user("technician")
    await _certified(system, first, trainer, technician)
    verdict = await queries.qualification(technician.user_id, CATEGORY, clock.today())
    second_code = (await catalogue.get_course(second)).code
    assert verdict == queries.Qualification(qualified=False, missing=[second_code], reason=None)
    await _certified(system, second, trainer, technician)
    assert (await queries.qualification(technician.user_id, CATEGORY, clock.today())).qualified


async def test_no_qualifying_course_means_not_qualified_with_a_reason(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    course_id = await courses(category=CATEGORY)
    agent = await make_user("agent")
    await _certified(system, course_id, trainer, agent)  # passed, but the course is not required of agents
    verdict = await queries.qualification(agent.user_id, CATEGORY, clock.today())
    assert verdict == queries.Qualification(qualified=False, missing=[], reason=queries.NO_QUALIFYING_COURSE)
    assert await queries.qualified_user_ids([agent.user_id], CATEGORY, clock.today()) == set()


async def test_a_retired_course_is_no_longer_required(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    kept, retired = await courses(category=CATEGORY), await courses(category=CATEGORY)
    technician = await make_user("technician")
    await _certified(system, kept, trainer, technician)
    assert not (await queries.qualification(technician.user_id, CATEGORY, clock.today())).qualified
    await retire_course(system, retired)
    assert (await queries.qualification(technician.user_id, CATEGORY, clock.today())).qualified


async def test_a_certificate_counts_from_its_issue_day(system: Any, courses: Any, make_user: Any) -> None:
    course_id = await courses(category=CATEGORY)
    technician = await make_user("technician")
    data = external_data(technician.user_id, course_id, issued_on=clock.today() - timedelta(days=3))
    await services.record_external_certificate(system, data, SCAN, "scan.pdf")
    assert (await queries.qualification(technician.user_id, CATEGORY, data.issued_on)).qualified
    before = data.issued_on - timedelta(days=1)
    assert not (await queries.qualification(technician.user_id, CATEGORY, before)).qualified


async def test_qualified_user_ids_agrees_with_qualification_in_three_queries(
    system: Any, courses: Any, trainer: Any, make_user: Any, count_queries: list[str]
) -> None:
    first, second = await courses(category=CATEGORY, validity_months=3), await courses(category=CATEGORY)
    people = {
        name: await make_user(role)
        for name, role in [
            ("both", "technician"),
            ("one", "technician"),
            ("revoked", "technician"),
            ("none", "technician"),
            ("agent", "agent"),
            ("manager", "outlet_manager"),
        ]
    }
    for name in ("both", "one", "revoked"):
        await _certified(system, first, trainer, people[name])
    for name in ("both", "revoked", "agent"):
        certificate_id = await _certified(system, second, trainer, people[name])
        if name == "revoked":
            await services.revoke_certificate(system, certificate_id, "撤销")
    ids = [person.user_id for person in people.values()]
    today = clock.today()
    for day in (today, today + timedelta(days=100), today - timedelta(days=1)):
        count_queries.clear()
        fast = await queries.qualified_user_ids(ids, CATEGORY, day)
        assert 1 <= len(count_queries) <= 3, count_queries
        slow = {user_id for user_id in ids if (await queries.qualification(user_id, CATEGORY, day)).qualified}
        assert fast == slow
    assert await queries.qualified_user_ids(ids, CATEGORY, today) == {people["both"].user_id}
    assert await queries.qualified_user_ids([], CATEGORY, today) == set()


async def test_expiring_certificates_lists_what_ends_soon_unless_renewed(
    system: Any, courses: Any, make_user: Any
) -> None:
    course_id = await courses(category=CATEGORY)
    soon, renewed, later = (
        await make_user("technician"),
        await make_user("technician"),
        await make_user("technician"),
    )
    today = clock.today()
    made = {}
    for person, expires in ((soon, 10), (renewed, 5), (later, 45)):
        data = external_data(person.user_id, course_id, expires_on=today + timedelta(days=expires))
        made[person.user_id] = await services.record_external_certificate(system, data, SCAN, "scan.pdf")
    fresh = external_data(renewed.user_id, course_id, expires_on=today + timedelta(days=700))
    await services.record_external_certificate(system, fresh, SCAN, "scan.pdf")
    listed = {item.certificate_id: item for item in await queries.expiring_certificates(today)}
    assert made[soon.user_id] in listed and listed[made[soon.user_id]].expires_on == today + timedelta(
        days=10
    )
    assert made[renewed.user_id] not in listed
    assert made[later.user_id] not in listed
    assert made[later.user_id] in {i.certificate_id for i in await queries.expiring_certificates(today, 60)}
    item = listed[made[soon.user_id]]
    assert item.user_id == soon.user_id and item.course_title and item.course_code


async def test_the_matrix_shows_valid_expiring_expired_missing(
    system: Any, courses: Any, make_user: Any, count_queries: list[str]
) -> None:
    course_id = await courses(category=CATEGORY)
    today = clock.today()
    people = [await make_user("technician") for _ in range(4)] + [await make_user("agent")]
    for person, expires in zip(people, (400, 20, -1), strict=False):
        data = external_data(
            person.user_id,
            course_id,
            issued_on=today - timedelta(days=30),
            expires_on=today + timedelta(days=expires),
        )
        await services.record_external_certificate(system, data, SCAN, "scan.pdf")
    count_queries.clear()
    matrix = await records.qualification_matrix([p.user_id for p in people], today)
    assert 1 <= len(count_queries) <= 4, count_queries
    column = [c.id for c in matrix.courses].index(course_id)
    states = {row.user_id: row.cells[column].state for row in matrix.rows}
    assert [states[p.user_id] for p in people] == [
        CertificateState.VALID,
        CertificateState.EXPIRING,
        CertificateState.EXPIRED,
        CertificateState.MISSING,
        CertificateState.NOT_REQUIRED,
    ]


async def test_the_training_record_sums_hours_and_names_qualifications(
    system: Any, courses: Any, trainer: Any, make_user: Any
) -> None:
    course_id = await courses(category=CATEGORY)
    technician = await make_user("technician")
    session_id = await new_session(system, course_id, trainer.user_id, hours=6.5)
    await pass_course(system, session_id, technician.user_id)
    record = await records.training_record(technician.user_id, clock.today())
    assert record.hours_attended == 6.5
    assert [c.value for c in record.qualified_categories] == [CATEGORY]
    assert record.certificates[0].state == CertificateState.VALID
    assert record.attendance[0].passed and record.attendance[0].score == 85


async def test_far_dates_do_not_overflow(system: Any, courses: Any, make_user: Any) -> None:
    from datetime import date

    course_id = await courses(category=CATEGORY)
    technician = await make_user("technician")
    await services.record_external_certificate(
        system, external_data(technician.user_id, course_id), SCAN, "s.pdf"
    )
    for day in (date.max, date.min):
        assert await queries.expiring_certificates(day) == [] or day == date.min
        await records.qualification_matrix([technician.user_id], day)
        await queries.qualification(technician.user_id, CATEGORY, day)
