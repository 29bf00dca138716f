"""三包 requests: which rule a request qualifies under (defaults or configured rules), its legal decision
time, and the decision with the rule that applied."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from service_ops import clock
from service_ops import services as core_services
from service_ops.errors import Conflict, Invalid, NotFound, PermissionDenied
from service_ops.schemas import UnitCreate
from service_ops.uow import unit_of_work
from tests.conftest import unique
from tests.outlets.network import retire_course
from tests.tickets.field import assigned_job
from tests.tickets.loop_audit_scenarios import inactive_rule
from tests.tickets.test_followups import actions_of, last_event
from tickets import events, loop_queries, services
from tickets.choices import GuaranteeKind, TicketKind, WorkResult
from tickets.guarantee_rules import DEFAULT_RULES, NO_RULE, GuaranteeDecision, UnitFacts, matching_rule
from tickets.loop_schemas import GuaranteeCreate, GuaranteeRuleWrite
from tickets.schemas import TicketCreate
from tickets.services.work_orders import open_visit
from tickets.tables import GuaranteeRequest, Ticket, WorkOrder


async def unit_bought(system: Any, world: dict[str, Any], days_ago: int) -> int:
    return await core_services.register_unit(
        system,
        UnitCreate(
            serial_number=unique("GU"),
            model_code=world["model_code"],  # 12 months' warranty
            customer_id=world["customer_id"],
            purchase_date=clock.today() - timedelta(days=days_ago),
        ),
    )


async def request(
    actor: Any, unit_id: int, kind: GuaranteeKind, ticket_id: int | None = None
) -> GuaranteeRequest:
    request_id = await services.request_guarantee(
        actor, GuaranteeCreate(unit_id=unit_id, kind=kind, reason="开机即坏", ticket_id=ticket_id)
    )
    row = await GuaranteeRequest.objects().get(GuaranteeRequest.id == request_id)
    assert row is not None
    return row


@pytest.mark.parametrize(
    ("days_ago", "kind", "rule", "decide_days"),
    [
        (3, GuaranteeKind.REFUND, "refund_within_7_days", 7),
        (7, GuaranteeKind.REFUND, "refund_within_7_days", 7),
        (8, GuaranteeKind.REFUND, "", 7),
        (3, GuaranteeKind.REPLACE, "replace_within_15_days", 7),
        (15, GuaranteeKind.REPLACE, "replace_within_15_days", 7),
        (16, GuaranteeKind.REPLACE, "", 7),
        (30, GuaranteeKind.REPAIR, "repair_in_warranty", 15),
        (400, GuaranteeKind.REPAIR, "", 7),
        (400, GuaranteeKind.REFUND, "", 7),
    ],
)
async def test_the_default_rules_decide_eligibility_and_the_legal_due_time(
    system: Any,
    make_user: Any,
    world: dict[str, Any],
    days_ago: int,
    kind: GuaranteeKind,
    rule: str,
    decide_days: int,
) -> None:
    unit_id = await unit_bought(system, world, days_ago)
    moment = clock.now()
    with clock.frozen_at(moment):
        row = await request(await make_user("agent"), unit_id, kind)
    assert row.eligible_rule == rule
    assert row.requested_at == moment and row.due_at == moment + timedelta(days=decide_days)
    assert row.number.startswith("G") and row.decision is None
    event = await last_event("guarantee_request", row.id, events.GUARANTEE_REQUESTED)
    assert f'"days_since_purchase":{days_ago}' in event["after"] and '"rules":"defaults"' in event["after"]


async def test_two_failed_repairs_in_warranty_qualify_for_replacement(system: Any, make_user: Any) -> None:
    job = await assigned_job(system, make_user)  # the unit was bought 100 days ago
    try:
        agent = await make_user("agent")
        unit_id = job.network["unit_id"]
        assert (await request(agent, unit_id, GuaranteeKind.REPLACE)).eligible_rule == ""

        moment = clock.now()
        await WorkOrder.update(
            {WorkOrder.result: WorkResult.NOT_FIXED.value, WorkOrder.completed_at: moment}
        ).where(
            WorkOrder.id == job.work_order_id
        )  # visit 1 ended "not fixed" (the work-order services record this on completion)
        assert (
            await loop_queries.failed_repairs_in_warranty(
                unit_id, clock.today() - timedelta(days=100), clock.today() + timedelta(days=300)
            )
            == 1
        )
        assert (await request(agent, unit_id, GuaranteeKind.REPLACE)).eligible_rule == ""

        ticket = await Ticket.objects().get(Ticket.id == job.ticket_id)
        async with unit_of_work(system) as uow:
            revisit = await open_visit(uow, ticket, job.technician.user_id, 2, None, job.work_order_id)
            uow.record("tests.revisit", "work_order", revisit.id)
        await WorkOrder.update(
            {WorkOrder.result: WorkResult.NOT_FIXED.value, WorkOrder.completed_at: moment}
        ).where(WorkOrder.id == revisit.id)
        replaced = await request(agent, unit_id, GuaranteeKind.REPLACE, ticket_id=job.ticket_id)
        assert replaced.eligible_rule == "replace_after_two_failed_repairs"
        assert replaced.ticket == job.ticket_id
        assert (await request(agent, unit_id, GuaranteeKind.REFUND)).eligible_rule == ""
    finally:
        await retire_course(system, job.network["course_id"])


def test_rule_selection_prefers_the_shortest_decision_time() -> None:
    facts = UnitFacts(days_since_purchase=5, in_warranty=True, failed_repairs=3)
    chosen = matching_rule(DEFAULT_RULES, GuaranteeKind.REPLACE, facts)
    assert chosen is not None and chosen.code == "replace_after_two_failed_repairs"  # same 7 days: lower code
    outside = UnitFacts(days_since_purchase=500, in_warranty=False, failed_repairs=3)
    assert matching_rule(DEFAULT_RULES, GuaranteeKind.REPLACE, outside) is None


async def test_the_request_must_name_a_known_unit_and_its_own_ticket(
    system: Any, make_user: Any, world: dict[str, Any]
) -> None:
    agent = await make_user("agent")
    other_unit = await unit_bought(system, world, 3)
    ticket_id = await services.create_ticket(
        agent,
        TicketCreate(
            kind=TicketKind.REPAIR,
            customer_id=world["customer_id"],
            unit_id=world["unit_id"],
            description="坏",
        ),
    )
    with pytest.raises(Invalid) as refused:
        await request(agent, other_unit, GuaranteeKind.REFUND, ticket_id=ticket_id)
    assert refused.value.field == "ticket_id"
    with pytest.raises(Invalid):
        await request(agent, 2_000_000_000, GuaranteeKind.REFUND)
    with pytest.raises(Invalid):
        await services.request_guarantee(
            agent, GuaranteeCreate(unit_id=other_unit, kind=GuaranteeKind.REFUND, reason=" ")
        )
    with pytest.raises(PermissionDenied):
        await request(await make_user("dispatcher"), other_unit, GuaranteeKind.REFUND)
    assert await GuaranteeRequest.count().where(GuaranteeRequest.unit == other_unit) == 0


async def test_decisions_record_the_rule_that_applied(
    system: Any, make_user: Any, world: dict[str, Any]
) -> None:
    agent, manager = await make_user("agent"), await make_user("service_manager")
    eligible = await request(agent, await unit_bought(system, world, 3), GuaranteeKind.REFUND)
    await services.decide_guarantee(manager, eligible.id, GuaranteeDecision.GRANTED)
    row = await GuaranteeRequest.objects().get(GuaranteeRequest.id == eligible.id)
    assert (row.decision, row.decision_rule, row.decided_by) == (
        "granted",
        "refund_within_7_days",
        manager.user_id,
    )
    assert row.decided_at is not None
    assert await actions_of("guarantee_request", eligible.id) == [
        events.GUARANTEE_REQUESTED,
        events.GUARANTEE_DECIDED,
    ]
    with pytest.raises(Conflict):
        await services.decide_guarantee(manager, eligible.id, GuaranteeDecision.REFUSED, "改判")

    no_rule = await request(agent, await unit_bought(system, world, 60), GuaranteeKind.REFUND)
    with pytest.raises(Invalid) as needs_note:
        await services.decide_guarantee(manager, no_rule.id, GuaranteeDecision.GRANTED)
    assert needs_note.value.field == "note"
    await services.decide_guarantee(manager, no_rule.id, "refused")
    row = await GuaranteeRequest.objects().get(GuaranteeRequest.id == no_rule.id)
    assert (row.decision, row.decision_rule) == ("refused", NO_RULE)

    goodwill = await request(agent, await unit_bought(system, world, 60), GuaranteeKind.REFUND)
    await services.decide_guarantee(await make_user("hq_manager"), goodwill.id, "granted", "老客户，特批退货")
    row = await GuaranteeRequest.objects().get(GuaranteeRequest.id == goodwill.id)
    assert (row.decision, row.decision_rule, row.decision_note) == ("granted", NO_RULE, "老客户，特批退货")

    refusing_eligible = await request(agent, await unit_bought(system, world, 3), GuaranteeKind.REFUND)
    with pytest.raises(Invalid):
        await services.decide_guarantee(manager, refusing_eligible.id, "refused")
    with pytest.raises(Invalid):
        await services.decide_guarantee(manager, refusing_eligible.id, "maybe", "x")
    with pytest.raises(PermissionDenied):
        await services.decide_guarantee(agent, refusing_eligible.id, "granted")
    with pytest.raises(NotFound):
        await services.decide_guarantee(manager, 2_000_000_000, "granted")
    await services.decide_guarantee(manager, refusing_eligible.id, "refused", "人为损坏，不属三包")
    assert (await loop_queries.get_guarantee(refusing_eligible.id)).decision == GuaranteeDecision.REFUSED


async def test_configured_rules_replace_the_defaults(
    system: Any, make_user: Any, world: dict[str, Any]
) -> None:
    manager, agent = await make_user("service_manager"), await make_user("agent")
    code = unique("refund_30d_")
    rule_id = await services.create_guarantee_rule(
        manager,
        GuaranteeRuleWrite(
            code=code, kind=GuaranteeKind.REFUND, max_days_since_purchase=30, decide_within_days=3
        ),
    )
    try:
        moment = clock.now()
        with clock.frozen_at(moment):
            refund = await request(agent, await unit_bought(system, world, 20), GuaranteeKind.REFUND)
        assert refund.eligible_rule == code and refund.due_at == moment + timedelta(days=3)
        replace = await request(agent, await unit_bought(system, world, 3), GuaranteeKind.REPLACE)
        assert replace.eligible_rule == "", "the defaults no longer apply"
        rules, configured = await loop_queries.rules_in_force()
        assert configured and code in [rule.code for rule in rules]
    finally:
        await services.update_guarantee_rule(
            manager,
            rule_id,
            GuaranteeRuleWrite(
                code=code, kind=GuaranteeKind.REFUND, max_days_since_purchase=30, is_active=False
            ),
        )
    assert await actions_of("guarantee_rule", rule_id) == [
        events.GUARANTEE_RULE_CREATED,
        events.GUARANTEE_RULE_UPDATED,
    ]
    again = await request(agent, await unit_bought(system, world, 3), GuaranteeKind.REPLACE)
    assert again.eligible_rule == "replace_within_15_days"


async def test_rules_are_validated_and_kept_by_service_managers(make_user: Any) -> None:
    manager = await make_user("service_manager")
    code = unique("rule_")
    rule_id = await services.create_guarantee_rule(manager, inactive_rule(code))
    with pytest.raises(Conflict):
        await services.create_guarantee_rule(manager, inactive_rule(code))
    for bad in ("A B", "x", NO_RULE, "规则", "r" * 65):
        with pytest.raises(Invalid):
            await services.create_guarantee_rule(manager, inactive_rule(bad))
    with pytest.raises(Invalid):
        await services.create_guarantee_rule(manager, inactive_rule(unique("rule_"), days=0))
    with pytest.raises(Invalid):
        await services.update_guarantee_rule(manager, rule_id, inactive_rule(unique("renamed_")))
    with pytest.raises(NotFound):
        await services.update_guarantee_rule(manager, 2_000_000_000, inactive_rule(code))
    for role in ("agent", "hq_manager", "auditor"):
        with pytest.raises(PermissionDenied):
            await services.create_guarantee_rule(await make_user(role), inactive_rule(unique("rule_")))
    await services.update_guarantee_rule(manager, rule_id, inactive_rule(code, days=10))
    assert (await loop_queries.get_guarantee_rule(rule_id)).decide_within_days == 10
