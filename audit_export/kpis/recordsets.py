"""One SQL "record set" per KPI: the records behind it, each flagged for the figure.

Every record set is a SELECT with the same leading columns, then the KPI's own display columns:
- `k`: a stable unique integer key (keyset pagination, deterministic order);
- `den`: 1 when the record is in the denominator; `cnt`: 1 when it is counted in the numerator;
- `amt` / `damt`: the amount the numerator / denominator sums (scores, hours, fen), else NULL;
- `outlet_id`, `region_id`, `category`: the record's dimensions (NULL when it has none).
The engine aggregates it (SUM/COUNT, GROUP BY a dimension) for figures and the drill-down lists
it, so a figure and its records cannot disagree. The rules are those of kpis.md; each builder's
docstring says which records it keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from audit_export.kpis.sql import DAY_US, HOUR_US, SECOND_US, Ctx
from audit_export.period import Period


@dataclass(frozen=True)
class RecordSet:
    sql: str
    columns: tuple[str, ...]


TICKET_DIMS = "t.outlet AS outlet_id, t.region AS region_id, pm.category AS category"
TICKET_JOINS = "LEFT JOIN unit un ON un.id = t.unit LEFT JOIN product_model pm ON pm.id = un.model"
NO_DIMS = (
    "CAST(NULL AS INTEGER) AS outlet_id, CAST(NULL AS INTEGER) AS region_id, "
    "CAST(NULL AS VARCHAR) AS category"
)
NO_AMOUNTS = "CAST(NULL AS INTEGER) AS amt, CAST(NULL AS INTEGER) AS damt"
REPAIR = "'repair'"
LIVE_ORDER = "w.status <> 'cancelled' AND COALESCE(w.result, '') <> 'cancelled'"


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _live_ticket(ctx: Ctx, alias: str = "t") -> str:
    """Not cancelled and created by as_of (kpis.md: cancelled tickets count nowhere)."""
    return f"{alias}.status <> 'cancelled' AND {alias}.created_at <= {ctx.asof}"


def _commitment(ctx: Ctx, due: str, done: str) -> tuple[str, str]:
    """(WHERE, cnt) of a timestamp commitment counted in the period its due falls in.

    On time: done ≤ due; late: done > due, or not done and due < as_of; not done and due ≥ as_of
    is left out. A done time after as_of is blank; a blank due never falls in the period.
    """
    where = f"{ctx.in_period(due)} AND ({ctx.happened(done)} OR {due} < {ctx.asof})"
    counted = _flag(f"{ctx.happened(done)} AND {done} <= {due}")
    return where, counted


def _window(ctx: Ctx, start: str, window_us: int, met: str) -> tuple[str, str]:
    """(WHERE, cnt) of a window `[start, start + window]`: met counts; unmet counts once closed."""
    return f"({ctx.closed(start, window_us)} OR ({met}))", _flag(met)


def _ticket_commitment(ctx: Ctx, due: str, done: str) -> RecordSet:
    where, counted = _commitment(ctx, f"t.{due}", f"t.{done}")
    return RecordSet(
        f"SELECT t.id AS k, 1 AS den, {counted} AS cnt, {NO_AMOUNTS}, {TICKET_DIMS}, "
        f"t.number AS ticket_number, t.created_at AS created_at, t.{due} AS due, t.{done} AS done "
        f"FROM ticket t {TICKET_JOINS} WHERE {_live_ticket(ctx)} AND {where}",
        ("ticket_number", "created_at", "due", "done"),
    )


# Hotline ----------------------------------------------------------------------------------------

CALL_COLUMNS = ("call_id", "received_at", "answered_at")


def _calls(ctx: Ctx, where: str, counted: str) -> RecordSet:
    return RecordSet(
        f"SELECT c.id AS k, 1 AS den, {counted} AS cnt, {NO_AMOUNTS}, {NO_DIMS}, c.id AS call_id, "
        f'c.received_at AS received_at, c.answered_at AS answered_at FROM "call" c '
        f"WHERE c.direction = 'inbound' AND {ctx.in_period('c.received_at')} "
        f"AND c.received_at <= {ctx.asof}{where}",
        CALL_COLUMNS,
    )


def hotline_answer_rate(ctx: Ctx) -> RecordSet:
    return _calls(ctx, "", _flag(ctx.happened("c.answered_at")))


def hotline_service_level_20s(ctx: Ctx) -> RecordSet:
    """A window like any other: an unanswered call is undecided until 20 s after it came in."""
    met = (
        f"{ctx.happened('c.answered_at')} AND {ctx.within('c.received_at', 'c.answered_at', 20 * SECOND_US)}"
    )
    where, counted = _window(ctx, "c.received_at", 20 * SECOND_US, met)
    return _calls(ctx, f" AND {where}", counted)


# Commitments ------------------------------------------------------------------------------------


def response_on_time_rate(ctx: Ctx) -> RecordSet:
    return _ticket_commitment(ctx, "response_due", "first_response_at")


def resolution_on_time_rate(ctx: Ctx) -> RecordSet:
    return _ticket_commitment(ctx, "resolve_due", "resolved_at")


def arrival_on_time_rate(ctx: Ctx) -> RecordSet:
    """Visit-1 work orders, by their own outlet; cancelled orders or tickets are left out."""
    where, counted = _commitment(ctx, "w.arrival_due", "w.arrived_at")
    return RecordSet(
        f"SELECT w.id AS k, 1 AS den, {counted} AS cnt, {NO_AMOUNTS}, w.outlet AS outlet_id, "
        "t.region AS region_id, pm.category AS category, w.number AS work_order_number, "
        "t.number AS ticket_number, w.arrival_due AS due, w.arrived_at AS done "
        f"FROM work_order w JOIN ticket t ON t.id = w.ticket {TICKET_JOINS} "
        f"WHERE w.visit_no = 1 AND {LIVE_ORDER} AND {_live_ticket(ctx)} AND {where}",
        ("work_order_number", "ticket_number", "due", "done"),
    )


def capa_on_time_rate(ctx: Ctx) -> RecordSet:
    """Dates compare as dates; a closing date after the local date of as_of is blank."""
    closed = f"a.closed_on <= {ctx.asof_day}"
    return RecordSet(
        f"SELECT a.id AS k, 1 AS den, {_flag(f'{closed} AND a.closed_on <= a.due_on')} AS cnt, "
        f"{NO_AMOUNTS}, {NO_DIMS}, a.number AS action_number, a.opened_on AS opened_on, "
        "a.due_on AS due, a.closed_on AS done FROM corrective_action a "
        f"WHERE a.opened_on <= {ctx.asof_day} AND a.due_on >= {ctx.first_day} "
        f"AND a.due_on <= {ctx.last_day} AND ({closed} OR a.due_on < {ctx.asof_day})",
        ("action_number", "opened_on", "due", "done"),
    )


def guarantee_decision_on_time_rate(ctx: Ctx) -> RecordSet:
    """三包 requests count whatever their ticket's status; outlet and region via the ticket."""
    where, counted = _commitment(ctx, "g.due_at", "g.decided_at")
    return RecordSet(
        f"SELECT g.id AS k, 1 AS den, {counted} AS cnt, {NO_AMOUNTS}, t.outlet AS outlet_id, "
        "t.region AS region_id, pm.category AS category, g.number AS request_number, "
        "g.requested_at AS requested_at, g.due_at AS due, g.decided_at AS done "
        "FROM guarantee_request g LEFT JOIN ticket t ON t.id = g.ticket "
        "LEFT JOIN unit un ON un.id = g.unit LEFT JOIN product_model pm ON pm.id = un.model "
        f"WHERE g.kind IN ('repair', 'replace', 'refund') AND g.requested_at <= {ctx.asof} AND {where}",
        ("request_number", "requested_at", "due", "done"),
    )


# Repair and installation quality ------------------------------------------------------------------


def _resolved(ctx: Ctx, kinds: str, alias: str = "t") -> str:
    """Live tickets of `kinds` resolved in P (a resolution after as_of has not happened)."""
    resolved = f"{alias}.resolved_at"
    return (
        f"{alias}.kind IN ({kinds}) AND {_live_ticket(ctx, alias)} AND {ctx.in_period(resolved)} "
        f"AND {ctx.happened(resolved)}"
    )


def _resolved_tickets(ctx: Ctx, kinds: str, counted: str, extra: str = "", join: str = "") -> RecordSet:
    return RecordSet(
        f"SELECT t.id AS k, 1 AS den, {counted} AS cnt, {NO_AMOUNTS}, {TICKET_DIMS}, "
        "t.number AS ticket_number, un.serial_number AS serial_number, t.created_at AS created_at, "
        f"t.resolved_at AS resolved_at FROM ticket t {TICKET_JOINS}{join} "
        f"WHERE {_resolved(ctx, kinds)}{extra}",
        ("ticket_number", "serial_number", "created_at", "resolved_at"),
    )


def first_time_fix_rate(ctx: Ctx) -> RecordSet:
    """Exactly one live work order arrived (any visit_no), and its known result is `fixed`."""
    fixed = _flag(f"w.result = 'fixed' AND {ctx.happened('w.completed_at')}")
    # The arrived orders per ticket, counted by one grouped join. Not narrowed to the period's
    # tickets by a join inside: on PostgreSQL that inner join was re-run by every parallel worker
    # (1.1 s vs 0.73 s for a year of 1M tickets; a month costs 0.63 s instead of 0.43 s).
    arrived = (
        f" LEFT JOIN (SELECT w.ticket, COUNT(*) AS arrived, MAX({fixed}) AS fixed FROM work_order w "
        f"WHERE {LIVE_ORDER} AND {ctx.happened('w.arrived_at')} GROUP BY w.ticket) wo ON wo.ticket = t.id"
    )
    return _resolved_tickets(ctx, REPAIR, _flag("wo.arrived = 1 AND wo.fixed = 1"), join=arrived)


def repeat_repair_rate_30d(ctx: Ctx) -> RecordSet:
    """Same unit (= serial number) repaired again in (resolved_at, resolved_at + 30 days]."""
    # The first later repair of the unit, found by one grouped join (not a lookup per ticket).
    following = (
        " LEFT JOIN (SELECT b.id AS ticket, MIN(r.created_at) AS created_at FROM ticket b "
        "JOIN ticket r ON r.unit = b.unit AND r.id <> b.id AND r.created_at > b.resolved_at "
        f"WHERE {_resolved(ctx, REPAIR, 'b')} AND r.kind = 'repair' AND {_live_ticket(ctx, 'r')} "
        "GROUP BY b.id) nx ON nx.ticket = t.id"
    )
    repeat = f"nx.created_at IS NOT NULL AND {ctx.within('t.resolved_at', 'nx.created_at', 30 * DAY_US)}"
    where, counted = _window(ctx, "t.resolved_at", 30 * DAY_US, repeat)
    return _resolved_tickets(ctx, REPAIR, counted, f" AND t.unit IS NOT NULL AND {where}", following)


def install_first_pass_rate(ctx: Ctx) -> RecordSet:
    """The live visit-1 order's known result is `installed`; none (or cancelled): not passed."""
    # At most one live visit 1 per ticket (unique index work_order_live_visit), so a LEFT JOIN
    # counts each ticket once; a correlated EXISTS in the select list ran once per ticket.
    passed = (
        f" LEFT JOIN work_order w ON w.ticket = t.id AND w.visit_no = 1 AND {LIVE_ORDER} "
        f"AND w.result = 'installed' AND {ctx.happened('w.completed_at')}"
    )
    return _resolved_tickets(ctx, "'install'", _flag("w.id IS NOT NULL"), join=passed)


# Customer ---------------------------------------------------------------------------------------


def followup_coverage_7d(ctx: Ctx) -> RecordSet:
    """A ticket has one follow-up at most (unique), so it is joined, not looked up."""
    met = (
        f"f.reached = TRUE AND {ctx.happened('f.done_at')} AND f.done_at >= t.resolved_at "
        f"AND {ctx.within('t.resolved_at', 'f.done_at', 7 * DAY_US)}"
    )
    where, counted = _window(ctx, "t.resolved_at", 7 * DAY_US, met)
    kinds = "'install', 'repair', 'maintenance'"
    return _resolved_tickets(ctx, kinds, counted, f" AND {where}", " LEFT JOIN followup f ON f.ticket = t.id")


def _scored_followups(ctx: Ctx, counted: str, amount: str) -> RecordSet:
    """Follow-ups done in P with a score 1–5, whatever `reached` or their ticket's status say."""
    return RecordSet(
        f"SELECT f.id AS k, 1 AS den, {counted} AS cnt, {amount} AS amt, CAST(NULL AS INTEGER) AS damt, "
        f"{TICKET_DIMS}, t.number AS ticket_number, f.done_at AS done_at, f.score AS score "
        f"FROM followup f JOIN ticket t ON t.id = f.ticket {TICKET_JOINS} "
        f"WHERE {ctx.in_period('f.done_at')} AND {ctx.happened('f.done_at')} AND f.score BETWEEN 1 AND 5",
        ("ticket_number", "done_at", "score"),
    )


def csat_satisfied_rate(ctx: Ctx) -> RecordSet:
    return _scored_followups(ctx, _flag("f.score >= 4"), "CAST(NULL AS INTEGER)")


def csat_mean(ctx: Ctx) -> RecordSet:
    return _scored_followups(ctx, "1", "f.score")


def _complaints(ctx: Ctx, done: str, window_us: int) -> RecordSet:
    """Complaints received in P; `done` within the window, undecided ones left out."""
    met = f"{ctx.happened(done)} AND {ctx.within('p.received_at', done, window_us)}"
    where, counted = _window(ctx, "p.received_at", window_us, met)
    return RecordSet(
        f"SELECT p.id AS k, 1 AS den, {counted} AS cnt, {NO_AMOUNTS}, {TICKET_DIMS}, "
        f"p.number AS complaint_number, p.received_at AS received_at, {done} AS done "
        f"FROM complaint p LEFT JOIN ticket t ON t.id = p.ticket {TICKET_JOINS} "
        f"WHERE {ctx.in_period('p.received_at')} AND p.received_at <= {ctx.asof} AND {where}",
        ("complaint_number", "received_at", "done"),
    )


def complaint_ack_2h_rate(ctx: Ctx) -> RecordSet:
    return _complaints(ctx, "p.acknowledged_at", 2 * HOUR_US)


def complaint_resolved_24h_rate(ctx: Ctx) -> RecordSet:
    return _complaints(ctx, "p.resolved_at", 24 * HOUR_US)


def complaints_per_1000_tickets(ctx: Ctx) -> RecordSet:
    """Two kinds of record: tickets created in P (denominator), complaints received in P (numerator).

    Keys interleave (2·id for tickets, 2·id + 1 for complaints) so the order stays stable."""
    return RecordSet(
        f"SELECT 2 * t.id AS k, 1 AS den, 0 AS cnt, {NO_AMOUNTS}, {TICKET_DIMS}, 'ticket' AS record, "
        f"t.number AS number, t.created_at AS happened_at FROM ticket t {TICKET_JOINS} "
        f"WHERE {_live_ticket(ctx)} AND {ctx.in_period('t.created_at')} "
        f"UNION ALL SELECT 2 * p.id + 1 AS k, 0 AS den, 1 AS cnt, {NO_AMOUNTS}, {TICKET_DIMS}, "
        "'complaint' AS record, p.number AS number, p.received_at AS happened_at "
        f"FROM complaint p LEFT JOIN ticket t ON t.id = p.ticket {TICKET_JOINS} "
        f"WHERE {ctx.in_period('p.received_at')} AND p.received_at <= {ctx.asof}",
        ("record", "number", "happened_at"),
    )


# People -----------------------------------------------------------------------------------------


def _valid_certificate(ctx: Ctx, course: str) -> str:
    """Valid on last_day: issued by then (and not after as_of), not expired before it."""
    return (
        f'EXISTS (SELECT 1 FROM certificate c WHERE c."user" = u.id AND c.course = {course} '
        f"AND c.issued_on <= {ctx.last_day} AND c.issued_on <= {ctx.asof_day} "
        f"AND (c.expires_on IS NULL OR c.expires_on >= {ctx.last_day}))"
    )


def _attended(ctx: Ctx) -> str:
    return (
        'FROM attendance a JOIN training_session s ON s.id = a."session" WHERE a."user" = u.id '
        f"AND a.attended = TRUE AND {ctx.in_period('s.starts_at')} AND {ctx.happened('s.starts_at')}"
    )


def _staff(ctx: Ctx, counted: str, where: str = "", amount: str = "CAST(NULL AS INTEGER)") -> RecordSet:
    """Staff active on last_day (a hire after as_of has not happened, a leaving after it is blank),
    by the outlet of the membership they hold on last_day (the latest one if several)."""
    last = ctx.last_day
    outlet = (
        f'(SELECT m.outlet FROM outlet_membership m WHERE m."user" = u.id AND m.since <= {last} '
        f"AND (m.until IS NULL OR m.until >= {last}) ORDER BY m.since DESC, m.id DESC LIMIT 1)"
    )
    return RecordSet(
        f"SELECT u.id AS k, 1 AS den, {counted} AS cnt, {amount} AS amt, CAST(NULL AS INTEGER) AS damt, "
        f"{outlet} AS outlet_id, CAST(NULL AS INTEGER) AS region_id, CAST(NULL AS VARCHAR) AS category, "
        "u.username AS username, u.role AS role, u.hired_on AS hired_on, u.left_on AS left_on "
        f"FROM app_user u WHERE u.hired_on <= {last} AND u.hired_on <= {ctx.asof_day} "
        f"AND (u.left_on IS NULL OR u.left_on > {last} OR u.left_on > {ctx.asof_day}){where}",
        ("username", "role", "hired_on", "left_on"),
    )


def certified_staff_rate(ctx: Ctx) -> RecordSet:
    required = 'FROM course_role cr WHERE cr."role" = u.role'
    every = f"NOT EXISTS (SELECT 1 {required} AND NOT {_valid_certificate(ctx, 'cr.course')})"
    return _staff(ctx, _flag(every), f" AND EXISTS (SELECT 1 {required})")


def service_manager_ratio(ctx: Ctx) -> RecordSet:
    holds = (
        "EXISTS (SELECT 1 FROM course sc WHERE sc.is_service_manager_cert = TRUE "
        f"AND {_valid_certificate(ctx, 'sc.id')})"
    )
    return _staff(ctx, _flag(holds), " AND u.is_management = TRUE")


def training_hours_per_staff(ctx: Ctx) -> RecordSet:
    hours = f"(SELECT COALESCE(SUM(s.hours), 0) {_attended(ctx)})"
    return _staff(ctx, _flag(f"EXISTS (SELECT 1 {_attended(ctx)})"), amount=hours)


def training_coverage_rate(ctx: Ctx) -> RecordSet:
    return _staff(ctx, _flag(f"EXISTS (SELECT 1 {_attended(ctx)})"))


# Network and money ------------------------------------------------------------------------------


def outlet_coverage_rate(ctx: Ctx) -> RecordSet:
    """Sales regions covered by an active outlet listing the region or one of its ancestors.

    Walked downwards: the regions the active outlets list, then their descendants (UNION keeps each
    region once), joined to the sales regions: one pass, not an ancestry lookup per region."""
    active = (
        "o.is_active = TRUE AND (o.kind <> 'authorised' OR o.agreement_expires IS NULL "
        f"OR o.agreement_expires >= {ctx.last_day})"
    )
    return RecordSet(
        "SELECT * FROM (WITH RECURSIVE covered (id) AS ("
        f"SELECT oc.region FROM outlet_coverage oc JOIN outlet o ON o.id = oc.outlet WHERE {active} "
        "UNION SELECT g.id FROM region g JOIN covered cv ON g.parent = cv.id) "
        f"SELECT r.id AS k, 1 AS den, {_flag('cv.id IS NOT NULL')} AS cnt, {NO_AMOUNTS}, {NO_DIMS}, "
        "r.code AS region_code, r.name AS region_name FROM region r LEFT JOIN covered cv ON cv.id = r.id "
        "WHERE r.is_sales_region = TRUE) covered_regions",
        ("region_code", "region_name"),
    )


def _fund(ctx: Ctx, den: str, cnt: str, amount: str, damount: str, where: str) -> RecordSet:
    """Fund entries posted by the local date of as_of; reversals are entries with the opposite sign."""
    return RecordSet(
        f"SELECT e.id AS k, {den} AS den, {cnt} AS cnt, {amount} AS amt, {damount} AS damt, {NO_DIMS}, "
        "e.number AS entry_number, e.posted_on AS posted_on, e.kind AS entry_kind, "
        "e.amount_fen AS amount_fen "
        f"FROM fund_entry e WHERE e.posted_on <= {ctx.asof_day} AND {where}",
        ("entry_number", "posted_on", "entry_kind", "amount_fen"),
    )


def fund_utilisation(ctx: Ctx) -> RecordSet:
    """Budget entries are the denominator's records, expense entries the numerator's."""
    return _fund(
        ctx,
        _flag("e.kind = 'budget'"),
        _flag("e.kind = 'expense'"),
        "CASE WHEN e.kind = 'expense' THEN e.amount_fen ELSE 0 END",
        "CASE WHEN e.kind = 'budget' THEN e.amount_fen ELSE 0 END",
        f"e.kind IN ('budget', 'expense') AND e.posted_on >= {ctx.first_day} "
        f"AND e.posted_on <= {ctx.last_day}",
    )


def fund_reserve_balance(ctx: Ctx) -> RecordSet:
    """Every reserve entry posted before `to` (deposits positive, draws negative); no denominator."""
    return _fund(ctx, "0", "1", "e.amount_fen", "0", f"e.kind = 'reserve' AND e.posted_on <= {ctx.last_day}")


BUILDERS: dict[str, Callable[[Ctx], RecordSet]] = {
    "hotline_answer_rate": hotline_answer_rate,
    "hotline_service_level_20s": hotline_service_level_20s,
    "response_on_time_rate": response_on_time_rate,
    "arrival_on_time_rate": arrival_on_time_rate,
    "resolution_on_time_rate": resolution_on_time_rate,
    "capa_on_time_rate": capa_on_time_rate,
    "guarantee_decision_on_time_rate": guarantee_decision_on_time_rate,
    "first_time_fix_rate": first_time_fix_rate,
    "repeat_repair_rate_30d": repeat_repair_rate_30d,
    "install_first_pass_rate": install_first_pass_rate,
    "followup_coverage_7d": followup_coverage_7d,
    "csat_satisfied_rate": csat_satisfied_rate,
    "csat_mean": csat_mean,
    "complaint_ack_2h_rate": complaint_ack_2h_rate,
    "complaint_resolved_24h_rate": complaint_resolved_24h_rate,
    "complaints_per_1000_tickets": complaints_per_1000_tickets,
    "certified_staff_rate": certified_staff_rate,
    "service_manager_ratio": service_manager_ratio,
    "training_hours_per_staff": training_hours_per_staff,
    "training_coverage_rate": training_coverage_rate,
    "outlet_coverage_rate": outlet_coverage_rate,
    "fund_utilisation": fund_utilisation,
    "fund_reserve_balance": fund_reserve_balance,
}


@cache
def columns_of(code: str) -> tuple[str, ...]:
    """The display columns of a KPI's record set (they do not depend on the period; cached: the
    drill-down asks once per record it lists)."""
    probe = Ctx(Period(date(2000, 1, 1), date(2000, 1, 2)), datetime(2000, 1, 2, tzinfo=UTC), postgres=False)
    return BUILDERS[code](probe).columns
