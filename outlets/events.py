"""Audit event names of the outlets domain, with the labels the audit trail shows people."""

from __future__ import annotations

from service_ops.audit import labeller
from service_ops.errors import N_

OUTLET_CREATED = "outlets.outlet_created"
OUTLET_UPDATED = "outlets.outlet_updated"
COVERAGE_SET = "outlets.coverage_set"
CATEGORIES_SET = "outlets.categories_set"
OUTLET_ACTIVATED = "outlets.outlet_activated"
OUTLET_DEACTIVATED = "outlets.outlet_deactivated"
MEMBER_ADDED = "outlets.member_added"
MEMBERSHIP_ENDED = "outlets.membership_ended"
INSPECTION_RECORDED = "outlets.inspection_recorded"

LABELS = {
    OUTLET_CREATED: N_("Outlet created"),
    OUTLET_UPDATED: N_("Outlet details changed"),
    COVERAGE_SET: N_("Coverage changed"),
    CATEGORIES_SET: N_("Product categories changed"),
    OUTLET_ACTIVATED: N_("Outlet activated"),
    OUTLET_DEACTIVATED: N_("Outlet deactivated"),
    MEMBER_ADDED: N_("Person joined the outlet"),
    MEMBERSHIP_ENDED: N_("Person left the outlet"),
    INSPECTION_RECORDED: N_("Inspection recorded"),
}


label = labeller(LABELS)
"""The untranslated label of an event name (the name itself if it has none)."""
