"""Shapes at the HTTP edge for work orders: the technician's steps, completion, photos, revisits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar.datastructures import UploadFile

from service_ops.schemas import Id
from tickets.choices import Payer, TicketKind, WorkOrderStatus, WorkResult
from tickets.schemas import Clock

ShortText = Annotated[str, msgspec.Meta(max_length=4000)]
MAX_PARTS = 50
MAX_SIGNATURE_CHARS = 20_000_000
"""A drawn signature as a base64 PNG (a data: URL or bare base64); its decoded size is checked too."""


class StepSubmit(msgspec.Struct, kw_only=True):
    """A step the technician took; `device_at` is the phone's clock when the button was pressed."""

    step: Literal["en_route", "arrived"]
    device_at: datetime | None = None
    offline: bool = False


class PartLine(msgspec.Struct, kw_only=True):
    part_no: Annotated[str, msgspec.Meta(max_length=64)]
    quantity: int
    unit_price: Decimal
    in_warranty: bool
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""


class WorkOrderCompletion(msgspec.Struct, kw_only=True):
    """The end of a visit: result, findings, parts and fees, and the customer's confirmation."""

    result: WorkResult
    diagnosis: ShortText = ""
    fault_code: Annotated[str, msgspec.Meta(max_length=32)] = ""
    parts: Annotated[list[PartLine], msgspec.Meta(max_length=MAX_PARTS)] = msgspec.field(default_factory=list)
    labour_fee: Decimal = Decimal("0")
    signature_png: Annotated[str, msgspec.Meta(max_length=MAX_SIGNATURE_CHARS)] | None = None
    confirmation_code: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    device_at: datetime | None = None
    offline: bool = False


class RevisitCreate(msgspec.Struct, kw_only=True):
    """The next visit after one that did not fix the problem (or was cancelled)."""

    arrival_due: datetime
    technician_id: Id | None = None


class WorkOrderCancel(msgspec.Struct, kw_only=True):
    reason: ShortText


@dataclass
class PhotoUpload:
    """Multipart body: one photo and an optional caption."""

    photo: UploadFile
    caption: str = ""


class StepRead(msgspec.Struct, kw_only=True):
    step: WorkOrderStatus
    taken_at: datetime
    device_at: datetime | None
    received_at: datetime
    was_offline: bool
    actor_name: str


class StepAnswer(msgspec.Struct, kw_only=True):
    """A step submission's answer: small, for a weak network (a replay gets the same one)."""

    work_order_id: int
    status: WorkOrderStatus
    step: StepRead


class PartRead(msgspec.Struct, kw_only=True):
    part_no: str
    name: str
    quantity: int
    unit_price: Decimal
    in_warranty: bool


class PhotoRead(msgspec.Struct, kw_only=True):
    id: int
    work_order_id: int
    sha256: str
    content_type: str
    size: int
    caption: str
    uploaded_at: datetime


class FieldJobRead(msgspec.Struct, kw_only=True):
    """One line of the technician's list: who, where, when, and the arrival commitment."""

    id: int
    number: str
    ticket_number: str
    kind: TicketKind
    visit_no: int
    status: WorkOrderStatus
    next_step: WorkOrderStatus | None
    customer_name: str
    address: str
    phone: str | None
    model_name: str | None
    appointment_start: datetime | None
    appointment_end: datetime | None
    arrival: Clock
    in_warranty: bool | None
    completed_at: datetime | None


class WorkOrderRead(FieldJobRead, kw_only=True):
    """A visit with everything the technician and the outlet see about it."""

    ticket_id: int
    outlet_id: int
    technician_id: int
    technician_name: str
    phones: list[str]
    serial_number: str | None
    symptom: str
    created_at: datetime
    en_route_at: datetime | None
    arrived_at: datetime | None
    result: WorkResult | None
    results: list[WorkResult]
    diagnosis: str
    fault_code: str
    parts: list[PartRead]
    parts_fee: Decimal
    labour_fee: Decimal
    total_fee: Decimal
    customer_pays: Decimal
    payer: Payer
    confirmed_by: str
    confirmed_at: datetime | None
    confirmation_sent_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    previous_id: int | None
    steps: list[StepRead]
    photos: list[PhotoRead]
