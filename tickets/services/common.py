"""Pieces every ticket service shares: locking a ticket, moving its status, its snapshot."""

from __future__ import annotations

from typing import Any

from service_ops.choices import Role
from service_ops.errors import InvalidTransition, NotFound
from service_ops.uow import lock_row
from tickets.choices import TicketStatus
from tickets.tables import Ticket
from tickets.transitions import can_move

HOTLINE_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SERVICE_MANAGER)


def ticket_snapshot(ticket: Ticket) -> dict[str, Any]:
    return {
        column: getattr(ticket, column)
        for column in (
            "number",
            "kind",
            "channel",
            "priority",
            "status",
            "customer",
            "unit",
            "region",
            "call",
            "description",
            "created_at",
            "sla_policy",
            "response_due",
            "arrival_due",
            "resolve_due",
            "first_response_at",
            "resolved_at",
            "resolution",
            "cancelled_at",
            "cancel_reason",
            "outlet",
            "dispatched_at",
            "accept_due",
            "accepted_at",
            "technician",
            "assigned_at",
            "repeat_of",
        )
    }


async def locked_ticket(ticket_id: int) -> Ticket:
    await lock_row(Ticket, ticket_id)
    ticket = await Ticket.objects().get(Ticket.id == ticket_id)
    if ticket is None:
        raise NotFound("Ticket {id} not found.", id=ticket_id)
    return ticket


async def move(ticket: Ticket, target: TicketStatus) -> None:
    if not can_move(TicketStatus(ticket.status), target):
        raise InvalidTransition(
            "A ticket that is {status} cannot become {target}.", status=ticket.status, target=target.value
        )
    ticket.status = target.value
