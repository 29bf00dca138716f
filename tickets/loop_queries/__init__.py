"""Read-only queries of the closing loop: follow-up queue, complaints, 三包 requests, corrective actions."""

from tickets.loop_queries.common import (
    PAGE_SIZE,
    active_user_ids,
    local_midnight,
    loop_clock,
    possible_owners,
    settings_events,
    settings_read,
)
from tickets.loop_queries.complaints import complaint_read, complaint_timeline, get_complaint, list_complaints
from tickets.loop_queries.corrective_actions import (
    capa_read,
    capa_state,
    corrective_actions_of_complaint,
    get_corrective_action,
    list_corrective_actions,
)
from tickets.loop_queries.followups import FOLLOWUP_STATES, get_followup, list_followups
from tickets.loop_queries.guarantees import (
    failed_repairs_in_warranty,
    get_guarantee,
    get_guarantee_rule,
    guarantee_read,
    list_guarantee_rules,
    list_guarantees,
    rules_in_force,
)

__all__ = [
    "FOLLOWUP_STATES",
    "PAGE_SIZE",
    "active_user_ids",
    "capa_read",
    "capa_state",
    "complaint_read",
    "complaint_timeline",
    "corrective_actions_of_complaint",
    "failed_repairs_in_warranty",
    "get_complaint",
    "get_corrective_action",
    "get_followup",
    "get_guarantee",
    "get_guarantee_rule",
    "guarantee_read",
    "list_complaints",
    "list_corrective_actions",
    "list_followups",
    "list_guarantee_rules",
    "list_guarantees",
    "local_midnight",
    "loop_clock",
    "possible_owners",
    "rules_in_force",
    "settings_events",
    "settings_read",
]
