"""State changes of the hotline desk, dispatch and the field loop; each function is one unit of work.

The field-loop modules declare their own `__all__`; this package re-exports them.
"""

# ruff: noqa: F403

from tickets.services import complaints, corrective_actions, followups, guarantees, sla_monitor, work_orders
from tickets.services.calls import end_call, record_call, start_call
from tickets.services.common import ticket_snapshot
from tickets.services.complaints import *
from tickets.services.corrective_actions import *
from tickets.services.dispatch import (
    accept_dispatch,
    assign_technician,
    auto_dispatch,
    dispatch_ticket,
    refuse_dispatch,
)
from tickets.services.followups import *
from tickets.services.guarantees import *
from tickets.services.sla_monitor import *
from tickets.services.sla_policies import create_sla_policy, update_sla_policy
from tickets.services.tickets import cancel_ticket, create_ticket, record_first_response, resolve_ticket
from tickets.services.work_orders import *

__all__ = [
    *complaints.__all__,
    *corrective_actions.__all__,
    *followups.__all__,
    *guarantees.__all__,
    *sla_monitor.__all__,
    *work_orders.__all__,
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
