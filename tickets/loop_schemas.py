"""Shapes at the HTTP edge for follow-ups, complaints, 三包 requests and corrective actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from service_ops.schemas import Id
from tickets.choices import (
    CapaSource,
    Channel,
    ComplaintCategory,
    ComplaintSeverity,
    ComplaintStatus,
    GuaranteeKind,
    SlaState,
    TicketKind,
    WorkResult,
)
from tickets.guarantee_rules import GuaranteeDecision
from tickets.schemas import Clock

Score = Annotated[int, msgspec.Meta(ge=1, le=5)]
Text = Annotated[str, msgspec.Meta(max_length=4000)]
ShortText = Annotated[str, msgspec.Meta(max_length=1000)]
Days = Annotated[int, msgspec.Meta(ge=1, le=3650)]
EscalationLevel = Annotated[int, msgspec.Meta(ge=1, le=2)]


# Follow-ups ---------------------------------------------------------------------------------------


class FollowupRecord(msgspec.Struct, kw_only=True):
    """The outcome of a follow-up call: a score 1–5 when the customer was reached, none otherwise."""

    reached: bool
    score: Score | None = None
    comment: Text = ""


class ComplaintFromFollowup(msgspec.Struct, kw_only=True):
    category: ComplaintCategory
    severity: ComplaintSeverity = ComplaintSeverity.NORMAL
    description: Text | None = None
    """Blank: the follow-up's comment."""


class FollowupRead(msgspec.Struct, kw_only=True):
    id: int
    ticket_id: int
    ticket_number: str
    ticket_kind: TicketKind
    customer_id: int
    customer_name: str
    phone: str | None
    technician_id: int | None
    technician_name: str | None
    outlet_name: str | None
    resolved_at: datetime | None
    resolution_note: str
    work_result: WorkResult | None
    created_at: datetime
    due: Clock
    done_at: datetime | None
    agent_name: str | None
    reached: bool | None
    score: int | None
    comment: str
    complaint_id: int | None


class LoopSettingsWrite(msgspec.Struct, kw_only=True):
    followup_due_days: Annotated[int, msgspec.Meta(ge=1, le=90)]
    complaint_ack_minutes: Annotated[int, msgspec.Meta(ge=1, le=60 * 24 * 7)]
    complaint_resolve_minutes: Annotated[int, msgspec.Meta(ge=1, le=60 * 24 * 90)]
    near_breach_percent: Annotated[int, msgspec.Meta(ge=1, le=99)]


class LoopSettingsRead(LoopSettingsWrite, kw_only=True):
    pass


# Complaints ---------------------------------------------------------------------------------------


class ComplaintCreate(msgspec.Struct, kw_only=True):
    customer_id: Id
    category: ComplaintCategory
    description: Text
    channel: Channel = Channel.PHONE
    severity: ComplaintSeverity = ComplaintSeverity.NORMAL
    ticket_id: Id | None = None


class ComplaintEscalation(msgspec.Struct, kw_only=True):
    level: EscalationLevel
    reason: ShortText


class ComplaintResolution(msgspec.Struct, kw_only=True):
    root_cause: Text
    resolution: Text


class CustomerAnswer(msgspec.Struct, kw_only=True):
    accepted: bool
    note: ShortText = ""


class ComplaintClosure(msgspec.Struct, kw_only=True):
    note: ShortText = ""


class ComplaintFilter(msgspec.Struct, kw_only=True):
    status: ComplaintStatus | None = None
    severity: ComplaintSeverity | None = None
    customer_id: int | None = None


class ComplaintRead(msgspec.Struct, kw_only=True):
    id: int
    number: str
    channel: Channel
    ticket_id: int | None
    ticket_number: str | None
    followup_id: int | None
    customer_id: int
    customer_name: str
    severity: ComplaintSeverity
    category: ComplaintCategory
    description: str
    status: ComplaintStatus
    received_at: datetime
    acknowledgement: Clock
    resolution: Clock
    handler_id: int | None
    handler_name: str | None
    escalation_level: int
    escalated_at: datetime | None
    root_cause: str
    resolution_note: str
    customer_accepted: bool | None
    customer_answered_at: datetime | None
    closed_at: datetime | None
    created_by: str
    overdue: bool


class TimelineEntry(msgspec.Struct, kw_only=True):
    at: datetime
    what: str
    """An untranslated label (shown through the translator)."""
    detail: str = ""


# 三包 requests -------------------------------------------------------------------------------------


class GuaranteeCreate(msgspec.Struct, kw_only=True):
    unit_id: Id
    kind: GuaranteeKind
    reason: Text
    ticket_id: Id | None = None


class GuaranteeDecisionWrite(msgspec.Struct, kw_only=True):
    decision: GuaranteeDecision
    note: Text = ""


class GuaranteeRead(msgspec.Struct, kw_only=True):
    id: int
    number: str
    ticket_id: int | None
    ticket_number: str | None
    unit_id: int
    serial_number: str
    customer_id: int
    customer_name: str
    kind: GuaranteeKind
    reason: str
    requested_at: datetime
    decision_clock: Clock
    eligible_rule: str
    decided_at: datetime | None
    decision: GuaranteeDecision | None
    decision_rule: str
    decision_note: str
    decided_by: str | None
    created_by: str


class GuaranteeRuleWrite(msgspec.Struct, kw_only=True):
    code: Annotated[str, msgspec.Meta(max_length=64)]
    kind: GuaranteeKind
    decide_within_days: Annotated[int, msgspec.Meta(ge=1, le=90)] = 7
    max_days_since_purchase: Days | None = None
    min_failed_repairs: Annotated[int, msgspec.Meta(ge=1, le=20)] | None = None
    description: ShortText = ""
    is_active: bool = True


class GuaranteeRuleRead(GuaranteeRuleWrite, kw_only=True):
    id: int


# Corrective actions -------------------------------------------------------------------------------


class CorrectiveActionCreate(msgspec.Struct, kw_only=True):
    source: CapaSource
    description: Text
    owner_id: Id
    due_on: date
    complaint_id: Id | None = None
    source_ref: Annotated[str, msgspec.Meta(max_length=64)] = ""


class CorrectiveActionClosure(msgspec.Struct, kw_only=True):
    closure_note: Text
    effectiveness_check: Text
    effective: bool


class CorrectiveActionRead(msgspec.Struct, kw_only=True):
    id: int
    number: str
    source: CapaSource
    complaint_id: int | None
    complaint_number: str | None
    source_ref: str
    description: str
    owner_id: int
    owner_name: str
    opened_on: date
    due_on: date
    closed_on: date | None
    state: SlaState
    closure_note: str
    effectiveness_check: str
    effective: bool | None
    created_by: str
