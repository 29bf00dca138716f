"""SLA arithmetic: which policy applies to a ticket, its due times, and the state of each clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tickets.choices import SlaState

NEAR_BREACH_SHARE = 0.25  # the last quarter of a commitment's window is "due soon"


@dataclass(frozen=True)
class DueTimes:
    response_due: datetime
    arrival_due: datetime | None
    resolve_due: datetime


def specificity(policy: dict[str, Any]) -> int:
    return sum(policy[key] is not None for key in ("kind", "priority", "service_class"))


def matching_policy(
    policies: Sequence[dict[str, Any]], kind: str, priority: str, service_class: str
) -> dict[str, Any] | None:
    """The most specific active policy whose set matchers all equal the ticket's; ties: lowest id."""
    wanted = {"kind": kind, "priority": priority, "service_class": service_class}
    candidates = [
        policy
        for policy in policies
        if policy["is_active"] and all(policy[key] in (None, value) for key, value in wanted.items())
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda policy: (-specificity(policy), policy["id"]))


def due_times(policy: dict[str, Any], created_at: datetime, needs_visit: bool) -> DueTimes:
    arrival = policy["arrival_minutes"]
    return DueTimes(
        response_due=created_at + timedelta(minutes=policy["response_minutes"]),
        arrival_due=created_at + timedelta(minutes=arrival) if needs_visit and arrival else None,
        resolve_due=created_at + timedelta(minutes=policy["resolve_minutes"]),
    )


def clock_state(start: datetime, due: datetime | None, done: datetime | None, now: datetime) -> SlaState:
    """Met / missed once done; otherwise running, due soon (last quarter) or overdue."""
    if due is None:
        return SlaState.NONE
    if done is not None:
        return SlaState.MET if done <= due else SlaState.MISSED
    if now > due:
        return SlaState.OVERDUE
    window = (due - start).total_seconds()
    if window > 0 and (due - now).total_seconds() <= window * NEAR_BREACH_SHARE:
        return SlaState.NEAR_BREACH
    return SlaState.RUNNING


def minutes_left(due: datetime | None, now: datetime) -> int | None:
    return None if due is None else int((due - now).total_seconds() // 60)
