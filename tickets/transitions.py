"""The ticket status graph as data; services refuse any move not listed here."""

from __future__ import annotations

from tickets.choices import TicketStatus as S

ALLOWED: dict[S, frozenset[S]] = {
    S.NEW: frozenset({S.DISPATCHED, S.RESOLVED, S.CANCELLED}),
    S.DISPATCHED: frozenset({S.ACCEPTED, S.NEW, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.NEW, S.RESOLVED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.CANCELLED}),
    S.RESOLVED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

OPEN_STATUSES = frozenset({S.NEW, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS})


def can_move(current: S, target: S) -> bool:
    return target in ALLOWED[current]
