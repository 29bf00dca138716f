"""The demo training data gives the dispatch demo what it needs."""

from __future__ import annotations

from typing import Any

import pytest

from service_ops import clock
from tests.training.factories import retire_course
from training import queries
from training.demo import COURSES, load_training_demo
from training.tables import Certificate, Course


async def test_demo_has_a_qualified_and_an_unqualified_technician_and_an_expiring_certificate(
    system: Any, make_user: Any
) -> None:
    if await Course.exists().where(Course.code == COURSES[0][0]):
        pytest.skip("the demo catalogue is already loaded in this database")
    trainer = await make_user("trainer")
    technicians = [await make_user("technician") for _ in range(3)]
    managers = [await make_user("service_manager"), await make_user("outlet_manager")]
    names = [t.username for t in technicians], [m.username for m in managers]
    try:
        counts = await load_training_demo(system, trainer.username, *names)
        assert counts == {"courses": 4, "sessions": 4, "certificates": 10}
        today = clock.today()
        verdicts = [await queries.qualification(t.user_id, "air_conditioner", today) for t in technicians]
        assert [v.qualified for v in verdicts] == [True, False, True]
        assert verdicts[1].missing == ["AC-INST"]
        expiring = await queries.expiring_certificates(today)
        assert any(e.user_id == technicians[0].user_id and e.course_code == "WM-REP" for e in expiring)
        manager_certificates = await Certificate.select(Certificate.user, Certificate.is_external).where(
            Certificate.course.code == "SM-CERT"
        )
        assert {(row["user"], row["is_external"]) for row in manager_certificates} == {
            (managers[0].user_id, False),
            (managers[1].user_id, True),
        }
        assert await load_training_demo(system, trainer.username, *names) == {}
    finally:
        for row in await Course.select(Course.id).where(Course.code.is_in([c[0] for c in COURSES])):
            await retire_course(system, row["id"])
