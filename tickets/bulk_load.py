"""Bulk loading of imported history into the tickets domain: calls, tickets, work orders, the loop.

The history importer (audit_export.history.service_files, loop_files) calls these inside its unit of work
with rows it has validated (values in the bundle's vocabulary, references as codes); they write
with `service_ops.bulk.execute_many` and record no audit event (the import records one).

Imported records are history: nothing is recomputed (no SLA policy, no follow-up created, no
dispatch rows); the times are taken as given. The bundle's vocabulary maps to the app's:

- tickets `channel`: hotline → phone, web → web, walk_in → walk_in, other → other (read back,
  wechat and retailer show as other);
- tickets `status`: open → new (no outlet) or accepted (an outlet holds it), resolved →
  resolved, cancelled → cancelled with `resolved_at` stored as `cancelled_at` (read back, every
  open state is open, closed is resolved);
- calls `direction`: in → inbound, out → outbound;
- work orders `result`: cancelled → status cancelled (`completed_at` stored as `cancelled_at`),
  another result → status completed, no result → arrived (with `arrived_at`) or assigned;
  `created_at` is the ticket's.

Columns the bundle does not carry get import defaults: ticket priority normal, description and
resolution empty, `created_by` the history-import user (an inactive account without a usable
password, made on first use; see `service_ops.bulk_load.import_user_id`).

The closing loop (follow-ups, complaints, 三包 requests, corrective actions) gets defaults that
claim nothing the bundle does not say; the list is in `audit_export.history.loop_files`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service_ops.bulk import allocate_ids, execute_many, ids_by, remember_ids, remembered, select_in
from service_ops.bulk_load import import_user_id
from tickets import loop_settings
from tickets.choices import Channel, ComplaintStatus, TicketStatus, WorkOrderStatus

Values = dict[str, Any]
Updates = Sequence[tuple[Values, Values]]  # (the bundle's values, the current ones)

CHANNEL_FROM_BUNDLE = {
    "hotline": Channel.PHONE,
    "web": Channel.WEB,
    "walk_in": Channel.WALK_IN,
    "other": Channel.OTHER,
}
CHANNEL_TO_BUNDLE = {
    Channel.PHONE: "hotline",
    Channel.WEB: "web",
    Channel.WALK_IN: "walk_in",
    Channel.OTHER: "other",
    Channel.WECHAT: "other",
    Channel.RETAILER: "other",
}
DIRECTION_FROM_BUNDLE = {"in": "inbound", "out": "outbound"}
DIRECTION_TO_BUNDLE = {app: bundle for bundle, app in DIRECTION_FROM_BUNDLE.items()}
CANCELLED = "cancelled"


def ticket_status(bundle_status: str, outlet_code: str | None) -> TicketStatus:
    if bundle_status == "resolved":
        return TicketStatus.RESOLVED
    if bundle_status == CANCELLED:
        return TicketStatus.CANCELLED
    return TicketStatus.ACCEPTED if outlet_code else TicketStatus.NEW


def bundle_ticket_status(status: str) -> str:
    if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        return "resolved"
    return CANCELLED if status == TicketStatus.CANCELLED else "open"


def work_order_status(values: Values) -> WorkOrderStatus:
    if values["result"] == CANCELLED:
        return WorkOrderStatus.CANCELLED
    if values["result"] is not None:
        return WorkOrderStatus.COMPLETED
    return WorkOrderStatus.ARRIVED if values["arrived_at"] is not None else WorkOrderStatus.ASSIGNED


# tickets ----------------------------------------------------------------------------------------


def _ticket_params(v: Values, ids: dict[str, dict[Any, int]]) -> tuple[Any, ...]:
    cancelled = v["status"] == CANCELLED
    return (
        v["kind"],
        CHANNEL_FROM_BUNDLE[v["channel"]].value,
        ids["customer"][v["customer_code"]],
        ids["unit"].get(v["serial_no"]),
        ids["region"][v["region_code"]],
        v["created_at"],
        v["response_due"],
        v["first_response_at"],
        v["resolve_due"],
        None if cancelled else v["resolved_at"],
        v["resolved_at"] if cancelled else None,
        ids["outlet"].get(v["outlet_code"]),
    )


async def load_tickets(
    inserts: Sequence[Values], updates: Sequence[tuple[Values, Values]], origin: str
) -> None:
    """Insert new tickets and apply corrections; `updates` pairs the bundle's values with the current."""
    rows = [*inserts, *(values for values, _ in updates)]
    ids = {
        "customer": await ids_by("customer", "code", [v["customer_code"] for v in rows]),
        "unit": await ids_by("unit", "serial_number", [v["serial_no"] for v in rows]),
        "region": await ids_by("region", "code", [v["region_code"] for v in rows]),
        "outlet": await ids_by("outlet", "code", [v["outlet_code"] for v in rows]),
    }
    author = await import_user_id() if inserts else None
    new_ids = await allocate_ids("ticket", len(inserts))
    calls = _pending_calls()
    await execute_many(
        "INSERT INTO ticket (id, call, kind, channel, customer, unit, region, created_at, response_due, "
        "first_response_at, resolve_due, resolved_at, cancelled_at, outlet, number, status, priority, "
        "description, created_by, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "'normal', '', ?, ?)",
        [
            (
                id_,
                calls.pop(v["number"], None),
                *_ticket_params(v, ids),
                v["number"],
                ticket_status(v["status"], v["outlet_code"]).value,
                author,
                origin,
            )
            for id_, v in zip(new_ids, inserts, strict=True)
        ],
    )
    remember_ids("ticket", "number", zip([v["number"] for v in inserts], new_ids, strict=True))
    await execute_many(
        "UPDATE ticket SET kind = ?, channel = ?, customer = ?, unit = ?, region = ?, created_at = ?, "
        "response_due = ?, first_response_at = ?, resolve_due = ?, resolved_at = ?, cancelled_at = ?, "
        "outlet = ? WHERE number = ?",
        [(*_ticket_params(v, ids), v["number"]) for v, _ in updates],
    )
    await execute_many(  # the app's finer state is kept unless the bundle's status changed
        "UPDATE ticket SET status = ? WHERE number = ?",
        [
            (ticket_status(v["status"], v["outlet_code"]).value, v["number"])
            for v, current in updates
            if v["status"] != current["status"]
        ],
    )


# calls ------------------------------------------------------------------------------------------


def _call_params(v: Values, agents: dict[Any, int]) -> tuple[Any, ...]:
    return (
        DIRECTION_FROM_BUNDLE[v["direction"]],
        v["caller_phone"] or "",
        agents[v["agent_code"]],
        v["received_at"],
        v["answered_at"],
        v["ended_at"],
    )


async def load_calls(
    inserts: Sequence[Values], updates: Sequence[tuple[Values, Values]], origin: str
) -> None:
    """Insert new calls, apply corrections, and link each call to its ticket (`ticket.call`)."""
    rows = [*inserts, *(values for values, _ in updates)]
    agents = await ids_by("app_user", "username", [v["agent_code"] for v in rows])
    new_ids = await allocate_ids("call", len(inserts))
    await execute_many(
        "INSERT INTO call (id, direction, phone, agent, received_at, answered_at, ended_at, notes, "
        "external_id, origin) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
        [(id_, *_call_params(v, agents), v["id"], origin) for id_, v in zip(new_ids, inserts, strict=True)],
    )
    await execute_many(
        "UPDATE call SET direction = ?, phone = ?, agent = ?, received_at = ?, answered_at = ?, "
        "ended_at = ? WHERE external_id = ?",
        [(*_call_params(v, agents), v["id"]) for v, _ in updates],
    )
    calls = dict(zip([v["id"] for v in inserts], new_ids, strict=True))
    if updates:
        calls.update(await ids_by("call", "external_id", [v["id"] for v, _ in updates]))
    await execute_many(
        "UPDATE ticket SET call = NULL WHERE number = ? AND call = ?",
        [
            (current["ticket_number"], calls[v["id"]])
            for v, current in updates
            if current["ticket_number"] and current["ticket_number"] != v["ticket_number"]
        ],
    )
    links = _pending_calls()
    links.update((v["ticket_number"], calls[v["id"]]) for v in rows if v["ticket_number"])
    if remembered(*_LINKS) is None:  # not within an import: link now
        await link_calls(links)


_LINKS = ("call", "ticket_number")
"""Where an import keeps the calls waiting for their ticket (ticket number → call id)."""


def _pending_calls() -> dict[Any, int]:
    """Calls to link to their ticket: a ticket inserted later takes its call from here (no update)."""
    pending = remembered(*_LINKS)
    return {} if pending is None else pending


async def link_calls(links: dict[Any, int] | None = None) -> None:
    """Link the calls still waiting to their tickets (already stored, or updated by the bundle).

    The history import calls `load_calls` before `load_tickets`, which inserts each new ticket with
    its call; this sets `ticket.call` of the rest once every file is written.
    """
    pending = _pending_calls() if links is None else links
    await execute_many(
        "UPDATE ticket SET call = ? WHERE number = ?", [(call, number) for number, call in pending.items()]
    )
    pending.clear()


# work orders ------------------------------------------------------------------------------------


def _work_order_params(v: Values, ids: dict[str, dict[Any, int]]) -> tuple[Any, ...]:
    cancelled = v["result"] == CANCELLED
    return (
        ids["ticket"][v["ticket_number"]],
        v["kind"],
        v["visit_no"],
        ids["outlet"][v["outlet_code"]],
        ids["technician"][v["technician_code"]],
        work_order_status(v).value,
        v["arrival_due"],
        v["arrived_at"],
        None if cancelled else v["completed_at"],
        v["completed_at"] if cancelled else None,
        None if cancelled else v["result"],
    )


async def load_work_orders(
    inserts: Sequence[Values], updates: Sequence[tuple[Values, Values]], origin: str
) -> None:
    rows = [*inserts, *(values for values, _ in updates)]
    ids = {
        "ticket": await ids_by("ticket", "number", [v["ticket_number"] for v in rows]),
        "outlet": await ids_by("outlet", "code", [v["outlet_code"] for v in rows]),
        "technician": await ids_by("app_user", "username", [v["technician_code"] for v in rows]),
    }
    created = {
        row["id"]: row["created_at"]
        for row in await select_in(
            "SELECT id, created_at FROM ticket WHERE id IN ({values})", ids["ticket"].values()
        )
    }
    await execute_many(
        "INSERT INTO work_order (ticket, kind, visit_no, outlet, technician, status, arrival_due, "
        "arrived_at, completed_at, cancelled_at, result, number, created_at, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                *_work_order_params(v, ids),
                v["number"],
                created[ids["ticket"][v["ticket_number"]]],
                origin,
            )
            for v in inserts
        ],
    )
    await execute_many(
        "UPDATE work_order SET ticket = ?, kind = ?, visit_no = ?, outlet = ?, technician = ?, status = ?, "
        "arrival_due = ?, arrived_at = ?, completed_at = ?, cancelled_at = ?, result = ? WHERE number = ?",
        [(*_work_order_params(v, ids), v["number"]) for v, _ in updates],
    )


# the closing loop -------------------------------------------------------------------------------


def complaint_status(values: Values) -> ComplaintStatus:
    """An imported complaint's status, from its times."""
    if values["resolved_at"] is not None:
        return ComplaintStatus.RESOLVED
    if values["acknowledged_at"] is not None:
        return ComplaintStatus.ACKNOWLEDGED
    return ComplaintStatus.OPEN


async def _tickets_by_number(numbers: Sequence[Any]) -> dict[str, Values]:
    rows = await select_in(
        "SELECT id, number, unit, resolved_at FROM ticket WHERE number IN ({values})", numbers
    )
    return {row["number"]: row for row in rows}


async def load_followups(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Follow-ups by `ticket_number` + `due_at`; one per ticket, so a correction finds it by ticket."""
    rows = [*inserts, *(values for values, _ in updates)]
    tickets = await _tickets_by_number([v["ticket_number"] for v in rows])
    window = (await loop_settings.current()).followup_window

    def created_at(v: Values) -> Any:
        resolved = tickets[v["ticket_number"]]["resolved_at"]
        return resolved if resolved is not None and resolved <= v["due_at"] else v["due_at"] - window

    await execute_many(
        "INSERT INTO followup (done_at, reached, score, comment, ticket, due_at, created_at, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (*_followup_params(v), tickets[v["ticket_number"]]["id"], v["due_at"], created_at(v), origin)
            for v in inserts
        ],
    )
    await execute_many(
        "UPDATE followup SET done_at = ?, reached = ?, score = ?, comment = ? WHERE ticket = ?",
        [(*_followup_params(v), tickets[v["ticket_number"]]["id"]) for v, _ in updates],
    )


def _followup_params(v: Values) -> tuple[Any, ...]:
    return (v["done_at"], v["reached"], v["score"], v["comment"])


async def load_complaints(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Complaints by number; dues from the configured windows, status from the times."""
    rows = [*inserts, *(values for values, _ in updates)]
    ids = {
        "ticket": await ids_by("ticket", "number", [v["ticket_number"] for v in rows]),
        "customer": await ids_by("customer", "code", [v["customer_code"] for v in rows]),
    }
    commitments = await loop_settings.current()

    def dues(v: Values) -> tuple[Any, Any]:
        received = v["received_at"]
        return (received + commitments.complaint_ack_window, received + commitments.complaint_resolve_window)

    author = await import_user_id() if inserts else None
    await execute_many(
        "INSERT INTO complaint (ticket, customer, severity, category, received_at, acknowledged_at, "
        "resolved_at, number, status, ack_due, resolve_due, channel, description, created_by, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
        [
            (
                *_complaint_params(v, ids),
                v["number"],
                complaint_status(v).value,
                *dues(v),
                Channel.OTHER.value,
                author,
                origin,
            )
            for v in inserts
        ],
    )
    await execute_many(
        "UPDATE complaint SET ticket = ?, customer = ?, severity = ?, category = ?, received_at = ?, "
        "acknowledged_at = ?, resolved_at = ? WHERE number = ?",
        [(*_complaint_params(v, ids), v["number"]) for v, _ in updates],
    )
    await execute_many(
        "UPDATE complaint SET ack_due = ?, resolve_due = ? WHERE number = ?",
        [(*dues(v), v["number"]) for v, current in updates if v["received_at"] != current["received_at"]],
    )
    await execute_many(  # the app's later close is kept unless the times say another status
        "UPDATE complaint SET status = ?, closed_at = NULL WHERE number = ?",
        [
            (complaint_status(v).value, v["number"])
            for v, current in updates
            if complaint_status(v) != complaint_status(current)
        ],
    )


def _complaint_params(v: Values, ids: dict[str, dict[Any, int]]) -> tuple[Any, ...]:
    return (
        ids["ticket"].get(v["ticket_number"]),
        ids["customer"][v["customer_code"]],
        v["severity"],
        v["category"],
        v["received_at"],
        v["acknowledged_at"],
        v["resolved_at"],
    )


async def load_guarantee_requests(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """三包 requests by number, for their ticket's unit (the importer checked the ticket has one)."""
    rows = [*inserts, *(values for values, _ in updates)]
    tickets = await _tickets_by_number([v["ticket_number"] for v in rows])

    def params(v: Values) -> tuple[Any, ...]:
        ticket = tickets[v["ticket_number"]]
        return (
            ticket["id"],
            ticket["unit"],
            v["kind"],
            v["requested_at"],
            v["due_at"],
            v["decided_at"],
            v["decision"],
        )

    author = await import_user_id() if inserts else None
    await execute_many(
        "INSERT INTO guarantee_request (ticket, unit, kind, requested_at, due_at, decided_at, decision, "
        "number, created_by, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*params(v), v["number"], author, origin) for v in inserts],
    )
    await execute_many(
        "UPDATE guarantee_request SET ticket = ?, unit = ?, kind = ?, requested_at = ?, due_at = ?, "
        "decided_at = ?, decision = ? WHERE number = ?",
        [(*params(v), v["number"]) for v, _ in updates],
    )


def _corrective_action_params(v: Values) -> tuple[Any, ...]:
    return (v["source"], v["description"], v["opened_on"], v["due_on"], v["closed_on"])


async def load_corrective_actions(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Corrective actions by number, owned by the history-import user; effectiveness unknown."""
    author = await import_user_id() if inserts else None
    await execute_many(
        "INSERT INTO corrective_action (source, description, opened_on, due_on, closed_on, number, "
        "owner, created_by, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*_corrective_action_params(v), v["number"], author, author, origin) for v in inserts],
    )
    await execute_many(
        "UPDATE corrective_action SET source = ?, description = ?, opened_on = ?, due_on = ?, "
        "closed_on = ? WHERE number = ?",
        [(*_corrective_action_params(v), v["number"]) for v, _ in updates],
    )
