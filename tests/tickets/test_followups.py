"""Follow-up calls: due from the resolution, recorded once with a valid score, never by the job's own
technician; a poor score opens a complaint in one step; the loop's commitments are configurable."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from service_ops import clock
from service_ops.choices import Role
from service_ops.errors import Conflict, Invalid, InvalidTransition, PermissionDenied
from service_ops.tables import AuditEvent
from service_ops.uow import unit_of_work
from tests.outlets.network import retire_course
from tests.tickets.field import assigned_job
from tests.tickets.loop_audit_scenarios import consult_followup, recorded_followup
from tickets import events, loop_queries, loop_settings, services
from tickets.choices import Channel, ComplaintCategory, ComplaintStatus, SlaState
from tickets.services.followups import open_followup
from tickets.tables import Complaint, Followup, Ticket


async def actions_of(entity: str, entity_id: object) -> list[str]:
    rows = (
        await AuditEvent.select(AuditEvent.action)
        .where((AuditEvent.entity == entity) & (AuditEvent.entity_id == str(entity_id)))
        .order_by(AuditEvent.seq)
    )
    return [row["action"] for row in rows]


async def last_event(entity: str, entity_id: object, action: str) -> dict[str, Any]:
    row = (
        await AuditEvent.select()
        .where(
            (AuditEvent.entity == entity)
            & (AuditEvent.entity_id == str(entity_id))
            & (AuditEvent.action == action)
        )
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    assert row is not None, f"no {action} for {entity} {entity_id}"
    return row


@pytest.fixture
def ctx(system: Any, make_user: Any, world: dict[str, Any]) -> dict[str, Any]:
    return {"system": system, "make_user": make_user, "world": world}


async def test_resolution_opens_a_followup_due_after_the_configured_days(ctx: dict[str, Any]) -> None:
    start = clock.now()
    with clock.frozen_at(start):
        followup_id = await consult_followup(ctx)
        followup = await Followup.objects().get(Followup.id == followup_id)
        ticket = await Ticket.objects().get(Ticket.id == followup.ticket)
        days = (await loop_settings.current()).followup_due_days
        assert followup.due_at == ticket.resolved_at + timedelta(days=days)
        assert followup.done_at is None
        assert await actions_of("followup", followup_id) == [events.FOLLOWUP_CREATED]

        read = await loop_queries.get_followup(followup_id)
        assert read.due.state == SlaState.RUNNING
        assert read.customer_name == "测试客户" and read.phone == ctx["world"]["phone"]
        assert followup_id in [f.id for f in await loop_queries.list_followups("pending")]
        assert followup_id not in [f.id for f in await loop_queries.list_followups("overdue")]

        clock.advance(timedelta(days=days, minutes=1))
        assert (await loop_queries.get_followup(followup_id)).due.state == SlaState.OVERDUE
        overdue = [f.id for f in await loop_queries.list_followups("overdue")]
        assert followup_id in overdue
        pending = await loop_queries.list_followups("pending")
        dues = [f.due.due for f in pending]
        assert dues == sorted(dues), "oldest due first"


async def test_recording_the_outcome_closes_the_followup(ctx: dict[str, Any], make_user: Any) -> None:
    followup_id = await consult_followup(ctx)
    agent = await make_user("agent")
    assert await services.record_followup(agent, followup_id, True, 4, " 满意 ") == followup_id

    row = await Followup.objects().get(Followup.id == followup_id)
    assert (row.reached, row.score, row.comment, row.agent) == (True, 4, "满意", agent.user_id)
    assert row.done_at is not None
    event = await last_event("followup", followup_id, events.FOLLOWUP_RECORDED)
    assert '"score":4' in event["after"] and event["actor"] == agent.username

    with pytest.raises(Conflict):
        await services.record_followup(agent, followup_id, True, 5, "")
    assert (await Followup.objects().get(Followup.id == followup_id)).score == 4
    assert followup_id in [f.id for f in await loop_queries.list_followups("done")]


async def test_not_reached_is_recorded_without_a_score(ctx: dict[str, Any]) -> None:
    followup_id = await consult_followup(ctx)
    await services.record_followup(
        await ctx["make_user"]("service_manager"), followup_id, False, None, "无人接听"
    )
    row = await Followup.objects().get(Followup.id == followup_id)
    assert (row.reached, row.score) == (False, None)


@pytest.mark.parametrize(
    ("reached", "score"), [(True, 6), (True, 0), (True, -1), (True, None), (False, 3), (False, 1)]
)
async def test_bad_outcomes_are_refused_and_nothing_is_written(
    ctx: dict[str, Any], reached: bool, score: int | None
) -> None:
    followup_id = await consult_followup(ctx)
    before = await actions_of("followup", followup_id)
    with pytest.raises(Invalid) as refused:
        await services.record_followup(await ctx["make_user"]("agent"), followup_id, reached, score, "")
    assert refused.value.field == "score"
    assert (await Followup.objects().get(Followup.id == followup_id)).done_at is None
    assert await actions_of("followup", followup_id) == before


async def test_a_retried_record_with_its_key_changes_nothing(ctx: dict[str, Any]) -> None:
    followup_id = await consult_followup(ctx)
    agent = await ctx["make_user"]("agent")
    key = "followup-retry-" + agent.username
    await services.record_followup(agent, followup_id, True, 5, "好", idempotency_key=key)
    assert (
        await services.record_followup(agent, followup_id, True, 5, "好", idempotency_key=key) == followup_id
    )
    assert (await actions_of("followup", followup_id)).count(events.FOLLOWUP_RECORDED) == 1


@pytest.mark.parametrize("role", ["dispatcher", "technician", "outlet_manager", "auditor", "finance"])
async def test_only_agents_and_service_managers_follow_up(ctx: dict[str, Any], role: str) -> None:
    followup_id = await consult_followup(ctx)
    with pytest.raises(PermissionDenied):
        await services.record_followup(await ctx["make_user"](role), followup_id, True, 5, "")


async def test_the_technician_does_not_follow_up_his_own_job(system: Any, make_user: Any) -> None:
    job = await assigned_job(system, make_user)
    try:
        async with unit_of_work(system) as uow:  # the resolving step (work orders) opens it this way
            followup_id = await open_followup(uow, job.ticket_id, clock.now())
        # the technician later moved to the hotline: his role allows follow-ups, not of his own job
        as_agent = dataclasses.replace(job.technician, role=Role.AGENT)
        with pytest.raises(PermissionDenied):
            await services.record_followup(as_agent, followup_id, True, 5, "自己回访")
        assert (await Followup.objects().get(Followup.id == followup_id)).done_at is None
        with pytest.raises(PermissionDenied):
            await services.record_followup(job.technician, followup_id, True, 5, "")
        await services.record_followup(await make_user("agent"), followup_id, True, 3, "一般")
        read = await loop_queries.get_followup(followup_id)
        assert read.technician_id == job.technician.user_id and read.outlet_name
    finally:
        await retire_course(system, job.network["course_id"])


async def test_a_poor_score_opens_a_linked_complaint(ctx: dict[str, Any]) -> None:
    followup_id = await recorded_followup(ctx, score=2, comment="师傅态度差")
    followup = await Followup.objects().get(Followup.id == followup_id)
    agent = await ctx["make_user"]("agent")
    complaint_id = await services.complaint_from_followup(
        agent, followup_id, ComplaintCategory.SERVICE_ATTITUDE
    )

    complaint = await Complaint.objects().get(Complaint.id == complaint_id)
    assert complaint.followup == followup_id and complaint.ticket == followup.ticket
    assert complaint.customer == ctx["world"]["customer_id"]
    assert complaint.channel == Channel.PHONE.value and complaint.category == "attitude"
    assert complaint.description == "师傅态度差" and complaint.status == ComplaintStatus.OPEN.value
    assert await actions_of("complaint", complaint_id) == [events.COMPLAINT_OPENED]
    assert (await loop_queries.get_followup(followup_id)).complaint_id == complaint_id

    with pytest.raises(Conflict):
        await services.complaint_from_followup(agent, followup_id, ComplaintCategory.OTHER)
    assert await Complaint.count().where(Complaint.followup == followup_id) == 1


async def test_a_complaint_needs_a_call_that_reached_the_customer(ctx: dict[str, Any]) -> None:
    agent = await ctx["make_user"]("agent")
    pending = await consult_followup(ctx)
    with pytest.raises(InvalidTransition):
        await services.complaint_from_followup(agent, pending, ComplaintCategory.OTHER)
    await services.record_followup(agent, pending, False, None, "")
    with pytest.raises(InvalidTransition):
        await services.complaint_from_followup(agent, pending, ComplaintCategory.OTHER)
    assert not await Complaint.exists().where(Complaint.followup == pending)


async def test_loop_settings_are_changed_by_a_service_manager_and_audited(ctx: dict[str, Any]) -> None:
    manager = await ctx["make_user"]("service_manager")
    original = await loop_settings.current()
    try:
        await services.update_loop_settings(manager, 5, 60, 600, 75)
        assert await loop_settings.current() == loop_settings.LoopCommitments(5, 60, 600, 75)
        event = (
            await AuditEvent.select()
            .where(AuditEvent.action == events.LOOP_SETTINGS_UPDATED)
            .order_by(AuditEvent.seq, ascending=False)
            .first()
        )
        assert '"followup_due_days":5' in event["after"]
        assert f'"followup_due_days":{original.followup_due_days}' in event["before"]

        followup = await Followup.objects().get(Followup.id == await consult_followup(ctx))
        ticket = await Ticket.objects().get(Ticket.id == followup.ticket)
        assert followup.due_at == ticket.resolved_at + timedelta(days=5)

        for bad in ((0, 60, 600, 75), (5, 60, 30, 75), (5, 60, 600, 100), (91, 60, 600, 75)):
            with pytest.raises(Invalid):
                await services.update_loop_settings(manager, *bad)
        with pytest.raises(PermissionDenied):
            await services.update_loop_settings(await ctx["make_user"]("agent"), 7, 120, 1440, 80)
        assert await loop_settings.current() == loop_settings.LoopCommitments(5, 60, 600, 75)
    finally:
        await services.update_loop_settings(
            manager,
            original.followup_due_days,
            original.complaint_ack_minutes,
            original.complaint_resolve_minutes,
            original.near_breach_percent,
        )
