"""Corrective actions: opened with an owner and a future due date, closed with an effectiveness check by
the owner or a service manager; an action on a complaint carries the complaint to its close. Ends with
the whole loop: a poor follow-up → complaint → escalation → corrective action → closed complaint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from service_ops import clock
from service_ops.audit import verify_chain
from service_ops.errors import Conflict, Invalid, NotFound, PermissionDenied
from service_ops.tables import Notification
from tests.tickets.loop_audit_scenarios import (
    acknowledged_complaint,
    new_complaint,
    recorded_followup,
    resolved_complaint,
)
from tests.tickets.test_complaints import notified
from tests.tickets.test_followups import actions_of, last_event
from tickets import events, loop_queries, services
from tickets.choices import CapaSource, ComplaintCategory, ComplaintStatus, SlaState
from tickets.loop_schemas import CorrectiveActionCreate
from tickets.tables import Complaint, CorrectiveAction


@pytest.fixture
def ctx(system: Any, make_user: Any, world: dict[str, Any]) -> dict[str, Any]:
    return {"system": system, "make_user": make_user, "world": world}


def action_data(
    owner_id: int | None, complaint_id: int | None = None, **changes: Any
) -> CorrectiveActionCreate:
    values: dict[str, Any] = {
        "source": CapaSource.COMPLAINT if complaint_id else CapaSource.INSPECTION,
        "complaint_id": complaint_id,
        "description": "派单规则整改",
        "owner_id": owner_id,
        "due_on": clock.today() + timedelta(days=10),
        **changes,
    }
    return CorrectiveActionCreate(**values)


async def complaint_row(complaint_id: int) -> Complaint:
    row = await Complaint.objects().get(Complaint.id == complaint_id)
    assert row is not None
    return row


async def test_opening_an_action(ctx: dict[str, Any]) -> None:
    manager = await ctx["make_user"]("service_manager")
    owner = await ctx["make_user"]("outlet_manager")
    action_id = await services.open_corrective_action(
        manager, action_data(owner.user_id, source_ref="INSP-7")
    )

    action = await CorrectiveAction.objects().get(CorrectiveAction.id == action_id)
    assert (action.owner, action.opened_on, action.source, action.source_ref) == (
        owner.user_id,
        clock.today(),
        "inspection",
        "INSP-7",
    )
    assert action.number.startswith("CA") and action.closed_on is None
    assert await actions_of("corrective_action", action_id) == [events.CORRECTIVE_ACTION_OPENED]
    assert (
        await Notification.count().where(
            (Notification.user == owner.user_id) & (Notification.entity_id == str(action_id))
        )
        == 1
    )
    read = await loop_queries.get_corrective_action(action_id)
    assert read.state == SlaState.RUNNING and read.owner_name == owner.display_name
    with clock.frozen_at(clock.now() + timedelta(days=11)):
        assert (await loop_queries.get_corrective_action(action_id)).state == SlaState.OVERDUE
        listed = [a.id for a in await loop_queries.list_corrective_actions()]
        assert action_id in listed


async def test_bad_actions_are_refused(ctx: dict[str, Any]) -> None:
    manager = await ctx["make_user"]("service_manager")
    complaint_id = await new_complaint(ctx)
    cases = [
        (action_data(manager.user_id, due_on=clock.today() - timedelta(days=1)), "due_on"),
        (action_data(manager.user_id, source=CapaSource.COMPLAINT), "complaint_id"),
        (action_data(manager.user_id, complaint_id=complaint_id, source=CapaSource.REVIEW), "complaint_id"),
        (action_data(manager.user_id, complaint_id=2_000_000_000), "complaint_id"),
        (action_data(2_000_000_000), "owner_id"),
        (action_data((await ctx["make_user"]("auditor")).user_id), "owner_id"),
        (action_data(manager.user_id, description=" "), "description"),
        (action_data(manager.user_id, source_ref="x" * 65), "source_ref"),
    ]
    count = await CorrectiveAction.count()
    for data, field in cases:
        with pytest.raises(Invalid) as refused:
            await services.open_corrective_action(manager, data)
        assert refused.value.field == field
    for role in ("agent", "technician", "auditor", "dispatcher"):
        with pytest.raises(PermissionDenied):
            await services.open_corrective_action(await ctx["make_user"](role), action_data(manager.user_id))
    assert await CorrectiveAction.count() == count
    assert (await complaint_row(complaint_id)).status == "open"


async def test_closing_by_the_owner_or_a_service_manager(ctx: dict[str, Any]) -> None:
    manager = await ctx["make_user"]("service_manager")
    owner = await ctx["make_user"]("technician")
    action_id = await services.open_corrective_action(manager, action_data(owner.user_id))
    with pytest.raises(Invalid):
        await services.close_corrective_action(owner, action_id, "已整改", " ", True)
    with pytest.raises(Invalid):
        await services.close_corrective_action(owner, action_id, "", "抽查", True)
    for role in ("agent", "outlet_manager", "auditor"):
        with pytest.raises(PermissionDenied):
            await services.close_corrective_action(await ctx["make_user"](role), action_id, "a", "b", True)
    with pytest.raises(NotFound):
        await services.close_corrective_action(manager, 2_000_000_000, "a", "b", True)

    await services.close_corrective_action(owner, action_id, "已重新培训", "抽查 10 单合格", True)
    action = await CorrectiveAction.objects().get(CorrectiveAction.id == action_id)
    assert (action.closed_on, action.closure_note, action.effectiveness_check, action.effective) == (
        clock.today(),
        "已重新培训",
        "抽查 10 单合格",
        True,
    )
    event = await last_event("corrective_action", action_id, events.CORRECTIVE_ACTION_CLOSED)
    assert event["actor"] == owner.username and '"on_time":true' in event["after"]
    with pytest.raises(Conflict):
        await services.close_corrective_action(manager, action_id, "again", "again", True)
    assert (await loop_queries.get_corrective_action(action_id)).state == SlaState.MET


async def test_an_action_resolves_and_closes_its_complaint(ctx: dict[str, Any]) -> None:
    manager = await ctx["make_user"]("service_manager")
    complaint_id = await new_complaint(ctx)
    action_id = await services.open_corrective_action(manager, action_data(manager.user_id, complaint_id))
    complaint = await complaint_row(complaint_id)
    assert complaint.status == "acknowledged" and complaint.handler == manager.user_id, (
        "taken on by the action"
    )
    acknowledged = await last_event("complaint", complaint_id, events.COMPLAINT_ACKNOWLEDGED)
    assert acknowledged["reason"].startswith("corrective action CA")

    await services.close_corrective_action(manager, action_id, "派单规则已改", "两周无同类投诉", True)
    complaint = await complaint_row(complaint_id)
    assert complaint.status == ComplaintStatus.CLOSED.value
    assert (complaint.root_cause, complaint.resolution) == ("派单规则整改", "派单规则已改")
    assert complaint.resolved_at is not None and complaint.closed_at is not None
    assert await actions_of("complaint", complaint_id) == [
        events.COMPLAINT_OPENED,
        events.COMPLAINT_ACKNOWLEDGED,
        events.COMPLAINT_RESOLVED,
        events.COMPLAINT_CLOSED,
    ]


async def test_a_resolved_complaint_keeps_its_root_cause_and_is_closed(ctx: dict[str, Any]) -> None:
    manager = await ctx["make_user"]("service_manager")
    complaint_id = await resolved_complaint(ctx)
    action_id = await services.open_corrective_action(manager, action_data(manager.user_id, complaint_id))
    await services.close_corrective_action(manager, action_id, "完成", "复查有效", True)
    complaint = await complaint_row(complaint_id)
    assert (complaint.status, complaint.root_cause, complaint.resolution) == (
        "closed",
        "派工延误",
        "致歉并补偿",
    )


async def test_the_complaint_waits_for_its_last_effective_action(ctx: dict[str, Any]) -> None:
    manager = await ctx["make_user"]("service_manager")
    complaint_id = await acknowledged_complaint(ctx)
    first = await services.open_corrective_action(manager, action_data(manager.user_id, complaint_id))
    second = await services.open_corrective_action(manager, action_data(manager.user_id, complaint_id))
    await services.close_corrective_action(manager, first, "完成一半", "复查", True)
    assert (await complaint_row(complaint_id)).status == "acknowledged"
    await services.close_corrective_action(manager, second, "无效", "复查仍有投诉", False)
    assert (await complaint_row(complaint_id)).status == "acknowledged", (
        "an ineffective action settles nothing"
    )
    third = await services.open_corrective_action(manager, action_data(manager.user_id, complaint_id))
    await services.close_corrective_action(manager, third, "彻底整改", "复查有效", True)
    assert (await complaint_row(complaint_id)).status == "closed"
    timeline = await loop_queries.complaint_timeline(
        await loop_queries.get_complaint(complaint_id),
        await loop_queries.corrective_actions_of_complaint(complaint_id),
    )
    assert [entry.what for entry in timeline] == [
        "Received",
        "Acknowledged",
        "Corrective action opened",
        "Corrective action opened",
        "Corrective action closed",
        "Corrective action closed",
        "Corrective action opened",
        "Corrective action closed",
        "Resolved",
        "Closed",
    ]


async def test_the_loop_closes_from_a_poor_followup(ctx: dict[str, Any], system: Any) -> None:
    """Acceptance: follow-up scored 2 → complaint → escalated to level 1 → corrective action → closed."""
    manager = await ctx["make_user"]("service_manager")
    agent = await ctx["make_user"]("agent")
    followup_id = await recorded_followup(ctx, score=2, comment="维修后仍漏水，师傅不理")

    complaint_id = await services.complaint_from_followup(
        agent, followup_id, ComplaintCategory.QUALITY_OF_WORK
    )
    assert await services.escalate_complaint(system, complaint_id, 1, "受理承诺已过") is True
    assert await services.escalate_complaint(system, complaint_id, 1, "受理承诺已过") is False
    assert await notified(manager.user_id, complaint_id) == 1

    action_id = await services.open_corrective_action(
        manager,
        CorrectiveActionCreate(
            source=CapaSource.COMPLAINT,
            complaint_id=complaint_id,
            description="维修质量复核流程缺失",
            owner_id=manager.user_id or 0,
            due_on=clock.today() + timedelta(days=7),
        ),
    )
    await services.close_corrective_action(manager, action_id, "增加完工复核", "一个月内无同类投诉", True)

    complaint = await complaint_row(complaint_id)
    assert complaint.followup == followup_id and complaint.status == "closed"
    assert complaint.escalation_level == 1 and complaint.root_cause == "维修质量复核流程缺失"
    assert await actions_of("followup", followup_id) == [events.FOLLOWUP_CREATED, events.FOLLOWUP_RECORDED]
    assert await actions_of("complaint", complaint_id) == [
        events.COMPLAINT_OPENED,
        events.COMPLAINT_ESCALATED,
        events.COMPLAINT_ACKNOWLEDGED,
        events.COMPLAINT_RESOLVED,
        events.COMPLAINT_CLOSED,
    ]
    assert await actions_of("corrective_action", action_id) == [
        events.CORRECTIVE_ACTION_OPENED,
        events.CORRECTIVE_ACTION_CLOSED,
    ]
    verdict = await verify_chain()
    assert verdict.ok, verdict
