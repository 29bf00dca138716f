"""Shapes at the HTTP edge for calls, tickets and SLA policies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from service_ops.schemas import Id, UnitRead
from tickets.choices import Channel, Priority, SlaState, TicketKind, TicketStatus

Minutes = Annotated[int, msgspec.Meta(ge=1, le=60 * 24 * 90)]


class CallStart(msgspec.Struct, kw_only=True):
    """The agent takes a call now: received and answered are stamped by the server."""

    phone: str
    customer_id: Id | None = None


class CallRecord(msgspec.Struct, kw_only=True):
    """A finished call reported by the telephony system with its own timestamps."""

    phone: str
    received_at: datetime
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    customer_id: Id | None = None
    notes: str = ""


class CallRead(msgspec.Struct, kw_only=True):
    id: int
    phone: str
    customer_id: int | None
    agent_id: int
    received_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    notes: str


class TicketCreate(msgspec.Struct, kw_only=True):
    kind: TicketKind
    customer_id: Id
    description: str
    priority: Priority = Priority.NORMAL
    channel: Channel = Channel.PHONE
    unit_id: Id | None = None
    call_id: Id | None = None
    number: str | None = None
    arrival_due: datetime | None = None


class Clock(msgspec.Struct, kw_only=True):
    due: datetime | None
    done: datetime | None
    state: SlaState
    minutes_left: int | None


class TicketRead(msgspec.Struct, kw_only=True):
    id: int
    number: str
    kind: TicketKind
    channel: Channel
    priority: Priority
    status: TicketStatus
    customer_id: int
    customer_name: str
    unit_id: int | None
    serial_number: str | None
    region_id: int
    call_id: int | None
    description: str
    created_at: datetime
    created_by: str
    response: Clock
    arrival: Clock
    resolution: Clock
    acceptance: Clock
    outlet_id: int | None
    outlet_name: str | None
    technician_id: int | None
    technician_name: str | None
    resolution_note: str
    cancel_reason: str
    repeat_of_number: str | None = None


class TicketResolve(msgspec.Struct, kw_only=True):
    resolution: str


class TicketCancel(msgspec.Struct, kw_only=True):
    reason: str


class SlaPolicyWrite(msgspec.Struct, kw_only=True):
    name: str
    response_minutes: Minutes
    resolve_minutes: Minutes
    arrival_minutes: Minutes | None = None
    accept_minutes: Minutes = 60
    kind: TicketKind | None = None
    priority: Priority | None = None
    service_class: str | None = None
    is_active: bool = True


class SlaPolicyRead(SlaPolicyWrite, kw_only=True):
    id: int


class CustomerHistory(msgspec.Struct, kw_only=True):
    """What the call screen shows for one caller."""

    customer_id: int
    name: str
    address: str
    region_name: str
    phones: list[str]
    units: list[UnitRead]
    tickets: list[TicketRead]


class TicketFilter(msgspec.Struct, kw_only=True):
    status: TicketStatus | None = None
    kind: TicketKind | None = None
    due: str | None = None
    created_from: date | None = None


class DispatchTo(msgspec.Struct, kw_only=True):
    outlet_id: Id


class DispatchRefusal(msgspec.Struct, kw_only=True):
    reason: str


class TechnicianAssignment(msgspec.Struct, kw_only=True):
    technician_id: Id
    override_reason: str | None = None


class CandidateRead(msgspec.Struct, kw_only=True):
    """One outlet in a ticket's ranking, with the reasons (in the reader's language)."""

    outlet_id: int
    code: str
    name: str
    eligible: bool
    suggested: bool
    score: float
    load: int
    capacity: int
    on_time_rate: float | None
    qualified_technicians: int
    reasons: list[str]


class TechnicianRead(msgspec.Struct, kw_only=True):
    user_id: int
    name: str
    qualified: bool
    missing: list[str]
