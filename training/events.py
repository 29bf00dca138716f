"""Audit event names of the training domain, with the labels the audit trail shows people."""

from __future__ import annotations

from service_ops.audit import labeller
from service_ops.errors import N_

COURSE_CREATED = "training.course_created"
COURSE_UPDATED = "training.course_updated"
SESSION_SCHEDULED = "training.session_scheduled"
ROLL_CALL_RECORDED = "training.roll_call_recorded"
CERTIFICATE_ISSUED = "training.certificate_issued"
EXTERNAL_CERTIFICATE_RECORDED = "training.external_certificate_recorded"
CERTIFICATE_REVOKED = "training.certificate_revoked"

LABELS = {
    COURSE_CREATED: N_("Course created"),
    COURSE_UPDATED: N_("Course changed"),
    SESSION_SCHEDULED: N_("Training session scheduled"),
    ROLL_CALL_RECORDED: N_("Roll call recorded"),
    CERTIFICATE_ISSUED: N_("Certificate issued on a pass"),
    EXTERNAL_CERTIFICATE_RECORDED: N_("External certificate recorded with its scan"),
    CERTIFICATE_REVOKED: N_("Certificate revoked"),
}


label = labeller(LABELS)
"""The untranslated label of an event name (the name itself if it has none)."""
