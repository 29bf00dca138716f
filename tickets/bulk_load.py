"""Bulk loading of imported history into the tickets domain: calls, tickets, work orders.

The history importer (audit_export.history.service_files) calls these inside its unit of work
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
password, made on first use; see `import_user_id`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service_ops import clock
from service_ops.bulk import execute_many, ids_by, select_in
from service_ops.choices import Role
from tickets.choices import Channel, TicketStatus, WorkOrderStatus

Values = dict[str, Any]
Updates = Sequence[tuple[Values, Values]]  # (the bundle's values, the current ones)

IMPORT_USERNAME = "history-import"
UNUSABLE_PASSWORD = "!"

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


async def import_user_id() -> int:
    """The account imported records name as their author (made inactive on first use)."""
    found = await ids_by("app_user", "username", [IMPORT_USERNAME])
    if IMPORT_USERNAME not in found:
        await execute_many(
            "INSERT INTO app_user (display_name, role, is_management, is_active, username, "
            "password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    "History import",
                    Role.AUDITOR.value,
                    False,
                    False,
                    IMPORT_USERNAME,
                    UNUSABLE_PASSWORD,
                    clock.now(),
                )
            ],
        )
        found = await ids_by("app_user", "username", [IMPORT_USERNAME])
    return found[IMPORT_USERNAME]


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
    await execute_many(
        "INSERT INTO ticket (kind, channel, customer, unit, region, created_at, response_due, "
        "first_response_at, resolve_due, resolved_at, cancelled_at, outlet, number, status, priority, "
        "description, created_by, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "'normal', '', ?, ?)",
        [
            (
                *_ticket_params(v, ids),
                v["number"],
                ticket_status(v["status"], v["outlet_code"]).value,
                author,
                origin,
            )
            for v in inserts
        ],
    )
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
    await execute_many(
        "INSERT INTO call (direction, phone, agent, received_at, answered_at, ended_at, notes, "
        "external_id, origin) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?)",
        [(*_call_params(v, agents), v["id"], origin) for v in inserts],
    )
    await execute_many(
        "UPDATE call SET direction = ?, phone = ?, agent = ?, received_at = ?, answered_at = ?, "
        "ended_at = ? WHERE external_id = ?",
        [(*_call_params(v, agents), v["id"]) for v, _ in updates],
    )
    calls = await ids_by("call", "external_id", [v["id"] for v in rows])
    await execute_many(
        "UPDATE ticket SET call = NULL WHERE number = ? AND call = ?",
        [
            (current["ticket_number"], calls[v["id"]])
            for v, current in updates
            if current["ticket_number"] and current["ticket_number"] != v["ticket_number"]
        ],
    )
    await execute_many(
        "UPDATE ticket SET call = ? WHERE number = ?",
        [(calls[v["id"]], v["ticket_number"]) for v in rows if v["ticket_number"]],
    )


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
