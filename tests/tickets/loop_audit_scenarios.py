"""Audit scenarios for the loop services (see tests/audit_scenarios.py), and the builders the loop
tests share: a follow-up of a consultation resolved on the phone, complaints at each stage, people."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service_ops import clock
from service_ops.actor import Actor
from tests.audit_scenarios import Scenarios, agent
from tests.conftest import unique
from tickets import events, loop_settings, services
from tickets.choices import CapaSource, ComplaintCategory, ComplaintSeverity, GuaranteeKind, TicketKind
from tickets.guarantee_rules import GuaranteeDecision
from tickets.loop_schemas import (
    ComplaintCreate,
    CorrectiveActionCreate,
    GuaranteeCreate,
    GuaranteeRuleWrite,
)
from tickets.schemas import TicketCreate
from tickets.tables import Followup


async def person(ctx: dict[str, Any], role: str) -> Actor:
    """One user of `role` per scenario run, made on first use."""
    if role not in ctx:
        ctx[role] = await ctx["make_user"](role)
    made: Actor = ctx[role]
    return made


async def consult_followup(ctx: dict[str, Any]) -> int:
    """The follow-up of a consultation the agent resolved on the phone (created with the resolution)."""
    hotline = await agent(ctx)
    ticket_id = await services.create_ticket(
        hotline,
        TicketCreate(
            kind=TicketKind.CONSULT, customer_id=ctx["world"]["customer_id"], description="咨询保修"
        ),
    )
    await services.resolve_ticket(hotline, ticket_id, "已解答")
    row = await Followup.select(Followup.id).where(Followup.ticket == ticket_id).first()
    assert row is not None
    return int(row["id"])


async def recorded_followup(ctx: dict[str, Any], score: int = 2, comment: str = "师傅迟到两小时") -> int:
    followup_id = await consult_followup(ctx)
    await services.record_followup(await agent(ctx), followup_id, True, score, comment)
    return followup_id


async def new_complaint(ctx: dict[str, Any], severity: ComplaintSeverity = ComplaintSeverity.NORMAL) -> int:
    return await services.open_complaint(
        await agent(ctx),
        ComplaintCreate(
            customer_id=ctx["world"]["customer_id"],
            category=ComplaintCategory.TIMELINESS,
            description="上门超时",
            severity=severity,
        ),
    )


async def acknowledged_complaint(ctx: dict[str, Any]) -> int:
    complaint_id = await new_complaint(ctx)
    await services.acknowledge_complaint(await agent(ctx), complaint_id)
    return complaint_id


async def resolved_complaint(ctx: dict[str, Any]) -> int:
    complaint_id = await acknowledged_complaint(ctx)
    await services.resolve_complaint(await agent(ctx), complaint_id, "派工延误", "致歉并补偿")
    return complaint_id


async def accepted_complaint(ctx: dict[str, Any]) -> int:
    complaint_id = await resolved_complaint(ctx)
    await services.record_customer_answer(await agent(ctx), complaint_id, True, "满意")
    return complaint_id


async def new_action(ctx: dict[str, Any], complaint_id: int | None = None) -> int:
    manager = await person(ctx, "service_manager")
    return await services.open_corrective_action(
        manager,
        CorrectiveActionCreate(
            source=CapaSource.COMPLAINT if complaint_id else CapaSource.INSPECTION,
            complaint_id=complaint_id,
            source_ref="" if complaint_id else "INSP-1",
            description="派工超时整改",
            owner_id=manager.user_id or 0,
            due_on=clock.today() + timedelta(days=14),
        ),
    )


async def new_request(ctx: dict[str, Any]) -> int:
    return await services.request_guarantee(
        await agent(ctx),
        GuaranteeCreate(unit_id=ctx["world"]["unit_id"], kind=GuaranteeKind.REPAIR, reason="不制冷"),
    )


def inactive_rule(code: str, days: int = 5) -> GuaranteeRuleWrite:
    """A rule that changes nothing for other tests (configured rules replace the defaults once active)."""
    return GuaranteeRuleWrite(code=code, kind=GuaranteeKind.REPAIR, decide_within_days=days, is_active=False)


async def _same_settings(ctx: dict[str, Any]) -> None:
    current = await loop_settings.current()
    await services.update_loop_settings(
        await person(ctx, "service_manager"),
        current.followup_due_days,
        current.complaint_ack_minutes,
        current.complaint_resolve_minutes,
        current.near_breach_percent,
    )


async def _record(ctx: dict[str, Any]) -> Any:
    return await services.record_followup(await agent(ctx), await consult_followup(ctx), True, 5, "很好")


async def _from_followup(ctx: dict[str, Any]) -> Any:
    followup_id = await recorded_followup(ctx)
    return await services.complaint_from_followup(await agent(ctx), followup_id, ComplaintCategory.TIMELINESS)


async def _acknowledge(ctx: dict[str, Any]) -> Any:
    await services.acknowledge_complaint(await agent(ctx), await new_complaint(ctx))


async def _escalate(ctx: dict[str, Any]) -> Any:
    return await services.escalate_complaint(ctx["system"], await new_complaint(ctx), 1, "受理超时")


async def _resolve(ctx: dict[str, Any]) -> Any:
    complaint_id = await acknowledged_complaint(ctx)
    await services.resolve_complaint(await agent(ctx), complaint_id, "派工延误", "致歉")


async def _answer(ctx: dict[str, Any]) -> Any:
    await services.record_customer_answer(await agent(ctx), await resolved_complaint(ctx), True, "")


async def _close(ctx: dict[str, Any]) -> Any:
    complaint_id = await accepted_complaint(ctx)
    await services.close_complaint(await person(ctx, "service_manager"), complaint_id)


async def _decide(ctx: dict[str, Any]) -> Any:
    request_id = await new_request(ctx)
    await services.decide_guarantee(
        await person(ctx, "service_manager"), request_id, GuaranteeDecision.GRANTED
    )


async def _create_rule(ctx: dict[str, Any]) -> Any:
    return await services.create_guarantee_rule(
        await person(ctx, "service_manager"), inactive_rule(unique("r_"))
    )


async def _update_rule(ctx: dict[str, Any]) -> Any:
    manager = await person(ctx, "service_manager")
    code = unique("r_")
    rule_id = await services.create_guarantee_rule(manager, inactive_rule(code))
    await services.update_guarantee_rule(manager, rule_id, inactive_rule(code, days=9))


async def _close_action(ctx: dict[str, Any]) -> Any:
    action_id = await new_action(ctx)
    await services.close_corrective_action(
        await person(ctx, "service_manager"), action_id, "已培训派单员", "抽查 20 单无超时", True
    )


SCENARIOS: Scenarios = {
    "tickets.services.record_followup": (events.FOLLOWUP_RECORDED, _record),
    "tickets.services.update_loop_settings": (events.LOOP_SETTINGS_UPDATED, _same_settings),
    "tickets.services.complaint_from_followup": (events.COMPLAINT_OPENED, _from_followup),
    "tickets.services.open_complaint": (events.COMPLAINT_OPENED, new_complaint),
    "tickets.services.acknowledge_complaint": (events.COMPLAINT_ACKNOWLEDGED, _acknowledge),
    "tickets.services.escalate_complaint": (events.COMPLAINT_ESCALATED, _escalate),
    "tickets.services.resolve_complaint": (events.COMPLAINT_RESOLVED, _resolve),
    "tickets.services.record_customer_answer": (events.COMPLAINT_CUSTOMER_ANSWERED, _answer),
    "tickets.services.close_complaint": (events.COMPLAINT_CLOSED, _close),
    "tickets.services.request_guarantee": (events.GUARANTEE_REQUESTED, new_request),
    "tickets.services.decide_guarantee": (events.GUARANTEE_DECIDED, _decide),
    "tickets.services.create_guarantee_rule": (events.GUARANTEE_RULE_CREATED, _create_rule),
    "tickets.services.update_guarantee_rule": (events.GUARANTEE_RULE_UPDATED, _update_rule),
    "tickets.services.open_corrective_action": (events.CORRECTIVE_ACTION_OPENED, new_action),
    "tickets.services.close_corrective_action": (events.CORRECTIVE_ACTION_CLOSED, _close_action),
}
