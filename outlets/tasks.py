"""Background jobs of the outlets domain (arq in production, in-process by default)."""

from __future__ import annotations

from typing import Any

from outlets.queries import manager_ids_of_people
from service_ops import clock
from service_ops.actor import system_actor
from service_ops.choices import Role
from service_ops.errors import N_
from service_ops.queue import JobFunction, Periodic
from service_ops.services import notify
from service_ops.tables import User
from training import queries as training

EXPIRY_NOTICE_DAYS = 30
EXPIRY_MESSAGE = N_("Certificate {number} ({course}) of {person} expires on {day}.")


async def notify_expiring_certificates(ctx: dict[str, Any]) -> int:
    """Tell every trainer, and the person's outlet managers, about certificates expiring within 30 days.

    Safe to run twice: a notification goes once per (recipient, message, certificate).
    """
    today = clock.today()
    certificates = await training.expiring_certificates(today, EXPIRY_NOTICE_DAYS)
    if not certificates:
        return 0
    trainers = await User.select(User.id).where((User.role == Role.TRAINER.value) & User.is_active.eq(True))
    trainer_ids = {row["id"] for row in trainers}
    people = {certificate.user_id for certificate in certificates}
    names = {
        row["id"]: row["display_name"]
        for row in await User.select(User.id, User.display_name).where(User.id.is_in(list(people)))
    }
    managers = await manager_ids_of_people(people, today)
    sent = 0
    actor = system_actor("jobs")
    for certificate in certificates:
        for user_id in sorted(trainer_ids | managers.get(certificate.user_id, set())):
            sent += await notify(
                actor,
                user_id,
                EXPIRY_MESSAGE,
                "certificate",
                certificate.certificate_id,
                number=certificate.number,
                course=certificate.course_title,
                person=names.get(certificate.user_id, str(certificate.user_id)),
                day=certificate.expires_on.isoformat(),
            )
    return sent


FUNCTIONS: list[JobFunction] = [notify_expiring_certificates]
PERIODIC: list[Periodic] = [Periodic(notify_expiring_certificates, minutes=1440)]
