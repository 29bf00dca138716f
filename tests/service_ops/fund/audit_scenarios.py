"""Audit scenarios for service_ops.fund.services (see tests/audit_scenarios.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from service_ops import clock
from service_ops.fund import events, services
from service_ops.fund.schemas import AccountCreate, AccountUpdate
from service_ops.uow import unit_of_work
from tests.audit_scenarios import Scenarios, then
from tests.conftest import unique
from tests.service_ops.fund.factories import entry, new_account


async def _entry(ctx: dict[str, Any]) -> int:
    account = await new_account(ctx["system"])
    return await services.post_entry(ctx["system"], entry(account, "budget", "100.00", clock.today()))


async def _work_order(ctx: dict[str, Any]) -> list[int]:
    async with unit_of_work(ctx["system"]) as uow:
        uow.record("tests.work_order_completed", "work_order", 0)
        return await services.post_work_order_costs(
            uow, int(unique("")), None, Decimal("12.50"), Decimal("30.00"), clock.today()
        )


async def _training(ctx: dict[str, Any]) -> int | None:
    async with unit_of_work(ctx["system"]) as uow:
        uow.record("tests.training_session_held", "training_session", 0)
        return await services.post_training_session_cost(
            uow, int(unique("")), Decimal("800.00"), clock.today()
        )


SCENARIOS: Scenarios = {
    "service_ops.fund.services.create_account": (
        events.ACCOUNT_CREATED,
        lambda ctx: services.create_account(
            ctx["system"], AccountCreate(code=unique("a").lower(), name="科目")
        ),
    ),
    "service_ops.fund.services.update_account": (
        events.ACCOUNT_UPDATED,
        lambda ctx: then(
            services.create_account(ctx["system"], AccountCreate(code=unique("a").lower(), name="科目")),
            lambda a: services.update_account(ctx["system"], a, AccountUpdate(name="新名称")),
        ),
    ),
    "service_ops.fund.services.post_entry": (events.ENTRY_POSTED, _entry),
    "service_ops.fund.services.reverse_entry": (
        events.ENTRY_REVERSED,
        lambda ctx: then(_entry(ctx), lambda e: services.reverse_entry(ctx["system"], e, "录入错误")),
    ),
    "service_ops.fund.services.close_period": (
        events.PERIOD_CLOSED,
        lambda ctx: services.close_period(ctx["system"], "2000-01", "审计场景"),
    ),
    "service_ops.fund.services.post_work_order_costs": (events.ENTRY_AUTO_POSTED, _work_order),
    "service_ops.fund.services.post_training_session_cost": (events.ENTRY_AUTO_POSTED, _training),
    "service_ops.fund.services.record_export": (
        events.EXPORT_DOWNLOADED,
        lambda ctx: services.record_export(ctx["system"], "budget.xlsx", {"period": "2026"}),
    ),
}
