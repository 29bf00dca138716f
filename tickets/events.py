"""Audit event names of the hotline desk, with the labels the audit trail shows people."""

from __future__ import annotations

from service_ops.audit import labeller
from service_ops.errors import N_

CALL_STARTED = "tickets.call_started"
CALL_RECORDED = "tickets.call_recorded"
CALL_ENDED = "tickets.call_ended"
TICKET_CREATED = "tickets.ticket_created"
FIRST_RESPONSE_RECORDED = "tickets.first_response_recorded"
TICKET_RESOLVED = "tickets.ticket_resolved"
TICKET_CANCELLED = "tickets.ticket_cancelled"
TICKET_DISPATCHED = "tickets.ticket_dispatched"
DISPATCH_ACCEPTED = "tickets.dispatch_accepted"
DISPATCH_REFUSED = "tickets.dispatch_refused"
TECHNICIAN_ASSIGNED = "tickets.technician_assigned"
SLA_POLICY_CREATED = "tickets.sla_policy_created"
SLA_POLICY_UPDATED = "tickets.sla_policy_updated"

WORK_ORDER_CREATED = "tickets.work_order_created"
WORK_ORDER_EN_ROUTE = "tickets.work_order_en_route"
WORK_ORDER_ARRIVED = "tickets.work_order_arrived"
WORK_ORDER_COMPLETED = "tickets.work_order_completed"
WORK_ORDER_CANCELLED = "tickets.work_order_cancelled"
WORK_ORDER_PHOTO_ADDED = "tickets.work_order_photo_added"
CONFIRMATION_CODE_SENT = "tickets.confirmation_code_sent"
REVISIT_SCHEDULED = "tickets.revisit_scheduled"
FOLLOWUP_CREATED = "tickets.followup_created"
FOLLOWUP_RECORDED = "tickets.followup_recorded"
LOOP_SETTINGS_UPDATED = "tickets.loop_settings_updated"
COMPLAINT_OPENED = "tickets.complaint_opened"
COMPLAINT_ACKNOWLEDGED = "tickets.complaint_acknowledged"
COMPLAINT_ESCALATED = "tickets.complaint_escalated"
COMPLAINT_RESOLVED = "tickets.complaint_resolved"
COMPLAINT_CUSTOMER_ANSWERED = "tickets.complaint_customer_answered"
COMPLAINT_CLOSED = "tickets.complaint_closed"
GUARANTEE_REQUESTED = "tickets.guarantee_requested"
GUARANTEE_DECIDED = "tickets.guarantee_decided"
GUARANTEE_RULE_CREATED = "tickets.guarantee_rule_created"
GUARANTEE_RULE_UPDATED = "tickets.guarantee_rule_updated"
CORRECTIVE_ACTION_OPENED = "tickets.corrective_action_opened"
CORRECTIVE_ACTION_CLOSED = "tickets.corrective_action_closed"
SLA_ALERT_RAISED = "tickets.sla_alert_raised"

LABELS = {
    CALL_STARTED: N_("Call taken"),
    CALL_RECORDED: N_("Call recorded from the telephony system"),
    CALL_ENDED: N_("Call ended"),
    TICKET_CREATED: N_("Ticket opened"),
    FIRST_RESPONSE_RECORDED: N_("Customer contacted (first response)"),
    TICKET_RESOLVED: N_("Ticket resolved"),
    TICKET_CANCELLED: N_("Ticket cancelled"),
    TICKET_DISPATCHED: N_("Dispatched to an outlet"),
    DISPATCH_ACCEPTED: N_("Accepted by the outlet"),
    DISPATCH_REFUSED: N_("Refused by the outlet"),
    TECHNICIAN_ASSIGNED: N_("Technician assigned"),
    SLA_POLICY_CREATED: N_("SLA policy created"),
    SLA_POLICY_UPDATED: N_("SLA policy changed"),
    WORK_ORDER_CREATED: N_("Work order created"),
    WORK_ORDER_EN_ROUTE: N_("Technician en route"),
    WORK_ORDER_ARRIVED: N_("Technician arrived"),
    WORK_ORDER_COMPLETED: N_("Work order completed"),
    WORK_ORDER_CANCELLED: N_("Work order cancelled"),
    WORK_ORDER_PHOTO_ADDED: N_("Photo added to a work order"),
    CONFIRMATION_CODE_SENT: N_("Confirmation code sent to the customer"),
    REVISIT_SCHEDULED: N_("Revisit scheduled"),
    FOLLOWUP_CREATED: N_("Follow-up call due"),
    FOLLOWUP_RECORDED: N_("Follow-up call recorded"),
    LOOP_SETTINGS_UPDATED: N_("Follow-up and complaint commitments changed"),
    COMPLAINT_OPENED: N_("Complaint registered"),
    COMPLAINT_ACKNOWLEDGED: N_("Complaint acknowledged"),
    COMPLAINT_ESCALATED: N_("Complaint escalated"),
    COMPLAINT_RESOLVED: N_("Complaint resolved"),
    COMPLAINT_CUSTOMER_ANSWERED: N_("Customer's answer to the outcome recorded"),
    COMPLAINT_CLOSED: N_("Complaint closed"),
    GUARANTEE_REQUESTED: N_("三包 request registered"),
    GUARANTEE_DECIDED: N_("三包 request decided"),
    GUARANTEE_RULE_CREATED: N_("三包 rule created"),
    GUARANTEE_RULE_UPDATED: N_("三包 rule changed"),
    CORRECTIVE_ACTION_OPENED: N_("Corrective action opened"),
    CORRECTIVE_ACTION_CLOSED: N_("Corrective action closed"),
    SLA_ALERT_RAISED: N_("Commitment near breach or breached: owner notified"),
}


label = labeller(LABELS)
"""The untranslated label of an event name (the name itself if it has none)."""
