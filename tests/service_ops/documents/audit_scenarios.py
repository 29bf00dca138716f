"""Audit scenarios for service_ops.documents.services (see tests/audit_scenarios.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service_ops import clock
from service_ops.actor import Actor
from service_ops.documents import events, services
from service_ops.documents.choices import DocumentKind, RewardKind
from service_ops.documents.schemas import ManagementReviewWrite, RewardPenaltyWrite
from tests.audit_scenarios import Scenarios, then
from tests.service_ops.documents.factories import register, target_data, tomorrow

PREFIX = "service_ops.documents.services."


async def manager(ctx: dict[str, Any]) -> Actor:
    """One service manager per scenario run, made on first use."""
    if "manager" not in ctx:
        ctx["manager"] = await ctx["make_user"]("service_manager")
    made: Actor = ctx["manager"]
    return made


def review_data() -> ManagementReviewWrite:
    return ManagementReviewWrite(
        held_on=clock.today(),
        attendees=["总经理", "管理者代表"],
        inputs="季度服务指标",
        decisions="提高一次修复率",
        actions="培训技师",
    )


async def reward_data(ctx: dict[str, Any]) -> RewardPenaltyWrite:
    person = await manager(ctx)
    return RewardPenaltyWrite(
        decided_on=clock.today(), kind=RewardKind.REWARD, reason="好评", person_id=person.user_id
    )


async def _activate(ctx: dict[str, Any]) -> list[int]:
    """A version registered for tomorrow takes effect when tomorrow comes; then it is retired again
    so later tests may register this kind for today."""
    actor = await manager(ctx)
    document_id = await register(
        actor, DocumentKind.LEGAL_REGISTER, approved_on=clock.today(), effective_on=tomorrow()
    )
    try:
        with clock.frozen_at(clock.now() + timedelta(days=1)):
            return await services.activate_due_documents(ctx["system"])
    finally:
        await services.retire_document(actor, document_id, "测试结束")


async def _retire(ctx: dict[str, Any]) -> None:
    actor = await manager(ctx)
    document_id = await register(actor, DocumentKind.ORG_CHART)
    await services.retire_document(actor, document_id, "组织调整")


async def _new_target(ctx: dict[str, Any]) -> int:
    actor = await manager(ctx)
    assert actor.user_id is not None
    return await services.create_service_target(actor, target_data(actor.user_id))


async def _amend_target(ctx: dict[str, Any]) -> None:
    actor = await manager(ctx)
    assert actor.user_id is not None
    target_id = await _new_target(ctx)
    from service_ops.documents import queries

    current = await queries.get_target(target_id)
    data = target_data(
        actor.user_id, period_from=current.period_from, period_to=current.period_to, target=">=0.85"
    )
    await services.amend_service_target(actor, target_id, data, "管理评审决定提高")


async def _new_review(ctx: dict[str, Any]) -> int:
    return await services.record_management_review(await manager(ctx), review_data())


async def _new_reward(ctx: dict[str, Any]) -> int:
    return await services.record_reward_penalty(await manager(ctx), await reward_data(ctx))


SCENARIOS: Scenarios = {
    PREFIX + "register_document": (
        events.DOCUMENT_REGISTERED,
        lambda ctx: then(manager(ctx), lambda a: register(a, DocumentKind.SERVICE_CONCEPT)),
    ),
    PREFIX + "retire_document": (events.DOCUMENT_RETIRED, _retire),
    PREFIX + "activate_due_documents": (events.DOCUMENT_TOOK_EFFECT, _activate),
    PREFIX + "create_service_target": (events.TARGET_CREATED, _new_target),
    PREFIX + "amend_service_target": (events.TARGET_AMENDED, _amend_target),
    PREFIX + "record_management_review": (events.REVIEW_RECORDED, _new_review),
    PREFIX + "amend_management_review": (
        events.REVIEW_AMENDED,
        lambda ctx: then(
            _new_review(ctx),
            lambda review_id: then(
                manager(ctx),
                lambda a: services.amend_management_review(a, review_id, review_data(), "补充出席人员"),
            ),
        ),
    ),
    PREFIX + "record_reward_penalty": (events.REWARD_RECORDED, _new_reward),
    PREFIX + "correct_reward_penalty": (
        events.REWARD_CORRECTED,
        lambda ctx: then(
            _new_reward(ctx),
            lambda record_id: then(
                reward_data(ctx),
                lambda data: then(
                    manager(ctx), lambda a: services.correct_reward_penalty(a, record_id, data, "金额有误")
                ),
            ),
        ),
    ),
}
