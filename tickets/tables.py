"""Hotline calls, tickets and the SLA policies that set their commitments."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


def _core(name: str) -> LazyTableReference:
    return LazyTableReference(name, module_path="service_ops.tables")


class SlaPolicy(Table):
    """Commitment targets for tickets matching kind / priority / region service class.

    A blank matcher matches anything; the most specific active policy wins.
    """

    id: Serial

    name = Varchar(length=100)
    kind = Varchar(length=16, null=True, default=None)
    priority = Varchar(length=16, null=True, default=None)
    service_class = Varchar(length=16, null=True, default=None)
    response_minutes = Integer(help_text="First response within, minutes")
    arrival_minutes = Integer(null=True, default=None, help_text="On-site arrival within")
    resolve_minutes = Integer(help_text="Resolution within, minutes")
    accept_minutes = Integer(default=60, help_text="Outlet acceptance within, minutes of dispatch")
    is_active = Boolean(default=True)


class Call(Table):
    """One hotline call; its times come from the telephony system or the agent's actions."""

    id: Serial

    direction = Varchar(length=8, default="inbound")
    phone = Varchar(length=20, index=True)
    customer: ForeignKey[Any] = ForeignKey(
        references=_core("Customer"), null=True, default=None, index=True, on_delete=OnDelete.restrict
    )
    agent: ForeignKey[Any] = ForeignKey(references=_core("User"), index=True, on_delete=OnDelete.restrict)
    received_at = Timestamptz(index=True)
    answered_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    notes = Text(default="")


class Ticket(Table):
    """A customer's request (consultation, installation, repair, maintenance) and its clock."""

    id: Serial

    number = Varchar(length=32, unique=True)
    kind = Varchar(length=16, index=True)
    channel = Varchar(length=16)
    priority = Varchar(length=16)
    status = Varchar(length=16, index=True)
    customer: ForeignKey[Any] = ForeignKey(
        references=_core("Customer"), index=True, on_delete=OnDelete.restrict
    )
    unit: ForeignKey[Any] = ForeignKey(
        references=_core("Unit"), null=True, default=None, index=True, on_delete=OnDelete.restrict
    )
    region: ForeignKey[Any] = ForeignKey(references=_core("Region"), index=True, on_delete=OnDelete.restrict)
    call = ForeignKey(references=Call, null=True, default=None, on_delete=OnDelete.restrict)
    description = Text()
    created_by: ForeignKey[Any] = ForeignKey(references=_core("User"), on_delete=OnDelete.restrict)
    created_at = Timestamptz(index=True)
    sla_policy = ForeignKey(references=SlaPolicy, null=True, default=None, on_delete=OnDelete.restrict)
    response_due = Timestamptz(null=True, default=None)
    arrival_due = Timestamptz(null=True, default=None)
    resolve_due = Timestamptz(null=True, default=None, index=True)
    first_response_at = Timestamptz(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    resolution = Text(default="")
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    outlet: ForeignKey[Any] = ForeignKey(
        references=LazyTableReference("Outlet", module_path="outlets.tables"),
        null=True,
        default=None,
        index=True,
        on_delete=OnDelete.restrict,
    )
    dispatched_at = Timestamptz(null=True, default=None)
    accept_due = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    technician: ForeignKey[Any] = ForeignKey(
        references=_core("User"), null=True, default=None, index=True, on_delete=OnDelete.restrict
    )
    assigned_at = Timestamptz(null=True, default=None)


class TicketDispatch(Table):
    """One offer of a ticket to an outlet, and the outlet's answer (the dispatch history)."""

    id: Serial

    ticket = ForeignKey(references=Ticket, index=True, on_delete=OnDelete.restrict)
    outlet: ForeignKey[Any] = ForeignKey(
        references=LazyTableReference("Outlet", module_path="outlets.tables"),
        index=True,
        on_delete=OnDelete.restrict,
    )
    mode = Varchar(length=16, help_text="suggested / chosen / auto / redispatch")
    rank = Integer(null=True, default=None, help_text="Position in the ranking when dispatched")
    dispatched_at = Timestamptz()
    dispatched_by = Varchar(length=100, help_text="Audit name of who dispatched (a user or a job)")
    accept_due = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decision = Varchar(length=16, null=True, default=None, help_text="accepted / refused")
    decided_by: ForeignKey[Any] = ForeignKey(
        references=_core("User"), null=True, default=None, on_delete=OnDelete.restrict
    )
    reason = Text(default="")
