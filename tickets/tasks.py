"""Background jobs of the hotline desk (arq in production, in-process by default)."""

from __future__ import annotations

import logging
from typing import Any

from service_ops import i18n
from service_ops.actor import system_actor
from service_ops.context import locale
from service_ops.errors import Invalid, InvalidTransition
from service_ops.queue import JobFunction, Periodic
from service_ops.services import queue_customer_message
from service_ops.settings import get_settings
from tickets import queries, services

log = logging.getLogger(__name__)


async def send_ticket_confirmation(ctx: dict[str, Any], ticket_id: int) -> bool:
    """Tell the customer their ticket number and the committed times (once, even if run twice)."""
    details = await queries.confirmation_details(ticket_id)
    if details["phone"] is None:
        return False
    ticket = details["ticket"]
    token = locale.set(get_settings().default_locale)
    try:
        body = i18n.gettext(
            "Your service ticket {number} is registered. We will contact you by {response}.",
            number=ticket.number,
            response=i18n.format_datetime(ticket.response.due),
        )
    finally:
        locale.reset(token)
    return await queue_customer_message(system_actor("jobs"), details["phone"], body, "ticket", ticket_id)


async def auto_dispatch_ticket(ctx: dict[str, Any], ticket_id: int) -> int | None:
    """Offer a new field ticket to the top-ranked outlet (SERVICE_OPS_AUTO_DISPATCH); safe to run twice."""
    try:
        return await services.auto_dispatch(system_actor("auto-dispatch"), ticket_id)
    except (InvalidTransition, Invalid) as refused:
        log.info("auto-dispatch of ticket %s skipped: %s", ticket_id, refused)
        return None


async def monitor_commitments(ctx: dict[str, Any]) -> int:
    """Every few minutes: warn owners of commitments near breach, escalate breaches (idempotent)."""
    return await services.raise_sla_alerts(system_actor("sla-monitor"))


FUNCTIONS: list[JobFunction] = [send_ticket_confirmation, auto_dispatch_ticket, monitor_commitments]
PERIODIC: list[Periodic] = [Periodic(monitor_commitments, minutes=5)]
