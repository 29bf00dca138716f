"""Audit scenarios for training.services (see tests/audit_scenarios.py).

Scenario courses are required of nobody, so they never change anyone's qualification.
"""

from __future__ import annotations

from typing import Any

from service_ops.choices import Role
from tests.audit_scenarios import Scenarios, then
from tests.training.factories import SCAN, external_data, new_course, new_session, pass_course
from training import events, services
from training.schemas import CourseUpdate


async def _course(ctx: dict[str, Any]) -> int:
    return await new_course(ctx["system"], roles=())


async def _session(ctx: dict[str, Any]) -> int:
    trainer = await ctx["make_user"](Role.TRAINER.value)
    return await new_session(ctx["system"], await _course(ctx), trainer.user_id)


async def _passed(ctx: dict[str, Any]) -> int:
    technician = await ctx["make_user"](Role.TECHNICIAN.value)
    [certificate_id] = await pass_course(ctx["system"], await _session(ctx), technician.user_id)
    return certificate_id


async def _external(ctx: dict[str, Any]) -> int:
    technician = await ctx["make_user"](Role.TECHNICIAN.value)
    data = external_data(technician.user_id, await _course(ctx))
    return await services.record_external_certificate(ctx["system"], data, SCAN, "scan.pdf")


SCENARIOS: Scenarios = {
    "training.services.create_course": (events.COURSE_CREATED, _course),
    "training.services.update_course": (
        events.COURSE_UPDATED,
        lambda ctx: then(
            _course(ctx), lambda c: services.update_course(ctx["system"], c, CourseUpdate(title="新标题"))
        ),
    ),
    "training.services.schedule_session": (events.SESSION_SCHEDULED, _session),
    "training.services.record_roll_call": (events.ROLL_CALL_RECORDED, _passed),
    "training.services.record_external_certificate": (events.EXTERNAL_CERTIFICATE_RECORDED, _external),
    "training.services.revoke_certificate": (
        events.CERTIFICATE_REVOKED,
        lambda ctx: then(
            _passed(ctx), lambda c: services.revoke_certificate(ctx["system"], c, "证书信息有误")
        ),
    ),
}
