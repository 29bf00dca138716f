"""Issue 4 acceptance, closing the loop: a poor follow-up opens a complaint; the complaint escalates when
its acknowledge time passes (controllable clock, SLA monitor); a corrective action closes it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service_ops import clock
from service_ops.audit import verify_chain
from service_ops.tables import AuditEvent, Notification
from tickets import events, services
from tickets.choices import CapaSource, ComplaintCategory, TicketKind
from tickets.loop_schemas import CorrectiveActionCreate
from tickets.schemas import TicketCreate
from tickets.tables import Complaint, Followup, SlaAlert


async def test_score_two_complaint_escalates_then_a_corrective_action_closes_it(
    system: Any, make_user: Any, world: dict[str, Any]
) -> None:
    agent, follower = await make_user("agent"), await make_user("agent")
    manager = await make_user("service_manager")
    start = clock.now().replace(microsecond=0)
    with clock.frozen_at(start):
        ticket_id = await services.create_ticket(
            agent,
            TicketCreate(kind=TicketKind.CONSULT, customer_id=world["customer_id"], description="保修咨询"),
        )
        await services.resolve_ticket(agent, ticket_id, "已解释保修政策")
    followup = await Followup.objects().get(Followup.ticket == ticket_id)
    assert followup.due_at == start + timedelta(days=7), "due the configured days after resolution"

    with clock.frozen_at(start + timedelta(days=1)):
        await services.record_followup(follower, followup.id, reached=True, score=2, comment="等了很久才回电")
        complaint_id = await services.complaint_from_followup(
            follower, followup.id, category=ComplaintCategory.TIMELINESS
        )
    complaint = await Complaint.objects().get(Complaint.id == complaint_id)
    assert (complaint.ticket, complaint.followup, complaint.status) == (ticket_id, followup.id, "open")
    assert complaint.ack_due == complaint.received_at + timedelta(hours=2)

    with clock.frozen_at(complaint.ack_due - timedelta(minutes=1)):
        await services.raise_sla_alerts(system)
    assert (await Complaint.objects().get(Complaint.id == complaint_id)).escalation_level == 0, "not yet"
    with clock.frozen_at(complaint.ack_due + timedelta(minutes=1)):
        await services.raise_sla_alerts(system)
        await services.raise_sla_alerts(system)  # a second run changes nothing
    escalated = await Complaint.objects().get(Complaint.id == complaint_id)
    assert escalated.escalation_level == 1 and escalated.escalated_at is not None
    assert (
        await SlaAlert.count().where(
            (SlaAlert.entity == "complaint")
            & (SlaAlert.entity_id == complaint_id)
            & (SlaAlert.commitment == "complaint_ack")
        )
        == 2
    ), "near breach, then breach: once each"
    escalations = await AuditEvent.count().where(
        (AuditEvent.action == events.COMPLAINT_ESCALATED) & (AuditEvent.entity_id == str(complaint_id))
    )
    assert escalations == 1
    assert await Notification.exists().where(
        (Notification.user == manager.user_id)
        & (Notification.entity == "complaint")
        & (Notification.entity_id == str(complaint_id))
    ), "the service manager hears of the escalation"

    with clock.frozen_at(complaint.ack_due + timedelta(minutes=5)):
        await services.acknowledge_complaint(manager, complaint_id)
        action_id = await services.open_corrective_action(
            manager,
            CorrectiveActionCreate(
                source=CapaSource.COMPLAINT,
                complaint_id=complaint_id,
                description="回电超时：增加午间值班坐席",
                owner_id=manager.user_id,
                due_on=clock.today() + timedelta(days=14),
            ),
        )
        await services.close_corrective_action(
            manager, action_id, "午间值班已排班", "连续两周抽查回电时长均在 2 小时内", effective=True
        )
    closed = await Complaint.objects().get(Complaint.id == complaint_id)
    assert closed.status == "closed" and closed.resolved_at is not None and closed.closed_at is not None
    assert (await verify_chain()).ok
