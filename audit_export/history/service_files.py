"""File specs of the service records of a history bundle: tickets, calls, work orders, the fund.

Each file is written through its domain's bulk-load functions (`tickets.bulk_load`,
`service_ops.fund.bulk_load`), never straight into the domain's tables from here; the reads that
compare a re-import (`load_existing`) and the checks that need the database are here.

Vocabulary: the bundle's values are mapped to the app's by the domain (see the docstring of
`tickets.bulk_load`): tickets channel hotline → phone and other → other; status open → new or
accepted (with an outlet), resolved → resolved, cancelled → cancelled (its `resolved_at` is the
cancel time); calls direction in/out → inbound/outbound; work orders result cancelled → status
cancelled, another result → completed. `load_existing` maps the stored values back, so a
re-import of the same bundle finds nothing changed.

Checks beyond the cell types: the order of times (`answered_at ≥ received_at`, `ended_at ≥
answered_at` or `received_at`, `resolved_at ≥ created_at`, `first_response_at ≥ created_at`,
`completed_at ≥ arrived_at`); a resolved ticket has `resolved_at`, an open one none; a work
order's result fits its kind; among a ticket's non-cancelled work orders (in the bundle and in the
database) `visit_no` is unique. A fund entry is never changed: a bundle that changes an imported
entry is an error (post a reversing entry instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from audit_export.history.loaders import bulk_write, check_serial
from audit_export.history.plan import changed_columns
from audit_export.history.spec import (
    Column,
    FileSpec,
    FileWork,
    Key,
    Problem,
    Reference,
    Row,
    RowProblems,
    Values,
    register_file_spec,
)
from service_ops.bulk import select_in
from service_ops.errors import N_, Invalid
from service_ops.fund import bulk_load as fund_load
from service_ops.fund.choices import EntryKind
from service_ops.validation import normalise_phone
from tickets import bulk_load as tickets_load
from tickets.choices import RESULTS_BY_KIND, TicketKind

CANCELLED = tickets_load.CANCELLED


def _not_before(values: Values, later: str, earlier: str) -> RowProblems:
    if values[later] is not None and values[earlier] is not None and values[later] < values[earlier]:
        yield later, N_("Must not be before {column}."), {"column": earlier}


# tickets.csv ------------------------------------------------------------------------------------


async def _existing_tickets(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await select_in(
        "SELECT t.number, t.kind, t.channel, c.code AS customer_code, u.serial_number AS serial_no, "
        "r.code AS region_code, t.created_at, t.response_due, t.first_response_at, t.resolve_due, "
        "t.resolved_at, t.cancelled_at, o.code AS outlet_code, t.status FROM ticket t "
        "JOIN customer c ON c.id = t.customer JOIN region r ON r.id = t.region "
        "LEFT JOIN unit u ON u.id = t.unit LEFT JOIN outlet o ON o.id = t.outlet "
        "WHERE t.number IN ({values})",
        [key[0] for key in keys],
    )
    found = {}
    for row in rows:
        status = tickets_load.bundle_ticket_status(row["status"])
        cancelled_at = row.pop("cancelled_at")
        row["resolved_at"] = cancelled_at if status == CANCELLED else row["resolved_at"]
        row["status"] = status
        row["channel"] = tickets_load.CHANNEL_TO_BUNDLE.get(row["channel"], "other")
        found[(row["number"],)] = row
    return found


def _check_ticket(values: Values) -> RowProblems:
    yield from check_serial(values, "serial_no")
    yield from _not_before(values, "first_response_at", "created_at")
    yield from _not_before(values, "resolved_at", "created_at")
    if values["status"] == "resolved" and values["resolved_at"] is None:
        yield "resolved_at", N_("A resolved ticket needs the time it was resolved."), {}
    if values["status"] == "open" and values["resolved_at"] is not None:
        yield "resolved_at", N_("An open ticket has no resolution time."), {}


register_file_spec(
    FileSpec(
        name="tickets.csv",
        columns=(
            Column("number", required=True, max_length=32),
            Column("kind", required=True, choices=tuple(TicketKind)),
            Column("channel", required=True, choices=tuple(tickets_load.CHANNEL_FROM_BUNDLE)),
            Column("customer_code", required=True, max_length=40),
            Column("serial_no", max_length=40, case="upper"),
            Column("region_code", required=True, max_length=12),
            Column("created_at", "ts", required=True),
            Column("response_due", "ts"),
            Column("first_response_at", "ts"),
            Column("resolve_due", "ts"),
            Column("resolved_at", "ts"),
            Column("outlet_code", max_length=20),
            Column("status", required=True, choices=("open", "resolved", CANCELLED)),
        ),
        key=("number",),
        load_existing=_existing_tickets,
        table="ticket",
        write=bulk_write(tickets_load.load_tickets),
        references=(
            Reference("customer_code", "customers.csv"),
            Reference("serial_no", "units.csv"),
            Reference("region_code", "regions.csv"),
            Reference("outlet_code", "outlets.csv"),
        ),
        validate_row=_check_ticket,
    )
)


# calls.csv --------------------------------------------------------------------------------------


async def _existing_calls(keys: Sequence[Key]) -> dict[Key, Values]:
    # ticket.call has no index: the tickets of a batch's calls are found with one join (a hash
    # join on PostgreSQL), not one sub-query per call (a scan of every ticket each)
    rows = await select_in(
        "WITH c AS (SELECT id, external_id, direction, received_at, answered_at, ended_at, phone, agent "
        "FROM call WHERE external_id IN ({values})), "
        "linked AS (SELECT t.call, MIN(t.number) AS ticket_number FROM ticket t JOIN c ON c.id = t.call "
        "GROUP BY t.call) "
        "SELECT c.external_id AS id, c.direction, c.received_at, c.answered_at, c.ended_at, "
        "c.phone AS caller_phone, a.username AS agent_code, linked.ticket_number "
        "FROM c JOIN app_user a ON a.id = c.agent LEFT JOIN linked ON linked.call = c.id",
        [key[0] for key in keys],
    )
    for row in rows:
        row["direction"] = tickets_load.DIRECTION_TO_BUNDLE.get(row["direction"], row["direction"])
        row["caller_phone"] = row["caller_phone"] or None
    return {(row["id"],): row for row in rows}


def _check_call(values: Values) -> RowProblems:
    if values["caller_phone"] is not None:
        try:
            values["caller_phone"] = normalise_phone(values["caller_phone"])
        except Invalid as error:
            yield "caller_phone", error.message, {k: v for k, v in error.params.items() if k != "field"}
    yield from _not_before(values, "answered_at", "received_at")
    yield from _not_before(values, "ended_at", "answered_at" if values["answered_at"] else "received_at")


register_file_spec(
    FileSpec(
        name="calls.csv",
        columns=(
            Column("id", required=True, max_length=64),
            Column("direction", required=True, choices=tuple(tickets_load.DIRECTION_FROM_BUNDLE)),
            Column("received_at", "ts", required=True),
            Column("answered_at", "ts"),
            Column("ended_at", "ts"),
            Column("caller_phone", max_length=40),
            Column("agent_code", required=True, max_length=64, case="lower"),
            Column("ticket_number", max_length=32),
        ),
        key=("id",),
        load_existing=_existing_calls,
        table="call",
        write=bulk_write(tickets_load.load_calls),
        # calls come before tickets, so that a new ticket is inserted with its call (no update)
        references=(
            Reference("agent_code", "staff.csv"),
            Reference("ticket_number", "tickets.csv", later=True),
        ),
        finish=tickets_load.link_calls,
        validate_row=_check_call,
    )
)


# work_orders.csv --------------------------------------------------------------------------------


async def _existing_work_orders(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await select_in(
        "SELECT w.number, t.number AS ticket_number, w.kind, o.code AS outlet_code, "
        "u.username AS technician_code, w.visit_no, w.arrival_due, w.arrived_at, w.completed_at, "
        "w.cancelled_at, w.result, w.status FROM work_order w JOIN ticket t ON t.id = w.ticket "
        "JOIN outlet o ON o.id = w.outlet JOIN app_user u ON u.id = w.technician "
        "WHERE w.number IN ({values})",
        [key[0] for key in keys],
    )
    for row in rows:
        cancelled_at = row.pop("cancelled_at")
        if row.pop("status") == CANCELLED:
            row["result"], row["completed_at"] = CANCELLED, cancelled_at
    return {(row["number"],): row for row in rows}


def _check_work_order(values: Values) -> RowProblems:
    yield from _not_before(values, "completed_at", "arrived_at")
    result = values["result"]
    if result not in (None, CANCELLED) and result not in RESULTS_BY_KIND[values["kind"]]:
        yield (
            "result",
            N_("“{value}” is not a result of a {kind} visit."),
            {"value": result, "kind": values["kind"]},
        )


async def _unique_visits(rows: list[Row], _plan: Any) -> list[Problem]:
    """Among a ticket's non-cancelled work orders (bundle and database) each visit_no is once."""
    in_bundle = {row.values["number"] for row in rows}
    taken: dict[tuple[str, int], str] = {}
    for stored in await select_in(
        "SELECT w.number, t.number AS ticket_number, w.visit_no FROM work_order w "
        "JOIN ticket t ON t.id = w.ticket WHERE w.status <> 'cancelled' AND t.number IN ({values})",
        {row.values["ticket_number"] for row in rows},
    ):
        if stored["number"] not in in_bundle:
            taken[(stored["ticket_number"], int(stored["visit_no"]))] = stored["number"]
    problems = []
    for row in rows:
        values = row.values
        if values["result"] == CANCELLED:
            continue
        slot = (values["ticket_number"], values["visit_no"])
        if slot in taken:
            problems.append(
                Problem(
                    "work_orders.csv",
                    row.line,
                    "visit_no",
                    N_("Visit {visit_no} of ticket {ticket} is already work order {other}."),
                    {"visit_no": slot[1], "ticket": slot[0], "other": taken[slot]},
                )
            )
        else:
            taken[slot] = values["number"]
    return problems


register_file_spec(
    FileSpec(
        name="work_orders.csv",
        columns=(
            Column("number", required=True, max_length=40),
            Column("ticket_number", required=True, max_length=32),
            Column("kind", required=True, choices=tuple(RESULTS_BY_KIND)),
            Column("outlet_code", required=True, max_length=20),
            Column("technician_code", required=True, max_length=64, case="lower"),
            Column("visit_no", "int", required=True, minimum=1, maximum=99),
            Column("arrival_due", "ts"),
            Column("arrived_at", "ts"),
            Column("completed_at", "ts"),
            Column(
                "result",
                choices=("fixed", "not_fixed", "installed", "failed", "replaced", "refunded", CANCELLED),
            ),
        ),
        key=("number",),
        load_existing=_existing_work_orders,
        table="work_order",
        write=bulk_write(tickets_load.load_work_orders),
        references=(
            Reference("ticket_number", "tickets.csv"),
            Reference("outlet_code", "outlets.csv"),
            Reference("technician_code", "staff.csv"),
        ),
        validate_row=_check_work_order,
        validate_file=_unique_visits,
    )
)


# fund_entries.csv -------------------------------------------------------------------------------


async def _existing_fund_entries(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await fund_load.imported_entries([key[0] for key in keys])
    return {(row["id"],): row for row in rows}


def _check_fund_entry(values: Values) -> RowProblems:
    if values["amount"] is not None and values["amount"] == 0:
        yield "amount", N_("The amount must not be zero."), {}


async def _unchanged_and_open(rows: list[Row], plan: Any) -> list[Problem]:
    """A fund entry is never changed; none goes into a closed month."""
    existing: dict[Key, Values] = plan.existing["fund_entries.csv"]
    problems = []
    for row in rows:
        current = existing.get((row.values["id"],))
        if current is not None:
            for column in changed_columns(row.values, current):
                problems.append(
                    Problem(
                        "fund_entries.csv",
                        row.line,
                        column,
                        N_("A fund entry is never changed: post a reversing entry instead."),
                    )
                )
    closed = await fund_load.closed_months({row.values["posted_on"] for row in rows})
    for row in rows:
        month = row.values["posted_on"].strftime("%Y-%m")
        if month in closed and (row.values["id"],) not in existing:
            problems.append(
                Problem(
                    "fund_entries.csv",
                    row.line,
                    "posted_on",
                    N_("The period {month} is closed."),
                    {"month": month},
                )
            )
    return problems


async def _write_fund_entries(work: FileWork, origin: str) -> None:
    await fund_load.load_entries([row.values for row in work.inserts], origin)


register_file_spec(
    FileSpec(
        name="fund_entries.csv",
        columns=(
            Column("id", required=True, max_length=64),
            Column("posted_on", "date", required=True),
            Column("kind", required=True, choices=tuple(EntryKind)),
            Column("amount", "money", required=True),
            Column("account", required=True, max_length=32, case="lower"),
            Column("reference", max_length=64),
            Column("memo"),
        ),
        key=("id",),
        load_existing=_existing_fund_entries,
        write=_write_fund_entries,
        validate_row=_check_fund_entry,
        validate_file=_unchanged_and_open,
    )
)
