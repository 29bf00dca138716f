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
}


label = labeller(LABELS)
"""The untranslated label of an event name (the name itself if it has none)."""
