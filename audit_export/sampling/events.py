"""Audit event names of the auditor's sample register, with the labels audit trails show."""

from __future__ import annotations

from service_ops.audit import labeller
from service_ops.errors import N_

SAMPLE_DRAWN = "audit_export.sample_drawn"
SAMPLE_CASE_CHECKED = "audit_export.sample_case_checked"

LABELS = {
    SAMPLE_DRAWN: N_("Audit sample drawn"),
    SAMPLE_CASE_CHECKED: N_("Audit sample case checked"),
}

label = labeller(LABELS)
