"""Hotline calls, tickets and the SLA policies that set their commitments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
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
    external_id = Varchar(
        length=64, null=True, default=None, help_text="Natural key of an imported call (a unique index)"
    )
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


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
    repeat_of: ForeignKey[Any] = ForeignKey(
        references=LazyTableReference("Ticket", module_path="tickets.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        help_text="A repair ticket of the same unit resolved in the 30 days before this one was opened",
    )
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


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


class WorkOrder(Table):
    """One visit of a technician for a field ticket: its steps, result, fees and confirmation.

    Visit 1 is created when the outlet assigns a technician and copies the ticket's `arrival_due`;
    a revisit (visit 2, 3, …) gets its own commitment. Step times are the moments the steps were
    taken (the device's time when it is plausible, else the server's); `WorkOrderStep` keeps both.
    """

    id: Serial

    number = Varchar(length=40, unique=True)
    ticket = ForeignKey(references=Ticket, index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=16, help_text="install / repair / maintenance")
    visit_no = Integer(default=1)
    outlet: ForeignKey[Any] = ForeignKey(
        references=LazyTableReference("Outlet", module_path="outlets.tables"),
        index=True,
        on_delete=OnDelete.restrict,
    )
    technician: ForeignKey[Any] = ForeignKey(
        references=_core("User"), index=True, on_delete=OnDelete.restrict
    )
    status = Varchar(length=16, index=True, help_text="assigned / en_route / arrived / completed / cancelled")
    created_at = Timestamptz()
    arrival_due = Timestamptz(null=True, default=None, index=True)
    appointment_start = Timestamptz(null=True, default=None)
    appointment_end = Timestamptz(null=True, default=None)
    en_route_at = Timestamptz(null=True, default=None)
    arrived_at = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    result = Varchar(length=16, null=True, default=None, index=True)
    symptom = Text(default="")
    diagnosis = Text(default="")
    fault_code = Varchar(length=32, default="")
    in_warranty = Boolean(
        null=True, default=None, help_text="Derived from the unit when the visit was created"
    )
    parts_fee = Numeric(digits=(12, 2), default=Decimal("0.00"))
    labour_fee = Numeric(digits=(12, 2), default=Decimal("0.00"))
    total_fee = Numeric(digits=(12, 2), default=Decimal("0.00"))
    customer_pays = Numeric(digits=(12, 2), default=Decimal("0.00"))
    payer = Varchar(length=16, default="warranty", help_text="warranty / customer")
    signature_sha256 = Varchar(length=64, default="")
    signature_path = Varchar(length=255, default="")
    confirmation_code_hash = Varchar(length=128, default="")
    confirmation_sent_at = Timestamptz(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)
    confirmed_by = Varchar(length=16, default="", help_text="signature / code / both")
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    previous: ForeignKey[Any] = ForeignKey(
        references=LazyTableReference("WorkOrder", module_path="tickets.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        help_text="The visit this one revisits",
    )
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class WorkOrderStep(Table):
    """Each step a technician took, once: server receipt time beside the device's own time."""

    id: Serial

    work_order = ForeignKey(references=WorkOrder, index=True, on_delete=OnDelete.restrict)
    step = Varchar(length=16, help_text="en_route / arrived / completed / cancelled")
    taken_at = Timestamptz(help_text="The time the step counts at")
    device_at = Timestamptz(null=True, default=None, help_text="The device's clock when the step was taken")
    received_at = Timestamptz(help_text="The server's clock when the step arrived")
    actor: ForeignKey[Any] = ForeignKey(references=_core("User"), on_delete=OnDelete.restrict)
    was_offline = Boolean(default=False)


class WorkOrderPart(Table):
    """A part used on a visit, priced, in or out of warranty."""

    id: Serial

    work_order = ForeignKey(references=WorkOrder, index=True, on_delete=OnDelete.restrict)
    part_no = Varchar(length=64)
    name = Varchar(length=200, default="")
    quantity = Integer()
    unit_price = Numeric(digits=(12, 2))
    in_warranty = Boolean()


class WorkOrderPhoto(Table):
    """A photo taken on site; uploaded on its own so a weak network never loses a step."""

    id: Serial

    work_order = ForeignKey(references=WorkOrder, index=True, on_delete=OnDelete.restrict)
    sha256 = Varchar(length=64)
    content_type = Varchar(length=32)
    size = Integer()
    path = Varchar(length=255)
    caption = Varchar(length=200, default="")
    uploaded_at = Timestamptz()
    uploaded_by: ForeignKey[Any] = ForeignKey(references=_core("User"), on_delete=OnDelete.restrict)


class LoopSettings(Table):
    """Operational commitments of the closing loop (one row; defaults equal the KPI windows)."""

    id: Serial

    followup_due_days = Integer(default=7)
    complaint_ack_minutes = Integer(default=120)
    complaint_resolve_minutes = Integer(default=1440)
    near_breach_percent = Integer(default=80, help_text="Share of a window after which it is near breach")


class Followup(Table):
    """The follow-up call (回访) after a resolved field ticket: one per ticket."""

    id: Serial

    ticket = ForeignKey(references=Ticket, unique=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    due_at = Timestamptz(index=True)
    done_at = Timestamptz(null=True, default=None, index=True)
    agent: ForeignKey[Any] = ForeignKey(
        references=_core("User"), null=True, default=None, on_delete=OnDelete.restrict
    )
    reached = Boolean(null=True, default=None)
    score = Integer(null=True, default=None)
    comment = Text(default="")
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class Complaint(Table):
    """A complaint in its own register, with acknowledge / resolve commitments and escalation."""

    id: Serial

    number = Varchar(length=32, unique=True)
    channel = Varchar(length=16)
    ticket = ForeignKey(references=Ticket, null=True, default=None, index=True, on_delete=OnDelete.restrict)
    followup = ForeignKey(
        references=Followup, null=True, default=None, index=True, on_delete=OnDelete.restrict
    )
    customer: ForeignKey[Any] = ForeignKey(
        references=_core("Customer"), index=True, on_delete=OnDelete.restrict
    )
    severity = Varchar(length=16, default="normal")
    category = Varchar(length=32)
    description = Text()
    status = Varchar(length=16, index=True, help_text="open / acknowledged / resolved / closed")
    received_at = Timestamptz(index=True)
    ack_due = Timestamptz(index=True)
    resolve_due = Timestamptz(index=True)
    acknowledged_at = Timestamptz(null=True, default=None)
    handler: ForeignKey[Any] = ForeignKey(
        references=_core("User"), null=True, default=None, on_delete=OnDelete.restrict
    )
    escalation_level = Integer(default=0)
    escalated_at = Timestamptz(null=True, default=None)
    root_cause = Text(default="")
    resolution = Text(default="")
    resolved_at = Timestamptz(null=True, default=None)
    customer_accepted = Boolean(null=True, default=None)
    customer_answered_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    created_by: ForeignKey[Any] = ForeignKey(references=_core("User"), on_delete=OnDelete.restrict)
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class GuaranteeRequest(Table):
    """A 三包 request (repair / replace / refund), its legal due time and the rule that decided it."""

    id: Serial

    number = Varchar(length=32, unique=True)
    ticket = ForeignKey(references=Ticket, null=True, default=None, index=True, on_delete=OnDelete.restrict)
    unit: ForeignKey[Any] = ForeignKey(references=_core("Unit"), index=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=16, help_text="repair / replace / refund")
    reason = Text(default="")
    requested_at = Timestamptz(index=True)
    due_at = Timestamptz(index=True)
    eligible_rule = Varchar(length=64, default="", help_text="The rule the request qualified under, if any")
    decided_at = Timestamptz(null=True, default=None)
    decision = Varchar(length=16, null=True, default=None, help_text="granted / refused")
    decision_rule = Varchar(length=64, default="")
    decision_note = Text(default="")
    decided_by: ForeignKey[Any] = ForeignKey(
        references=_core("User"), null=True, default=None, on_delete=OnDelete.restrict
    )
    created_by: ForeignKey[Any] = ForeignKey(references=_core("User"), on_delete=OnDelete.restrict)
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class GuaranteeRule(Table):
    """A configurable 三包 rule: which request it allows, within how long, and how fast it must be decided."""

    id: Serial

    code = Varchar(length=64, unique=True)
    kind = Varchar(length=16, help_text="repair / replace / refund")
    max_days_since_purchase = Integer(null=True, default=None, help_text="Blank: any age within warranty")
    min_failed_repairs = Integer(null=True, default=None, help_text="Failed repairs in the warranty period")
    decide_within_days = Integer(default=7)
    description = Text(default="")
    is_active = Boolean(default=True)


class CorrectiveAction(Table):
    """A corrective / preventive action (整改, CAPA) from a complaint, survey, inspection or review."""

    id: Serial

    number = Varchar(length=32, unique=True)
    source = Varchar(length=16, help_text="complaint / survey / inspection / review / other")
    complaint = ForeignKey(
        references=Complaint, null=True, default=None, index=True, on_delete=OnDelete.restrict
    )
    source_ref = Varchar(length=64, default="", help_text="The inspection, survey or review it came from")
    description = Text()
    owner: ForeignKey[Any] = ForeignKey(references=_core("User"), index=True, on_delete=OnDelete.restrict)
    opened_on = Date()
    due_on = Date(index=True)
    closed_on = Date(null=True, default=None)
    closure_note = Text(default="")
    effectiveness_check = Text(default="")
    effective = Boolean(null=True, default=None)
    created_by: ForeignKey[Any] = ForeignKey(references=_core("User"), on_delete=OnDelete.restrict)
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class SlaAlert(Table):
    """One near-breach or breach notice per commitment and level: the monitor is safe to run twice."""

    id: Serial

    entity = Varchar(length=32)
    entity_id = Integer()
    commitment = Varchar(length=32, help_text="response / acceptance / arrival / resolution / followup / …")
    level = Varchar(length=16, help_text="near_breach / breach")
    due_at = Timestamptz()
    raised_at = Timestamptz()
    notified_user_ids = Text(default="")
