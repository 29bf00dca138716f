"""The actor-facing complaint functions: each checks the role, locks the complaint and takes one step."""

from __future__ import annotations

from service_ops import clock, idempotency
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import Conflict, Invalid, InvalidTransition, NotFound
from service_ops.tables import Customer
from service_ops.uow import lock_row, unit_of_work
from service_ops.validation import required_text
from tickets import events
from tickets.choices import Channel, ComplaintCategory, ComplaintSeverity
from tickets.choices import ComplaintStatus as S
from tickets.loop_schemas import ComplaintCreate
from tickets.services.complaints.steps import (
    ESCALATION_ROLES,
    acknowledge,
    close,
    locked_complaint,
    open_actions,
    raise_level,
    register,
    resolve,
)
from tickets.tables import Complaint, Followup, Ticket

REGISTER_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
HANDLER_ROLES = (Role.AGENT, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
CLOSE_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER)


class _Unchanged(Exception):
    """Raised inside a unit of work that turned out to have nothing to do (it rolls back)."""


async def open_complaint(actor: Actor, data: ComplaintCreate, idempotency_key: str | None = None) -> int:
    """Register a complaint now; a major one is escalated to the service managers at once."""
    check_role(actor, REGISTER_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "open_complaint", idempotency_key)
    if replayed is not None:
        return int(replayed)
    description = required_text(data.description, "description", 4000)
    async with unit_of_work(actor) as uow:
        if not await Customer.exists().where(Customer.id == data.customer_id):
            raise Invalid("Unknown customer {id}.", field="customer_id", id=data.customer_id)
        if data.ticket_id is not None:
            ticket = await Ticket.select(Ticket.customer).where(Ticket.id == data.ticket_id).first()
            if ticket is None or ticket["customer"] != data.customer_id:
                raise Invalid(
                    "Ticket {id} is not one of this customer's tickets.", field="ticket_id", id=data.ticket_id
                )
        complaint_id = await register(
            uow,
            channel=data.channel,
            customer_id=data.customer_id,
            ticket_id=data.ticket_id,
            followup_id=None,
            severity=data.severity,
            category=data.category,
            description=description,
        )
        await idempotency.remember(actor, "open_complaint", idempotency_key, "complaint", complaint_id)
        return complaint_id


async def complaint_from_followup(
    actor: Actor,
    followup_id: int,
    category: ComplaintCategory,
    severity: ComplaintSeverity = ComplaintSeverity.NORMAL,
    description: str | None = None,
    idempotency_key: str | None = None,
) -> int:
    """One click from a poor follow-up: a phone complaint linked to its ticket, follow-up and customer."""
    check_role(actor, REGISTER_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "complaint_from_followup", idempotency_key)
    if replayed is not None:
        return int(replayed)
    async with unit_of_work(actor) as uow:
        await lock_row(Followup, followup_id)
        followup = (
            await Followup.select(
                Followup.id, Followup.done_at, Followup.reached, Followup.comment, Followup.ticket
            )
            .where(Followup.id == followup_id)
            .first()
        )
        if followup is None:
            raise NotFound("Follow-up {id} not found.", id=followup_id)
        if followup["done_at"] is None or not followup["reached"]:
            raise InvalidTransition("A complaint is opened from a follow-up call that reached the customer.")
        existing = await Complaint.select(Complaint.number).where(Complaint.followup == followup_id).first()
        if existing is not None:
            raise Conflict(
                "Complaint {number} was already opened from this follow-up.", number=existing["number"]
            )
        ticket = await Ticket.select(Ticket.customer).where(Ticket.id == followup["ticket"]).first()
        assert ticket is not None  # a follow-up's ticket is never deleted (restrict)
        text = required_text(description or followup["comment"], "description", 4000)
        complaint_id = await register(
            uow,
            channel=Channel.PHONE,
            customer_id=ticket["customer"],
            ticket_id=followup["ticket"],
            followup_id=followup_id,
            severity=ComplaintSeverity(severity),
            category=ComplaintCategory(category),
            description=text,
        )
        await idempotency.remember(
            actor, "complaint_from_followup", idempotency_key, "complaint", complaint_id
        )
        return complaint_id


async def acknowledge_complaint(actor: Actor, complaint_id: int) -> None:
    """The handler takes the complaint on: the acknowledge clock stops."""
    check_role(actor, HANDLER_ROLES)
    async with unit_of_work(actor) as uow:
        complaint = await locked_complaint(complaint_id)
        if complaint.status != S.OPEN.value:
            raise InvalidTransition("This complaint was already acknowledged.")
        await acknowledge(uow, complaint, clock.now())


async def escalate_complaint(actor: Actor, complaint_id: int, level: int, reason: str) -> bool:
    """Raise the complaint to `level` and tell that level's people; False (and nothing done) when it
    is already there or higher. Safe for the SLA monitor (a system actor) to call repeatedly."""
    check_role(actor, HANDLER_ROLES)
    if isinstance(level, bool) or level not in ESCALATION_ROLES:
        raise Invalid("The escalation level is 1 (service managers) or 2 (head office).", field="level")
    why = required_text(reason, "reason", 1000)
    current = await Complaint.select(Complaint.escalation_level).where(Complaint.id == complaint_id).first()
    if current is None:
        raise NotFound("Complaint {id} not found.", id=complaint_id)
    if current["escalation_level"] >= level:
        return False
    try:
        async with unit_of_work(actor) as uow:
            complaint = await locked_complaint(complaint_id)
            if complaint.escalation_level >= level:
                raise _Unchanged
            await raise_level(uow, complaint, level, why)
            return True
    except _Unchanged:
        return False


async def resolve_complaint(actor: Actor, complaint_id: int, root_cause: str, resolution: str) -> None:
    """Record the root cause and what was done; the complaint must have been acknowledged first."""
    check_role(actor, HANDLER_ROLES)
    cause = required_text(root_cause, "root_cause", 4000)
    outcome = required_text(resolution, "resolution", 4000)
    async with unit_of_work(actor) as uow:
        complaint = await locked_complaint(complaint_id)
        if complaint.status == S.OPEN.value:
            raise InvalidTransition("Acknowledge the complaint before resolving it.")
        await resolve(uow, complaint, cause, outcome)


async def record_customer_answer(actor: Actor, complaint_id: int, accepted: bool, note: str = "") -> None:
    """Whether the customer accepts the outcome, once, after the complaint is resolved."""
    check_role(actor, HANDLER_ROLES)
    text = (note or "").strip()
    if len(text) > 1000:
        raise Invalid("The note is too long (at most {max} characters).", field="note", max=1000)
    async with unit_of_work(actor) as uow:
        complaint = await locked_complaint(complaint_id)
        if complaint.status not in (S.RESOLVED.value, S.CLOSED.value):
            raise InvalidTransition("The customer's answer is recorded once the complaint is resolved.")
        if complaint.customer_answered_at is not None:
            raise Conflict("The customer's answer was already recorded.")
        complaint.customer_accepted, complaint.customer_answered_at = bool(accepted), clock.now()
        await complaint.save([Complaint.customer_accepted, Complaint.customer_answered_at])
        uow.record(
            events.COMPLAINT_CUSTOMER_ANSWERED,
            "complaint",
            complaint_id,
            before={"customer_accepted": None},
            after={
                "customer_accepted": complaint.customer_accepted,
                "answered_at": complaint.customer_answered_at,
            },
            reason=text or None,
        )


async def close_complaint(actor: Actor, complaint_id: int, note: str = "") -> None:
    """A service manager closes a resolved complaint the customer accepted, with no corrective action open."""
    check_role(actor, CLOSE_ROLES)
    text = (note or "").strip()[:1000]
    async with unit_of_work(actor) as uow:
        complaint = await locked_complaint(complaint_id)
        if complaint.status != S.RESOLVED.value:
            raise InvalidTransition("Only a resolved complaint can be closed.")
        if not complaint.customer_accepted:
            raise InvalidTransition(
                "The customer has not accepted the outcome: open a corrective action, which closes the "
                "complaint when it is done."
            )
        still_open = await open_actions(complaint_id)
        if still_open:
            raise InvalidTransition(
                "Corrective action {number} is still open; the complaint closes when it does.",
                number=still_open[0],
            )
        await close(uow, complaint, text or None)
