"""The daily certificate-expiry job: trainers and the person's outlet managers hear once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from outlets import tasks
from service_ops import clock
from service_ops.tables import Notification
from service_ops.worker import job_functions, periodic_jobs
from tests.outlets.network import join, new_outlet, qualified_technician, region_tree

pytestmark = pytest.mark.usefixtures("tv_course")


async def _notified(certificate_ids: set[str]) -> list[tuple[int, str]]:
    rows = await Notification.select(Notification.user, Notification.entity_id, Notification.params).where(
        (Notification.entity == "certificate")
        & Notification.entity_id.is_in(sorted(certificate_ids) or ["-"])
        & (Notification.message == tasks.EXPIRY_MESSAGE)
    )
    return sorted((row["user"], row["entity_id"]) for row in rows)


async def _certificate_ids(user_id: int) -> set[str]:
    from training.tables import Certificate

    rows = await Certificate.select(Certificate.id).where(Certificate.user == user_id)
    return {str(row["id"]) for row in rows}


async def test_expiring_certificate_notifies_trainers_and_outlet_managers_once(
    system: Any, make_user: Any
) -> None:
    moment = datetime.now(UTC).replace(microsecond=0)
    with clock.frozen_at(moment):
        tree = await region_tree(system)
        outlet_id, _ = await new_outlet(system, [tree["county"][1]])
        manager = await join(system, make_user, outlet_id, role="outlet_manager", is_manager=True)
        trainer = await make_user("trainer")
        soon = await qualified_technician(system, make_user, outlet_id, clock.today() + timedelta(days=10))
        later = await qualified_technician(system, make_user, outlet_id, clock.today() + timedelta(days=90))

        first = await tasks.notify_expiring_certificates({})
        second = await tasks.notify_expiring_certificates({})

    expiring = await _certificate_ids(soon.user_id)
    notified = await _notified(expiring)
    assert first >= 2 and second == 0
    assert {user for user, _ in notified} >= {manager.user_id, trainer.user_id}
    assert len(notified) == len(set(notified))
    assert (manager.user_id, next(iter(expiring))) in notified
    assert await _notified(await _certificate_ids(later.user_id)) == []
    [row] = await Notification.select(Notification.params).where(
        (Notification.user == manager.user_id) & (Notification.entity_id == next(iter(expiring)))
    )
    assert soon.display_name in row["params"]


async def test_the_job_is_registered_daily() -> None:
    assert tasks.notify_expiring_certificates in job_functions()
    [daily] = [job for job in periodic_jobs() if job.function is tasks.notify_expiring_certificates]
    assert daily.minutes == 1440
