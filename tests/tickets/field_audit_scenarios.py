"""Audit scenarios for the field services (see tests/audit_scenarios.py)."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from service_ops import clock
from tests.audit_scenarios import Scenarios
from tests.outlets.network import retire_course
from tests.tickets.field import AssignedJob, assigned_job
from tickets import events, services
from tickets.choices import WorkResult
from tickets.field_schemas import WorkOrderCompletion

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _with_job(
    action: Callable[[AssignedJob], Awaitable[Any]], steps: tuple[str, ...] = ()
) -> Callable[[dict[str, Any]], Awaitable[Any]]:
    """A scenario on a freshly assigned repair job, taken through `steps` first; its course retired after."""

    async def scenario(ctx: dict[str, Any]) -> Any:
        job = await assigned_job(ctx["system"], ctx["make_user"])
        try:
            for step in steps:
                await services.take_step(job.technician, job.work_order_id, step)
            return await action(job)
        finally:
            await retire_course(ctx["system"], job.network["course_id"])

    return scenario


def _completion(result: WorkResult = WorkResult.FIXED) -> WorkOrderCompletion:
    return WorkOrderCompletion(
        result=result,
        diagnosis="电源板损坏",
        fault_code="E21",
        signature_png="data:image/png;base64," + base64.b64encode(PNG).decode(),
    )


async def _not_fixed_then_revisit(job: AssignedJob) -> int:
    await services.complete_work_order(job.technician, job.work_order_id, _completion(WorkResult.NOT_FIXED))
    return await services.schedule_revisit(
        job.outlet_manager, job.work_order_id, clock.now() + timedelta(days=1)
    )


ON_SITE = ("en_route", "arrived")

SCENARIOS: Scenarios = {
    "tickets.services.take_step": (
        events.WORK_ORDER_EN_ROUTE,
        _with_job(lambda job: services.take_step(job.technician, job.work_order_id, "en_route")),
    ),
    "tickets.services.complete_work_order": (
        events.WORK_ORDER_COMPLETED,
        _with_job(
            lambda job: services.complete_work_order(job.technician, job.work_order_id, _completion()),
            ON_SITE,
        ),
    ),
    "tickets.services.add_work_order_photo": (
        events.WORK_ORDER_PHOTO_ADDED,
        _with_job(
            lambda job: services.add_work_order_photo(job.technician, job.work_order_id, PNG, "p.png"),
            ON_SITE,
        ),
    ),
    "tickets.services.send_confirmation_code": (
        events.CONFIRMATION_CODE_SENT,
        _with_job(lambda job: services.send_confirmation_code(job.technician, job.work_order_id), ON_SITE),
    ),
    "tickets.services.cancel_work_order": (
        events.WORK_ORDER_CANCELLED,
        _with_job(lambda job: services.cancel_work_order(job.outlet_manager, job.work_order_id, "客户改约")),
    ),
    "tickets.services.schedule_revisit": (
        events.REVISIT_SCHEDULED,
        _with_job(_not_fixed_then_revisit, ON_SITE),
    ),
}
