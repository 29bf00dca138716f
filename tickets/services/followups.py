"""Follow-up calls (回访): one per resolved field ticket, worked from a queue by agents."""

from __future__ import annotations

from datetime import datetime

from service_ops import clock
from service_ops.uow import UnitOfWork
from tickets import events, loop_settings
from tickets.tables import Followup

__all__: list[str] = []


async def open_followup(uow: UnitOfWork, ticket_id: int, resolved_at: datetime) -> int:
    """Inside the resolving unit of work: the follow-up falls due the configured days after resolution."""
    existing = await Followup.select(Followup.id).where(Followup.ticket == ticket_id).first()
    if existing is not None:
        return int(existing["id"])
    commitments = await loop_settings.current()
    followup = Followup(
        ticket=ticket_id, created_at=clock.now(), due_at=resolved_at + commitments.followup_window
    )
    await followup.save()
    uow.record(
        events.FOLLOWUP_CREATED,
        "followup",
        followup.id,
        after={"ticket": ticket_id, "due_at": followup.due_at},
    )
    return int(followup.id)
