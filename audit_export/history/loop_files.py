"""File specs of the closing loop: follow-ups, complaints, 三包 requests, corrective actions.

Each file is written through the tickets domain's bulk loads (`tickets.bulk_load`);
`load_existing` reads back only the bundle's columns, so a re-import of the same bundle finds
nothing changed, and a changed row is a correction. Imported rows carry `origin`
(`import:<bundle sha256>`).

Columns the tables need and the bundle lacks get defaults that claim nothing it does not say;
"the importer" is the history-import user (`service_ops.bulk_load.import_user_id`):

- followups.csv → Followup: `created_at` the ticket's `resolved_at` (when the app opens one) if
  not after `due_at`, else `due_at` minus the configured follow-up window; no agent; a blank
  comment is stored empty. Keyed by `ticket_number` + `due_at` as the contract says, but the table
  holds one follow-up per ticket: a second row for a ticket in the bundle, or a row whose ticket
  already has a stored follow-up due at another time, is an error ("one follow-up per ticket"),
  never a silent replacement. `score` is 1–5; whether the ticket is resolved is not checked
  (history is taken as it was).
- complaints.csv → Complaint: `status` from the times (resolved with `resolved_at`, else
  acknowledged with `acknowledged_at`, else open; a correction changes it, and clears
  `closed_at`, only when the times say another status); `ack_due` / `resolve_due` = `received_at`
  + the configured windows (`tickets.loop_settings`; recomputed only when a correction moves
  `received_at`); channel other (unknown); description empty; no handler, no follow-up link;
  `created_by` the importer. `category` must be one of the app's complaint categories (the
  contract leaves the vocabulary open, as for product models; the register shows only these);
  `ticket_number` may be blank.
- guarantee_requests.csv → GuaranteeRequest: the unit is the ticket's (so `ticket_number` is
  required and the ticket, as the bundle or else the database has it, must name a unit); no
  eligible or decision rule, no `decided_by` (unknown), reason empty; `created_by` the importer.
  Checks: `decided_at ≥ requested_at`; a decision needs its time and a decision time its decision
  (no decision = pending); `due_at` is required (the table holds the legal due time and the import
  does not invent one).
- corrective_actions.csv → CorrectiveAction: closed when `closed_on` is set, with `effective`
  unknown (NULL) and no closure note or effectiveness check; no complaint link; owner and
  `created_by` the importer. `description` is required (the app never holds an action without
  one); the order of the dates is not checked (the contract does not ask for it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from audit_export.history.loaders import bulk_write
from audit_export.history.service_files import _not_before
from audit_export.history.spec import (
    Column,
    FileSpec,
    Key,
    Problem,
    Reference,
    Row,
    RowProblems,
    Values,
    register_file_spec,
)
from service_ops import clock
from service_ops.bulk import select_in
from service_ops.errors import N_
from tickets import bulk_load as tickets_load
from tickets.choices import CapaSource, ComplaintCategory, ComplaintSeverity, GuaranteeKind
from tickets.guarantee_rules import GuaranteeDecision

FOLLOWUPS = "followups.csv"
GUARANTEES = "guarantee_requests.csv"


# followups.csv ----------------------------------------------------------------------------------


async def _stored_followups(ticket_numbers: Sequence[Any]) -> list[Values]:
    return await select_in(
        "SELECT t.number AS ticket_number, f.due_at, f.done_at, f.reached, f.score, f.comment "
        "FROM followup f JOIN ticket t ON t.id = f.ticket WHERE t.number IN ({values})",
        ticket_numbers,
    )


async def _existing_followups(keys: Sequence[Key]) -> dict[Key, Values]:
    wanted = set(keys)
    stored = await _stored_followups([key[0] for key in keys])
    found = {(row["ticket_number"], row["due_at"]): row for row in stored}
    return {key: row for key, row in found.items() if key in wanted}


async def _one_followup_per_ticket(rows: list[Row], _plan: Any) -> list[Problem]:
    """The table holds one follow-up per ticket: another due time for the same ticket is an error."""
    stored = {
        row["ticket_number"]: row["due_at"]
        for row in await _stored_followups([row.values["ticket_number"] for row in rows])
    }
    first: dict[str, Row] = {}
    problems = []
    for row in rows:
        ticket, due_at = row.values["ticket_number"], row.values["due_at"]
        if ticket in stored and stored[ticket] != due_at:
            message = N_("One follow-up per ticket: ticket {ticket} already has one, due {due_at}.")
            params = {"ticket": ticket, "due_at": stored[ticket].astimezone(clock.org_zone()).isoformat()}
        elif ticket in first:
            message = N_("One follow-up per ticket: ticket {ticket} has one on line {line} already.")
            params = {"ticket": ticket, "line": first[ticket].line}
        else:
            first[ticket] = row
            continue
        problems.append(Problem(FOLLOWUPS, row.line, "due_at", message, params))
    return problems


register_file_spec(
    FileSpec(
        name=FOLLOWUPS,
        columns=(
            Column("ticket_number", required=True, max_length=32),
            Column("due_at", "ts", required=True),
            Column("done_at", "ts"),
            Column("reached", "bool"),
            Column("score", "int", minimum=1, maximum=5),
            Column("comment", default=""),
        ),
        key=("ticket_number", "due_at"),
        load_existing=_existing_followups,
        table="followup",
        write=bulk_write(tickets_load.load_followups),
        references=(Reference("ticket_number", "tickets.csv"),),
        validate_file=_one_followup_per_ticket,
    )
)


# complaints.csv ---------------------------------------------------------------------------------


async def _existing_complaints(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await select_in(
        "SELECT c.number, t.number AS ticket_number, cu.code AS customer_code, c.received_at, "
        "c.acknowledged_at, c.resolved_at, c.severity, c.category FROM complaint c "
        "JOIN customer cu ON cu.id = c.customer LEFT JOIN ticket t ON t.id = c.ticket "
        "WHERE c.number IN ({values})",
        [key[0] for key in keys],
    )
    return {(row["number"],): row for row in rows}


register_file_spec(
    FileSpec(
        name="complaints.csv",
        columns=(
            Column("number", required=True, max_length=32),
            Column("ticket_number", max_length=32),
            Column("customer_code", required=True, max_length=40),
            Column("received_at", "ts", required=True),
            Column("acknowledged_at", "ts"),
            Column("resolved_at", "ts"),
            Column("severity", required=True, choices=tuple(ComplaintSeverity)),
            Column("category", required=True, choices=tuple(ComplaintCategory)),
        ),
        key=("number",),
        load_existing=_existing_complaints,
        write=bulk_write(tickets_load.load_complaints),
        references=(
            Reference("ticket_number", "tickets.csv"),
            Reference("customer_code", "customers.csv"),
        ),
    )
)


# guarantee_requests.csv -------------------------------------------------------------------------


async def _existing_guarantee_requests(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await select_in(
        "SELECT g.number, t.number AS ticket_number, g.kind, g.requested_at, g.due_at, g.decided_at, "
        "g.decision FROM guarantee_request g LEFT JOIN ticket t ON t.id = g.ticket "
        "WHERE g.number IN ({values})",
        [key[0] for key in keys],
    )
    return {(row["number"],): row for row in rows}


def _check_guarantee_request(values: Values) -> RowProblems:
    yield from _not_before(values, "decided_at", "requested_at")
    if values["decision"] is not None and values["decided_at"] is None:
        yield "decided_at", N_("A decision needs the time it was made."), {}
    if values["decision"] is None and values["decided_at"] is not None:
        yield "decision", N_("A decided request needs its decision (granted or refused)."), {}


async def _tickets_have_units(rows: list[Row], plan: Any) -> list[Problem]:
    """A 三包 request is about a unit: its ticket names one (the bundle's tickets.csv row wins over stored).

    The plan's rows of tickets.csv are used when it still holds them; a plan that streams the files
    has written them already, so the database answers then.
    """
    stored = await select_in(
        "SELECT number, unit FROM ticket WHERE number IN ({values})",
        {row.values["ticket_number"] for row in rows},
    )
    has_unit = {row["number"]: row["unit"] is not None for row in stored}
    for ticket in getattr(plan, "rows", {}).get("tickets.csv", []):
        has_unit[ticket.values["number"]] = ticket.values["serial_no"] is not None
    return [
        Problem(
            GUARANTEES,
            row.line,
            "ticket_number",
            N_("Ticket {ticket} names no unit (serial_no); a 三包 request needs one."),
            {"ticket": row.values["ticket_number"]},
        )
        for row in rows
        if has_unit.get(row.values["ticket_number"]) is False
    ]


register_file_spec(
    FileSpec(
        name=GUARANTEES,
        columns=(
            Column("number", required=True, max_length=32),
            Column("ticket_number", required=True, max_length=32),
            Column("kind", required=True, choices=tuple(GuaranteeKind)),
            Column("requested_at", "ts", required=True),
            Column("due_at", "ts", required=True),
            Column("decided_at", "ts"),
            Column("decision", choices=tuple(GuaranteeDecision)),
        ),
        key=("number",),
        load_existing=_existing_guarantee_requests,
        write=bulk_write(tickets_load.load_guarantee_requests),
        references=(Reference("ticket_number", "tickets.csv"),),
        validate_row=_check_guarantee_request,
        validate_file=_tickets_have_units,
    )
)


# corrective_actions.csv -------------------------------------------------------------------------


async def _existing_corrective_actions(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await select_in(
        "SELECT number, source, opened_on, due_on, closed_on, description FROM corrective_action "
        "WHERE number IN ({values})",
        [key[0] for key in keys],
    )
    return {(row["number"],): row for row in rows}


register_file_spec(
    FileSpec(
        name="corrective_actions.csv",
        columns=(
            Column("number", required=True, max_length=32),
            Column("source", required=True, choices=tuple(CapaSource)),
            Column("opened_on", "date", required=True),
            Column("due_on", "date", required=True),
            Column("closed_on", "date"),
            Column("description", required=True, max_length=4000),
        ),
        key=("number",),
        load_existing=_existing_corrective_actions,
        write=bulk_write(tickets_load.load_corrective_actions),
    )
)
