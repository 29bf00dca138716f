"""Pieces every loop query shares: the commitment clock, the settings, people to notify."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from service_ops import clock
from service_ops import queries as core
from service_ops.choices import Role
from service_ops.tables import User
from tickets import loop_settings
from tickets.choices import SlaState
from tickets.loop_schemas import LoopSettingsRead
from tickets.schemas import Clock
from tickets.tables import LoopSettings

PAGE_SIZE = 50


def loop_clock(start: datetime, due: datetime, done: datetime | None, now: datetime, near: int) -> Clock:
    """Met / missed once done; else overdue, or due soon once `near` percent of the window has passed."""
    if done is not None:
        state = SlaState.MET if done <= due else SlaState.MISSED
    elif now > due:
        state = SlaState.OVERDUE
    elif (now - start) * 100 >= (due - start) * near:
        state = SlaState.NEAR_BREACH
    else:
        state = SlaState.RUNNING
    minutes = None if done else int((due - now).total_seconds() // 60)
    return Clock(due=due, done=done, state=state, minutes_left=minutes)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.org_zone())


async def settings_read() -> LoopSettingsRead:
    current = await loop_settings.current()
    return LoopSettingsRead(
        followup_due_days=current.followup_due_days,
        complaint_ack_minutes=current.complaint_ack_minutes,
        complaint_resolve_minutes=current.complaint_resolve_minutes,
        near_breach_percent=current.near_breach_percent,
    )


async def settings_events() -> list[dict[str, Any]]:
    """The audit trail of the loop settings (one row, changed in place)."""
    row = await LoopSettings.select(LoopSettings.id).order_by(LoopSettings.id, ascending=False).first()
    return await core.audit_events_for("loop_settings", row["id"]) if row else []


async def active_user_ids(role: str) -> list[int]:
    rows = await User.select(User.id).where((User.role == role) & User.is_active.eq(True)).order_by(User.id)
    return [row["id"] for row in rows]


async def possible_owners() -> list[dict[str, Any]]:
    """People who may own a corrective action: active, and not auditors (who change nothing)."""
    return list(
        await User.select(User.id, User.display_name, User.role)
        .where(User.is_active.eq(True) & (User.role != Role.AUDITOR.value))
        .order_by(User.display_name)
    )
