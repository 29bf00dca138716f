"""Background jobs of the documents: versions registered ahead of time take effect on their day."""

from __future__ import annotations

from typing import Any

from service_ops.actor import system_actor
from service_ops.documents import services
from service_ops.queue import JobFunction, Periodic

ACTIVATION_EVERY_MINUTES = 60


async def activate_due_documents(ctx: dict[Any, Any]) -> int:
    """Hourly: pending versions whose effective date has come become current (safe to run twice)."""
    return len(await services.activate_due_documents(system_actor("documents")))


FUNCTIONS: list[JobFunction] = [activate_due_documents]
PERIODIC: list[Periodic] = [Periodic(function=activate_due_documents, minutes=ACTIVATION_EVERY_MINUTES)]
