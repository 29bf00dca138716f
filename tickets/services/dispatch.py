"""Dispatch: offer a ticket to an outlet, the outlet accepts or refuses, a qualified technician is assigned.

The ranking comes from outlets (which asks training who is qualified); tickets supplies each outlet's
open load and recent on-time rate. A refusal sends the ticket straight on to the next eligible
outlet, never back to one that refused it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from outlets import queries as outlet_queries
from outlets.queries import OutletCandidate
from service_ops import clock, i18n, idempotency
from service_ops import queries as core_queries
from service_ops import services as core_services
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import N_, Conflict, Invalid, InvalidTransition, PermissionDenied
from service_ops.uow import UnitOfWork, unit_of_work
from service_ops.validation import required_text
from tickets import dispatch_queries, events
from tickets.choices import TicketStatus
from tickets.services.common import locked_ticket, move
from tickets.services.work_orders import open_visit
from tickets.tables import SlaPolicy, Ticket, TicketDispatch

DISPATCH_ROLES = (Role.DISPATCHER, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
OUTLET_ROLES = (Role.OUTLET_MANAGER, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
OVERRIDE_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER, Role.ADMIN)
DEFAULT_ACCEPT_MINUTES = 60


async def rank_for_ticket(ticket: Ticket) -> list[OutletCandidate]:
    """The ranked candidate outlets for a ticket now, leaving out outlets that refused it."""
    category = await dispatch_queries.ticket_category(ticket.id)
    if category is None:
        raise Invalid("Only a ticket for a unit can be dispatched (a consultation has no on-site visit).")
    return await outlet_queries.rank_outlets(
        ticket.region,
        category,
        clock.today(),
        await dispatch_queries.open_load_by_outlet(),
        await dispatch_queries.on_time_rates(),
        exclude=await dispatch_queries.refused_outlet_ids(ticket.id),
    )


def reason_texts(candidate: OutletCandidate) -> list[str]:
    """The candidate's reasons in the reader's language, one sentence each."""
    return [i18n.gettext(reason.message, **reason.params) for reason in candidate.reasons]


def explain(candidate: OutletCandidate) -> str:
    return " ".join(reason_texts(candidate))


async def dispatch_ticket(
    actor: Actor, ticket_id: int, outlet_id: int, idempotency_key: str | None = None
) -> int:
    """The dispatcher offers the ticket to an outlet of the ranking (the suggested one or another)."""
    check_role(actor, DISPATCH_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "dispatch_ticket", idempotency_key)
    if replayed is not None:
        return int(replayed)
    async with unit_of_work(actor) as uow:
        ticket = await locked_ticket(ticket_id)
        ranking = await rank_for_ticket(ticket)
        position, candidate = _find(ranking, outlet_id)
        if not candidate.eligible:
            raise Invalid(
                "{outlet} cannot take this ticket: {why}", outlet=candidate.name, why=explain(candidate)
            )
        mode = "suggested" if position == 0 else "chosen"
        dispatch_id = await _offer(uow, ticket, candidate, mode, position + 1)
        await idempotency.remember(actor, "dispatch_ticket", idempotency_key, "ticket_dispatch", dispatch_id)
        return dispatch_id


def _find(ranking: list[OutletCandidate], outlet_id: int) -> tuple[int, OutletCandidate]:
    for position, candidate in enumerate(ranking):
        if candidate.outlet_id == outlet_id:
            return position, candidate
    raise Invalid("Outlet {id} is not a candidate for this ticket.", field="outlet_id", id=outlet_id)


async def auto_dispatch(actor: Actor, ticket_id: int) -> int | None:
    """Offer the ticket to the top-ranked outlet; with none eligible, tell the dispatchers."""
    check_role(actor, DISPATCH_ROLES)
    async with unit_of_work(actor) as uow:
        ticket = await locked_ticket(ticket_id)
        if ticket.status != TicketStatus.NEW.value:
            raise InvalidTransition("Only a ticket waiting in the dispatch queue can be dispatched.")
        return await _offer_to_best(uow, ticket, "auto")


async def _offer_to_best(uow: UnitOfWork, ticket: Ticket, mode: str) -> int | None:
    ranking = await rank_for_ticket(ticket)
    eligible = [candidate for candidate in ranking if candidate.eligible]
    if eligible:
        return await _offer(uow, ticket, eligible[0], mode, ranking.index(eligible[0]) + 1)
    for dispatcher_id in await core_queries.active_user_ids(Role.DISPATCHER):
        await core_services.notify(
            uow.actor,
            dispatcher_id,
            N_("No outlet can take ticket {number}; it waits in the queue."),
            "ticket",
            ticket.id,
            number=ticket.number,
        )
    return None


async def _offer(uow: UnitOfWork, ticket: Ticket, candidate: OutletCandidate, mode: str, rank: int) -> int:
    if ticket.status != TicketStatus.NEW.value:
        raise InvalidTransition("This ticket is already with an outlet ({status}).", status=ticket.status)
    moment = clock.now()
    accept_due = moment + timedelta(minutes=await _accept_minutes(ticket))
    await move(ticket, TicketStatus.DISPATCHED)
    ticket.outlet, ticket.dispatched_at, ticket.accept_due, ticket.accepted_at = (
        candidate.outlet_id,
        moment,
        accept_due,
        None,
    )
    await ticket.save(
        [Ticket.status, Ticket.outlet, Ticket.dispatched_at, Ticket.accept_due, Ticket.accepted_at]
    )
    offer = TicketDispatch(
        ticket=ticket.id,
        outlet=candidate.outlet_id,
        mode=mode,
        rank=rank,
        dispatched_at=moment,
        dispatched_by=uow.actor.audit_name,
        accept_due=accept_due,
    )
    await offer.save()
    uow.record(
        events.TICKET_DISPATCHED,
        "ticket",
        ticket.id,
        before={"status": TicketStatus.NEW.value},
        after={
            "status": ticket.status,
            "outlet": candidate.outlet_id,
            "mode": mode,
            "rank": rank,
            "score": candidate.score,
            "dispatched_at": moment,
            "accept_due": accept_due,
        },
    )
    for manager_id in await outlet_queries.outlet_manager_ids(candidate.outlet_id):
        await core_services.notify(
            uow.actor,
            manager_id,
            N_("Ticket {number} was dispatched to your outlet."),
            "ticket_dispatch",
            offer.id,
            number=ticket.number,
        )
    return int(offer.id)


async def _accept_minutes(ticket: Ticket) -> int:
    if ticket.sla_policy is None:
        return DEFAULT_ACCEPT_MINUTES
    row = await SlaPolicy.select(SlaPolicy.accept_minutes).where(SlaPolicy.id == ticket.sla_policy).first()
    return int(row["accept_minutes"]) if row else DEFAULT_ACCEPT_MINUTES


def _check_outlet_scope(actor: Actor, ticket: Ticket) -> None:
    if actor.role == Role.OUTLET_MANAGER and ticket.outlet not in actor.outlet_ids:
        raise PermissionDenied("This ticket is not with your outlet.")


async def _decide(uow: UnitOfWork, ticket: Ticket, decision: str, reason: str = "") -> dict[str, Any]:
    """Close the outlet's open offer with its answer; exactly one answer wins."""
    if ticket.status != TicketStatus.DISPATCHED.value:
        raise Conflict(
            "This ticket was already answered ({status}); reload to see its state.", status=ticket.status
        )
    _check_outlet_scope(uow.actor, ticket)
    offer = await dispatch_queries.pending_dispatch(ticket.id)
    if offer is None:
        raise Conflict("This ticket has no open offer to answer.")
    moment = clock.now()
    await TicketDispatch.update(
        {
            TicketDispatch.decided_at: moment,
            TicketDispatch.decision: decision,
            TicketDispatch.decided_by: uow.actor.user_id,
            TicketDispatch.reason: reason,
        }
    ).where(TicketDispatch.id == offer["id"])
    return {"offer": offer["id"], "outlet": offer["outlet"], "decided_at": moment}


async def accept_dispatch(actor: Actor, ticket_id: int) -> None:
    """The outlet manager takes the job: acceptance is stamped against its deadline."""
    check_role(actor, OUTLET_ROLES)
    async with unit_of_work(actor) as uow:
        ticket = await locked_ticket(ticket_id)
        decided = await _decide(uow, ticket, "accepted")
        await move(ticket, TicketStatus.ACCEPTED)
        ticket.accepted_at = decided["decided_at"]
        await ticket.save([Ticket.status, Ticket.accepted_at])
        uow.record(
            events.DISPATCH_ACCEPTED,
            "ticket",
            ticket_id,
            before={"status": TicketStatus.DISPATCHED.value},
            after={"status": ticket.status, "outlet": ticket.outlet, "accepted_at": ticket.accepted_at},
        )


async def refuse_dispatch(actor: Actor, ticket_id: int, reason: str) -> int | None:
    """The outlet declines (a reason is required); the ticket goes on to the next eligible outlet."""
    check_role(actor, OUTLET_ROLES)
    why = required_text(reason, "reason", 1000)
    async with unit_of_work(actor) as uow:
        ticket = await locked_ticket(ticket_id)
        decided = await _decide(uow, ticket, "refused", why)
        await move(ticket, TicketStatus.NEW)
        ticket.outlet, ticket.accept_due = None, None
        await ticket.save([Ticket.status, Ticket.outlet, Ticket.accept_due])
        uow.record(
            events.DISPATCH_REFUSED,
            "ticket",
            ticket_id,
            before={"status": TicketStatus.DISPATCHED.value, "outlet": decided["outlet"]},
            after={"status": ticket.status},
            reason=why,
        )
        return await _offer_to_best(uow, ticket, "redispatch")


async def assign_technician(
    actor: Actor, ticket_id: int, technician_id: int, override_reason: str | None = None
) -> None:
    """Only a technician qualified for the unit's category; a service manager may override, with a reason."""
    check_role(actor, OUTLET_ROLES)
    async with unit_of_work(actor) as uow:
        ticket = await locked_ticket(ticket_id)
        if ticket.status != TicketStatus.ACCEPTED.value:
            raise InvalidTransition("A technician is assigned once the outlet has accepted the ticket.")
        _check_outlet_scope(actor, ticket)
        if ticket.technician is not None:
            raise Conflict("A technician is already assigned to this ticket.")
        override = await _check_technician(actor, ticket, technician_id, override_reason)
        ticket.technician, ticket.assigned_at = technician_id, clock.now()
        await ticket.save([Ticket.technician, Ticket.assigned_at])
        await open_visit(uow, ticket, technician_id, visit_no=1, arrival_due=ticket.arrival_due)
        uow.record(
            events.TECHNICIAN_ASSIGNED,
            "ticket",
            ticket_id,
            before={"technician": None},
            after={
                "technician": technician_id,
                "assigned_at": ticket.assigned_at,
                "qualification_override": override,
            },
            reason=override_reason if override else None,
        )
        await core_services.notify(
            actor,
            technician_id,
            N_("You were assigned ticket {number}."),
            "ticket",
            ticket_id,
            number=ticket.number,
        )


async def _check_technician(
    actor: Actor, ticket: Ticket, technician_id: int, override_reason: str | None
) -> bool:
    """True when an unqualified technician is assigned by an allowed override."""
    category = await dispatch_queries.ticket_category(ticket.id) or ""
    options = await outlet_queries.technicians_for(ticket.outlet, category, clock.today())
    option = next((option for option in options if option.user_id == technician_id), None)
    if option is None:
        raise Invalid("This person is not a technician of the outlet.", field="technician_id")
    if option.qualified:
        return False
    if actor.role in OVERRIDE_ROLES and (override_reason or "").strip():
        return True
    missing = ", ".join(option.missing) or (i18n.gettext(option.reason) if option.reason else "")
    if actor.role in OVERRIDE_ROLES:
        raise Invalid(
            "{name} is not qualified ({missing}); an override needs a reason.",
            field="override_reason",
            name=option.name,
            missing=missing,
        )
    raise Invalid(
        "{name} is not qualified for this product ({missing}).",
        field="technician_id",
        name=option.name,
        missing=missing,
    )
