"""Complaints (投诉): register, acknowledge, escalate, resolve, the customer's answer, close.

The status graph is data (`TRANSITIONS`); every move is checked against it. A complaint's
commitments (acknowledge / resolve) are stamped from the loop settings when it is received.
Escalation only ever raises the level (1: service managers, 2: head-office managers, who stand in
for the management representative), so running it twice changes and notifies nothing.
"""

from tickets.services.complaints.handling import (
    acknowledge_complaint,
    close_complaint,
    complaint_from_followup,
    escalate_complaint,
    open_complaint,
    record_customer_answer,
    resolve_complaint,
)
from tickets.services.complaints.steps import TRANSITIONS as TRANSITIONS
from tickets.services.complaints.steps import can_move as can_move

__all__ = [
    "acknowledge_complaint",
    "close_complaint",
    "complaint_from_followup",
    "escalate_complaint",
    "open_complaint",
    "record_customer_answer",
    "resolve_complaint",
]
