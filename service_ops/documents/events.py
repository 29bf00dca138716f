"""Audit event names of controlled documents and the registers, with their audit-trail labels."""

from __future__ import annotations

from service_ops.audit import labeller
from service_ops.errors import N_

DOCUMENT_REGISTERED = "documents.document_registered"
DOCUMENT_TOOK_EFFECT = "documents.document_took_effect"
DOCUMENT_SUPERSEDED = "documents.document_superseded"
DOCUMENT_RETIRED = "documents.document_retired"
TARGET_CREATED = "documents.service_target_created"
TARGET_AMENDED = "documents.service_target_amended"
REVIEW_RECORDED = "documents.management_review_recorded"
REVIEW_AMENDED = "documents.management_review_amended"
REWARD_RECORDED = "documents.reward_penalty_recorded"
REWARD_CORRECTED = "documents.reward_penalty_corrected"

LABELS = {
    DOCUMENT_REGISTERED: N_("Document version registered"),
    DOCUMENT_TOOK_EFFECT: N_("Document version took effect"),
    DOCUMENT_SUPERSEDED: N_("Document version superseded"),
    DOCUMENT_RETIRED: N_("Document version retired"),
    TARGET_CREATED: N_("Service target set"),
    TARGET_AMENDED: N_("Service target revised"),
    REVIEW_RECORDED: N_("Management review recorded"),
    REVIEW_AMENDED: N_("Management review amended"),
    REWARD_RECORDED: N_("Reward or penalty recorded"),
    REWARD_CORRECTED: N_("Reward or penalty corrected"),
}

label = labeller(LABELS)
"""The untranslated label of an event name (the name itself if it has none)."""
