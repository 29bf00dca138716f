"""The only code that changes controlled documents and the service-system registers."""

from __future__ import annotations

from service_ops.documents.services.documents import (
    activate_due_documents,
    register_document,
    retire_document,
)
from service_ops.documents.services.registers import (
    amend_management_review,
    amend_service_target,
    create_service_target,
    record_management_review,
)
from service_ops.documents.services.rewards import correct_reward_penalty, record_reward_penalty

__all__ = [
    "activate_due_documents",
    "amend_management_review",
    "amend_service_target",
    "correct_reward_penalty",
    "create_service_target",
    "record_management_review",
    "record_reward_penalty",
    "register_document",
    "retire_document",
]
