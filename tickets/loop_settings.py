"""The closing loop's configurable commitments (follow-up due, complaint acknowledge / resolve)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tickets.tables import LoopSettings


@dataclass(frozen=True)
class LoopCommitments:
    followup_due_days: int = 7
    complaint_ack_minutes: int = 120
    complaint_resolve_minutes: int = 1440
    near_breach_percent: int = 80

    @property
    def followup_window(self) -> timedelta:
        return timedelta(days=self.followup_due_days)

    @property
    def complaint_ack_window(self) -> timedelta:
        return timedelta(minutes=self.complaint_ack_minutes)

    @property
    def complaint_resolve_window(self) -> timedelta:
        return timedelta(minutes=self.complaint_resolve_minutes)


async def current() -> LoopCommitments:
    """The configured commitments; the defaults (equal to the KPI windows) until someone changes them."""
    row = await LoopSettings.select().order_by(LoopSettings.id, ascending=False).first()
    if row is None:
        return LoopCommitments()
    return LoopCommitments(
        followup_due_days=row["followup_due_days"],
        complaint_ack_minutes=row["complaint_ack_minutes"],
        complaint_resolve_minutes=row["complaint_resolve_minutes"],
        near_breach_percent=row["near_breach_percent"],
    )
