"""State changes of the hotline desk and dispatch; every function is one unit of work with its event."""

from tickets.services.calls import end_call, record_call, start_call
from tickets.services.common import ticket_snapshot
from tickets.services.dispatch import (
    accept_dispatch,
    assign_technician,
    auto_dispatch,
    dispatch_ticket,
    refuse_dispatch,
)
from tickets.services.sla_policies import create_sla_policy, update_sla_policy
from tickets.services.tickets import cancel_ticket, create_ticket, record_first_response, resolve_ticket

__all__ = [
    "accept_dispatch",
    "assign_technician",
    "auto_dispatch",
    "cancel_ticket",
    "create_sla_policy",
    "create_ticket",
    "dispatch_ticket",
    "end_call",
    "record_call",
    "record_first_response",
    "refuse_dispatch",
    "resolve_ticket",
    "start_call",
    "ticket_snapshot",
    "update_sla_policy",
]
