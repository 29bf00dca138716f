"""Complaints: commitments from the loop settings, the status graph, escalation that only rises (and
notifies once), resolution with a root cause, the customer's answer, closing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from service_ops import clock
from service_ops import services as core_services
from service_ops.errors import Conflict, Invalid, InvalidTransition, NotFound, PermissionDenied
from service_ops.schemas import CustomerCreate
from service_ops.tables import Notification, User
from tests.tickets.loop_audit_scenarios import (
    accepted_complaint,
    acknowledged_complaint,
    new_action,
    new_complaint,
    resolved_complaint,
)
from tests.tickets.test_followups import actions_of, last_event
from tickets import events, loop_queries, loop_settings, services
from tickets.choices import ComplaintCategory, ComplaintSeverity, ComplaintStatus, SlaState, TicketKind
from tickets.loop_schemas import ComplaintCreate, ComplaintFilter
from tickets.schemas import TicketCreate
from tickets.services.complaints import TRANSITIONS, can_move
from tickets.tables import Complaint


@pytest.fixture
def ctx(system: Any, make_user: Any, world: dict[str, Any]) -> dict[str, Any]:
    return {"system": system, "make_user": make_user, "world": world}


def anything(ctx: dict[str, Any]) -> ComplaintCreate:
    return ComplaintCreate(
        customer_id=ctx["world"]["customer_id"], category=ComplaintCategory.OTHER, description="x"
    )


async def notified(user_id: int | None, complaint_id: int) -> int:
    return await Notification.count().where(
        (Notification.user == user_id)
        & (Notification.entity == "complaint")
        & (Notification.entity_id == str(complaint_id))
    )


async def test_a_complaint_gets_its_commitments_when_received(ctx: dict[str, Any]) -> None:
    moment = clock.now().replace(microsecond=0)
    with clock.frozen_at(moment):
        complaint_id = await new_complaint(ctx)
    complaint = await Complaint.objects().get(Complaint.id == complaint_id)
    commitments = await loop_settings.current()
    assert complaint.received_at == moment
    assert complaint.ack_due == moment + commitments.complaint_ack_window
    assert complaint.resolve_due == moment + commitments.complaint_resolve_window
    assert complaint.status == ComplaintStatus.OPEN.value and complaint.escalation_level == 0
    day = moment.astimezone(clock.org_zone()).strftime("%Y%m%d")
    assert complaint.number.startswith("C" + day) and len(complaint.number) == 14
    assert await actions_of("complaint", complaint_id) == [events.COMPLAINT_OPENED]


async def test_the_ticket_must_be_the_customers(ctx: dict[str, Any], system: Any) -> None:
    agent = await ctx["make_user"]("agent")
    other = await core_services.create_customer(
        system,
        CustomerCreate(
            name="别人", address="别处", region_code=ctx["world"]["region_code"], phones=["13700001111"]
        ),
    )
    foreign_ticket = await services.create_ticket(
        agent, TicketCreate(kind=TicketKind.CONSULT, customer_id=other, description="咨询")
    )
    data = ComplaintCreate(
        customer_id=ctx["world"]["customer_id"],
        category=ComplaintCategory.FEES,
        description="乱收费",
        ticket_id=foreign_ticket,
    )
    with pytest.raises(Invalid) as refused:
        await services.open_complaint(agent, data)
    assert refused.value.field == "ticket_id"
    with pytest.raises(Invalid):
        await services.open_complaint(
            agent,
            ComplaintCreate(customer_id=2_000_000_000, category=ComplaintCategory.FEES, description="x"),
        )
    with pytest.raises(Invalid):
        await services.open_complaint(
            agent, ComplaintCreate(customer_id=other, category=ComplaintCategory.FEES, description="  ")
        )
    mine = await services.create_ticket(
        agent,
        TicketCreate(kind=TicketKind.CONSULT, customer_id=ctx["world"]["customer_id"], description="咨询"),
    )
    complaint_id = await services.open_complaint(
        agent,
        ComplaintCreate(
            customer_id=ctx["world"]["customer_id"],
            category=ComplaintCategory.FEES,
            description="乱收费",
            ticket_id=mine,
        ),
    )
    assert (await Complaint.objects().get(Complaint.id == complaint_id)).ticket == mine


async def test_a_major_complaint_is_escalated_to_the_service_managers_at_once(ctx: dict[str, Any]) -> None:
    manager = await ctx["make_user"]("service_manager")
    head_office = await ctx["make_user"]("hq_manager")
    complaint_id = await new_complaint(ctx, ComplaintSeverity.MAJOR)

    complaint = await Complaint.objects().get(Complaint.id == complaint_id)
    assert complaint.escalation_level == 1 and complaint.escalated_at == complaint.received_at
    assert await actions_of("complaint", complaint_id) == [
        events.COMPLAINT_OPENED,
        events.COMPLAINT_ESCALATED,
    ]
    assert await notified(manager.user_id, complaint_id) == 1
    assert await notified(head_office.user_id, complaint_id) == 0
    active_managers = await User.count().where((User.role == "service_manager") & User.is_active.eq(True))
    assert (
        await Notification.count().where(
            (Notification.entity == "complaint") & (Notification.entity_id == str(complaint_id))
        )
        == active_managers
    )


async def test_escalation_only_rises_and_notifies_once(ctx: dict[str, Any], system: Any) -> None:
    manager = await ctx["make_user"]("service_manager")
    head_office = await ctx["make_user"]("hq_manager")
    complaint_id = await new_complaint(ctx)

    assert await services.escalate_complaint(system, complaint_id, 1, "受理超时") is True
    assert await services.escalate_complaint(system, complaint_id, 1, "受理超时") is False
    assert await notified(manager.user_id, complaint_id) == 1
    assert (await actions_of("complaint", complaint_id)).count(events.COMPLAINT_ESCALATED) == 1
    event = await last_event("complaint", complaint_id, events.COMPLAINT_ESCALATED)
    assert event["reason"] == "受理超时" and event["actor"] == system.audit_name

    assert await services.escalate_complaint(system, complaint_id, 2, "处理超时") is True
    assert await services.escalate_complaint(system, complaint_id, 2, "处理超时") is False
    assert await services.escalate_complaint(system, complaint_id, 1, "降级") is False
    assert await notified(head_office.user_id, complaint_id) == 1
    assert await notified(manager.user_id, complaint_id) == 1
    assert (await Complaint.objects().get(Complaint.id == complaint_id)).escalation_level == 2
    assert (await actions_of("complaint", complaint_id)).count(events.COMPLAINT_ESCALATED) == 2

    for level in (0, 3):
        with pytest.raises(Invalid):
            await services.escalate_complaint(system, complaint_id, level, "x")
    with pytest.raises(Invalid):
        await services.escalate_complaint(system, complaint_id, 2, " ")
    with pytest.raises(NotFound):
        await services.escalate_complaint(system, 2_000_000_000, 1, "x")
    with pytest.raises(PermissionDenied):
        await services.escalate_complaint(await ctx["make_user"]("technician"), complaint_id, 2, "x")


async def test_acknowledge_then_resolve_with_a_root_cause(ctx: dict[str, Any]) -> None:
    complaint_id = await new_complaint(ctx)
    handler = await ctx["make_user"]("agent")
    with pytest.raises(InvalidTransition):
        await services.resolve_complaint(handler, complaint_id, "原因", "处理")

    await services.acknowledge_complaint(handler, complaint_id)
    complaint = await Complaint.objects().get(Complaint.id == complaint_id)
    assert complaint.status == "acknowledged" and complaint.handler == handler.user_id
    assert complaint.acknowledged_at is not None
    with pytest.raises(InvalidTransition):
        await services.acknowledge_complaint(handler, complaint_id)

    for cause, outcome in (("", "处理"), ("原因", " "), ("x" * 4001, "处理")):
        with pytest.raises(Invalid):
            await services.resolve_complaint(handler, complaint_id, cause, outcome)
    assert (await Complaint.objects().get(Complaint.id == complaint_id)).status == "acknowledged"

    await services.resolve_complaint(handler, complaint_id, "派工延误", "致歉并补偿")
    complaint = await Complaint.objects().get(Complaint.id == complaint_id)
    assert (complaint.status, complaint.root_cause, complaint.resolution) == (
        "resolved",
        "派工延误",
        "致歉并补偿",
    )
    assert complaint.resolved_at is not None
    with pytest.raises(InvalidTransition):
        await services.resolve_complaint(handler, complaint_id, "again", "again")
    assert await actions_of("complaint", complaint_id) == [
        events.COMPLAINT_OPENED,
        events.COMPLAINT_ACKNOWLEDGED,
        events.COMPLAINT_RESOLVED,
    ]
    read = await loop_queries.get_complaint(complaint_id)
    assert read.acknowledgement.state == SlaState.MET and read.resolution.state == SlaState.MET


async def test_the_customer_answers_once_after_resolution(ctx: dict[str, Any]) -> None:
    agent = await ctx["make_user"]("agent")
    acknowledged = await acknowledged_complaint(ctx)
    with pytest.raises(InvalidTransition):
        await services.record_customer_answer(agent, acknowledged, True, "")

    resolved = await resolved_complaint(ctx)
    await services.record_customer_answer(agent, resolved, False, "补偿太少")
    complaint = await Complaint.objects().get(Complaint.id == resolved)
    assert complaint.customer_accepted is False and complaint.customer_answered_at is not None
    event = await last_event("complaint", resolved, events.COMPLAINT_CUSTOMER_ANSWERED)
    assert event["reason"] == "补偿太少"
    with pytest.raises(Conflict):
        await services.record_customer_answer(agent, resolved, True, "")


async def test_closing_needs_acceptance_and_no_open_corrective_action(ctx: dict[str, Any]) -> None:
    manager = await ctx["make_user"]("service_manager")
    agent = await ctx["make_user"]("agent")
    resolved = await resolved_complaint(ctx)
    with pytest.raises(InvalidTransition):
        await services.close_complaint(manager, resolved)  # no answer yet
    await services.record_customer_answer(agent, resolved, False, "")
    with pytest.raises(InvalidTransition):
        await services.close_complaint(manager, resolved)  # not accepted

    accepted = await accepted_complaint(ctx)
    await new_action({**ctx, "service_manager": manager}, accepted)
    with pytest.raises(InvalidTransition) as still_open:
        await services.close_complaint(manager, accepted)
    assert "number" in still_open.value.params

    ready = await accepted_complaint(ctx)
    with pytest.raises(PermissionDenied):
        await services.close_complaint(agent, ready)
    with pytest.raises(InvalidTransition):
        await services.close_complaint(manager, await acknowledged_complaint(ctx))
    await services.close_complaint(manager, ready, "客户满意")
    complaint = await Complaint.objects().get(Complaint.id == ready)
    assert complaint.status == "closed" and complaint.closed_at is not None
    assert (await last_event("complaint", ready, events.COMPLAINT_CLOSED))["reason"] == "客户满意"
    with pytest.raises(InvalidTransition):
        await services.close_complaint(manager, ready)
    with pytest.raises(InvalidTransition):
        await services.escalate_complaint(manager, ready, 2, "已结案")


@pytest.mark.parametrize("role", ["technician", "finance", "trainer", "auditor", "outlet_manager"])
async def test_roles_that_do_not_handle_complaints(ctx: dict[str, Any], role: str) -> None:
    someone = await ctx["make_user"](role)
    complaint_id = await new_complaint(ctx)
    with pytest.raises(PermissionDenied):
        await services.open_complaint(
            someone,
            ComplaintCreate(
                customer_id=ctx["world"]["customer_id"], category=ComplaintCategory.OTHER, description="x"
            ),
        )
    with pytest.raises(PermissionDenied):
        await services.acknowledge_complaint(someone, complaint_id)
    with pytest.raises(PermissionDenied):
        await services.resolve_complaint(someone, complaint_id, "a", "b")


async def test_a_dispatcher_registers_but_does_not_handle(ctx: dict[str, Any]) -> None:
    dispatcher = await ctx["make_user"]("dispatcher")
    complaint_id = await services.open_complaint(
        dispatcher,
        ComplaintCreate(
            customer_id=ctx["world"]["customer_id"], category=ComplaintCategory.OTHER, description="x"
        ),
    )
    with pytest.raises(PermissionDenied):
        await services.acknowledge_complaint(dispatcher, complaint_id)


def test_the_status_graph() -> None:
    expected = {
        ("open", "acknowledged"),
        ("acknowledged", "resolved"),
        ("resolved", "closed"),
    }
    for current in ComplaintStatus:
        assert current in TRANSITIONS
        for target in ComplaintStatus:
            assert can_move(current, target) == ((current.value, target.value) in expected)


async def test_the_register_lists_overdue_complaints_first(ctx: dict[str, Any]) -> None:
    start = clock.now()
    with clock.frozen_at(start):
        late = await new_complaint(ctx)
        clock.advance(timedelta(hours=3))
        fresh = await new_complaint(ctx)
        done = await resolved_complaint(ctx)
        mine = ComplaintFilter(customer_id=ctx["world"]["customer_id"])
        listed = [c.id for c in await loop_queries.list_complaints(mine)]
        assert listed.index(late) < listed.index(fresh) < listed.index(done)
        read = await loop_queries.get_complaint(late)
        assert read.overdue and read.acknowledgement.state == SlaState.OVERDUE
        assert not (await loop_queries.get_complaint(fresh)).overdue
        customer = ctx["world"]["customer_id"]
        only_open = await loop_queries.list_complaints(
            ComplaintFilter(status=ComplaintStatus.OPEN, customer_id=customer)
        )
        assert [c.id for c in only_open] == [late, fresh]
        majors = await loop_queries.list_complaints(
            ComplaintFilter(severity=ComplaintSeverity.MAJOR, customer_id=customer)
        )
        assert majors == []
