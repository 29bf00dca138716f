"""Finishing a visit: result and findings, parts and fees, the customer's signature or SMS code."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from outlets import queries as outlet_queries
from service_ops import clock, context, i18n, idempotency
from service_ops import queries as core_queries
from service_ops import services as core_services
from service_ops.actor import Actor
from service_ops.auth import check_role, hash_password, password_matches
from service_ops.errors import N_, Conflict, Invalid, InvalidTransition
from service_ops.fund import services as fund_services
from service_ops.settings import get_settings
from service_ops.uow import UnitOfWork, unit_of_work
from service_ops.validation import required_text
from tickets import events
from tickets.choices import RESULTS_BY_KIND, Payer, TicketKind, TicketStatus, WorkResult
from tickets.field_schemas import PartLine, WorkOrderCompletion
from tickets.services.common import move
from tickets.services.followups import open_followup
from tickets.services.work_orders.common import (
    TECHNICIAN,
    S,
    check_assignee,
    check_step,
    check_ticket_open,
    locked_work_order,
    record_step,
    step_facts,
)
from tickets.services.work_orders.files import PNG_MAGIC, store_file
from tickets.tables import Ticket, WorkOrder, WorkOrderPart

CODE_VALID = timedelta(minutes=60)
CODE_RESEND_WAIT = timedelta(seconds=60)
MAX_MONEY = Decimal("9999999999.99")
MAX_QUANTITY = 9999
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PART_FIELDS = ("part_no", "name", "quantity", "unit_price", "in_warranty")


@dataclass(frozen=True)
class Fees:
    parts: Decimal
    labour: Decimal
    total: Decimal
    customer_pays: Decimal
    customer_parts: Decimal = ZERO

    @property
    def warranty_parts(self) -> Decimal:
        """What the service fund pays for parts: the in-warranty ones."""
        return self.parts - self.customer_parts

    @property
    def warranty_labour(self) -> Decimal:
        """What the fund pays for labour: all of it unless the customer pays it."""
        return self.labour - (self.customer_pays - self.customer_parts)

    @property
    def payer(self) -> Payer:
        return Payer.CUSTOMER if self.customer_pays > 0 else Payer.WARRANTY


def money(value: Decimal, field: str) -> Decimal:
    """A fee or price: a finite amount ≥ 0 with at most two decimal places."""
    try:
        valid = value.is_finite() and ZERO <= value <= MAX_MONEY and value == value.quantize(CENT)
    except InvalidOperation:
        valid = False
    if not valid:
        raise Invalid(
            "“{value}” is not an amount: use a number of at least 0 with at most two decimals.",
            field=field,
            value=str(value)[:20],
        )
    return value.quantize(CENT)


def checked_parts(parts: list[PartLine]) -> list[PartLine]:
    checked = []
    for row, part in enumerate(parts, start=1):
        if not 1 <= part.quantity <= MAX_QUANTITY:
            raise Invalid(
                "Part {row}: the quantity must be a whole number from 1 to {max}.",
                field="quantity",
                row=row,
                max=MAX_QUANTITY,
            )
        checked.append(
            PartLine(
                part_no=required_text(part.part_no, "part_no", 64),
                name=part.name.strip(),
                quantity=part.quantity,
                unit_price=money(part.unit_price, "unit_price"),
                in_warranty=part.in_warranty,
            )
        )
    return checked


def compute_fees(parts: list[PartLine], labour: Decimal, visit_in_warranty: bool | None) -> Fees:
    """Parts at their price plus labour; the customer pays the out-of-warranty parts, and the labour
    when the visit itself is out of warranty."""
    parts_fee = sum((p.unit_price * p.quantity for p in parts), ZERO)
    customer_parts = sum((p.unit_price * p.quantity for p in parts if not p.in_warranty), ZERO)
    fees = Fees(
        parts=parts_fee,
        labour=labour,
        total=parts_fee + labour,
        customer_pays=customer_parts + (labour if visit_in_warranty is False else ZERO),
        customer_parts=customer_parts,
    )
    if fees.total > MAX_MONEY:
        raise Invalid("The fees add up to more than can be recorded; check the quantities and prices.")
    return fees


def _findings(kind: str, data: WorkOrderCompletion) -> tuple[WorkResult, str, str]:
    """The result must fit the kind of visit; a repair needs its diagnosis and fault code."""
    allowed = RESULTS_BY_KIND.get(kind, frozenset())
    if data.result not in allowed:
        raise Invalid(
            "“{result}” is not a result of a visit for {kind}; choose one of: {choices}.",
            field="result",
            result=i18n.gettext(data.result.label),
            kind=i18n.gettext(TicketKind(kind).label),
            choices=", ".join(sorted(i18n.gettext(result.label) for result in allowed)),
        )
    if kind == TicketKind.REPAIR.value:
        return (
            data.result,
            required_text(data.diagnosis, "diagnosis", 4000),
            required_text(data.fault_code, "fault_code", 32),
        )
    return data.result, data.diagnosis.strip(), data.fault_code.strip()


def decoded_signature(raw: str | None) -> bytes | None:
    """A drawn signature: base64 PNG data (a data: URL or bare base64) within the upload limit."""
    text = (raw or "").strip()
    if not text:
        return None
    if text.startswith("data:"):
        header, _, text = text.partition(",")
        if header.lower() != "data:image/png;base64":
            raise Invalid("The signature must be a PNG image.", field="signature_png")
    limit = get_settings().upload_max_bytes
    if len(text) > limit * 4 // 3 + 8:
        raise Invalid(
            "The signature is too large (at most {max} MB).", field="signature_png", max=limit // 2**20
        )
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise Invalid("The signature could not be read; please sign again.", field="signature_png") from error
    if not content.startswith(PNG_MAGIC):
        raise Invalid("The signature must be a PNG image.", field="signature_png")
    return content


def _check_code(order: WorkOrder, code: str) -> None:
    if not order.confirmation_code_hash or order.confirmation_sent_at is None:
        raise Invalid(
            "No confirmation code was sent for this visit; send one first.", field="confirmation_code"
        )
    if clock.now() - order.confirmation_sent_at > CODE_VALID:
        raise Invalid("The confirmation code has expired; send a new one.", field="confirmation_code")
    well_formed = code.isascii() and code.isdigit() and len(code) == 6
    if not well_formed or not password_matches(order.confirmation_code_hash, code):
        raise Invalid(
            "The confirmation code is wrong; check the SMS with the customer or send a new code.",
            field="confirmation_code",
        )


def _confirmation(order: WorkOrder, signature: bytes | None, code: str | None, fees: Fees) -> str:
    """How the customer confirmed (signature, code or both); one of them is always required."""
    code = (code or "").strip()
    if code:
        _check_code(order, code)
    if signature is None and not code:
        if fees.customer_pays > 0:
            raise Invalid(
                "The customer pays {amount}: the customer must confirm this fee by signing or with the "
                "code sent by SMS.",
                field="signature_png",
                amount=f"{fees.customer_pays:,.2f}",
            )
        raise Invalid(
            "The customer must confirm the work: a signature, or the code sent by SMS.",
            field="signature_png",
        )
    if signature is not None and code:
        return "both"
    return "signature" if signature is not None else "code"


async def complete_work_order(
    actor: Actor, work_order_id: int, data: WorkOrderCompletion, idempotency_key: str | None = None
) -> int:
    """The technician finishes the visit: result, parts and fees, and the customer's confirmation.

    A result that ends the customer's request resolves the ticket (its follow-up falls due); otherwise
    the ticket stays in progress and the outlet's managers are asked to schedule a revisit.
    """
    check_role(actor, TECHNICIAN)
    operation = f"complete_work_order:{work_order_id}"
    replayed = await idempotency.replayed_entity_id(actor, operation, idempotency_key)
    if replayed is not None:
        return int(replayed)
    signature = decoded_signature(data.signature_png)
    parts = checked_parts(data.parts)
    labour = money(data.labour_fee, "labour_fee")
    async with unit_of_work(actor) as uow:
        ticket, order = await locked_work_order(work_order_id)
        check_assignee(actor, order)
        check_ticket_open(ticket)
        await check_step(order, S.COMPLETED)
        result, diagnosis, fault_code = _findings(order.kind, data)
        fees = compute_fees(parts, labour, order.in_warranty)
        confirmed_by = _confirmation(order, signature, data.confirmation_code, fees)
        row = await record_step(uow, order, S.COMPLETED, data.device_at, data.offline)
        for part in parts:
            await WorkOrderPart(work_order=order.id, **{f: getattr(part, f) for f in PART_FIELDS}).save()
        if signature is not None:
            order.signature_sha256, order.signature_path = await store_file(signature, ".png")
        order.result, order.diagnosis, order.fault_code = result.value, diagnosis, fault_code
        order.parts_fee, order.labour_fee, order.total_fee = fees.parts, fees.labour, fees.total
        order.customer_pays, order.payer = fees.customer_pays, fees.payer.value
        order.confirmed_by, order.confirmed_at = confirmed_by, row.received_at
        await order.save()
        await idempotency.remember(actor, operation, idempotency_key, "work_order", order.id)
        await fund_services.post_work_order_costs(
            uow,
            order.id,
            order.outlet,
            fees.warranty_parts,
            fees.warranty_labour,
            row.taken_at.astimezone(clock.org_zone()).date(),
        )
        uow.record(
            events.WORK_ORDER_COMPLETED,
            "work_order",
            order.id,
            before={"status": S.ARRIVED.value},
            after=step_facts(row, **_completion_facts(order, parts)),
        )
        if result.resolves_ticket:
            await _resolve_ticket(uow, ticket, row.taken_at, diagnosis or i18n.gettext(result.label))
        else:
            await _ask_for_revisit(actor, order)
        return int(order.id)


def _completion_facts(order: WorkOrder, parts: list[PartLine]) -> dict[str, object]:
    return {
        "result": order.result,
        "diagnosis": order.diagnosis,
        "fault_code": order.fault_code,
        "parts": [{f: getattr(p, f) for f in PART_FIELDS} for p in parts],
        "parts_fee": order.parts_fee,
        "labour_fee": order.labour_fee,
        "total_fee": order.total_fee,
        "customer_pays": order.customer_pays,
        "payer": order.payer,
        "in_warranty": order.in_warranty,
        "confirmed_by": order.confirmed_by,
        "signature_sha256": order.signature_sha256,
    }


async def _resolve_ticket(uow: UnitOfWork, ticket: Ticket, moment: datetime, resolution: str) -> None:
    before = ticket.status
    await move(ticket, TicketStatus.RESOLVED)
    ticket.resolved_at, ticket.resolution = moment, resolution
    await ticket.save([Ticket.status, Ticket.resolved_at, Ticket.resolution])
    uow.record(
        events.TICKET_RESOLVED,
        "ticket",
        ticket.id,
        before={"status": before},
        after={"status": ticket.status, "resolved_at": moment, "resolution": resolution},
    )
    await open_followup(uow, ticket.id, moment)


async def _ask_for_revisit(actor: Actor, order: WorkOrder) -> None:
    for manager_id in await outlet_queries.outlet_manager_ids(order.outlet):
        await core_services.notify(
            actor,
            manager_id,
            N_("Work order {number} ended without fixing the problem: schedule a revisit."),
            "work_order",
            order.id,
            number=order.number,
        )


async def send_confirmation_code(actor: Actor, work_order_id: int) -> datetime:
    """Text the customer a 6-digit code that confirms the work and fees (kept only as a hash).

    Once on site; a new code replaces the old one, at most one a minute. Returns when it was sent.
    """
    check_role(actor, TECHNICIAN)
    async with unit_of_work(actor) as uow:
        ticket, order = await locked_work_order(work_order_id)
        check_assignee(actor, order)
        check_ticket_open(ticket)
        if order.status != S.ARRIVED.value:
            raise InvalidTransition("Send the confirmation code once you are at the customer's.")
        moment = clock.now()
        if order.confirmation_sent_at is not None and moment - order.confirmation_sent_at < CODE_RESEND_WAIT:
            raise Conflict("A code was sent less than a minute ago; wait a moment before sending another.")
        phones = (await core_queries.get_customer(ticket.customer)).phones
        if not phones:
            raise Invalid("The customer has no phone number for a code; ask for a signature instead.")
        code = f"{secrets.randbelow(10**6):06d}"
        order.confirmation_code_hash, order.confirmation_sent_at = hash_password(code), moment
        await order.save([WorkOrder.confirmation_code_hash, WorkOrder.confirmation_sent_at])
        await core_services.queue_customer_message(
            actor,
            phones[0],
            _code_message(order.number, code),
            "work_order_code",
            f"{order.id}-{int(moment.timestamp())}",
            secret=code,
        )
        uow.record(
            events.CONFIRMATION_CODE_SENT,
            "work_order",
            order.id,
            after={"confirmation_sent_at": moment, "recipient": phones[0][:3] + "****" + phones[0][-4:]},
        )
        return moment


def _code_message(number: str, code: str) -> str:
    """The SMS, in the organisation's language."""
    token = context.locale.set(get_settings().default_locale)
    try:
        return i18n.gettext(
            "Your confirmation code for service visit {number} is {code}. Give it to the technician only "
            "if you agree with the work and the fees. Valid for {minutes} minutes.",
            number=number,
            code=code,
            minutes=int(CODE_VALID.total_seconds() // 60),
        )
    finally:
        context.locale.reset(token)
