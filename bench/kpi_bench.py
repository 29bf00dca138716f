"""Issue 6, KPIs: a year of every KPI for the organisation through the engine, beside the same
aggregates written by hand as plain SQL, and the breakdown by outlet.

    .venv/bin/python -m bench.kpi_bench --database-url postgresql://postgres@127.0.0.1:5432/service_ops_bench

Runs in process (the app's modules are imported after `DATABASE_URL` is set, as bench/ranking.py
does). For each of the 23 KPIs it times the statement `compute_kpis` runs (`SELECT SUM(den), SUM(cnt),
SUM(amt), SUM(damt) FROM (<record set>) r`) and its hand-written twin below, interleaved, and checks
that both give the same den / cnt / amt / damt ("same" / "DIFF"). Then `compute_kpis` as a whole
(organisation) and `compute_kpis_by(..., "outlet")` (every outlet). Medians of `--rounds` rounds,
after one unmeasured warm-up. Targets (issue 6): all KPIs < 10 s, within 1.5x of the hand-written
SQL; by outlet (500 outlets) < 20 s. Read-only: it never writes to the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from bench import DEFAULT_DATABASE_URL

TARGET_ORG_S = 10.0
TARGET_OUTLET_S = 20.0
TARGET_RATIO = 1.5

# The hand-written twins: the plain aggregate a developer would write for each KPI of kpis.md (same
# rules, organisation totals, no display columns, no dimension joins). Each gives den, cnt, amt, damt.
LIVE_TICKET = "t.status <> 'cancelled' AND t.created_at <= {asof}"
RESOLVED = LIVE_TICKET + " AND t.resolved_at >= {start} AND t.resolved_at < {end} AND t.resolved_at <= {asof}"
LIVE_ORDER = "w.status <> 'cancelled' AND COALESCE(w.result, '') <> 'cancelled'"
ACTIVE = (
    "u.hired_on <= {last_day} AND u.hired_on <= {asof_day} "
    "AND (u.left_on IS NULL OR u.left_on > {last_day} OR u.left_on > {asof_day})"
)
VALID = (
    "c.issued_on <= {last_day} AND c.issued_on <= {asof_day} "
    "AND (c.expires_on IS NULL OR c.expires_on >= {last_day})"
)
ATTENDED = (
    'SELECT a."user", SUM(s.hours) AS hours FROM attendance a JOIN training_session s ON s.id = a."session" '
    "WHERE a.attended AND s.starts_at >= {start} AND s.starts_at < {end} AND s.starts_at <= {asof} "
    'GROUP BY a."user"'
)
NO_AMT = ", NULL::bigint AS amt, NULL::bigint AS damt"


def _commitment(table: str, due: str, done: str, where: str) -> str:
    return (
        f"SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE {done} <= {{asof}} AND {done} <= {due}) "
        f"AS cnt{NO_AMT} "
        f"FROM {table} WHERE {where} AND {due} >= {{start}} AND {due} < {{end}} "
        f"AND ({done} <= {{asof}} OR {due} < {{asof}})"
    )


def _complaints(done: str, closed: str) -> str:
    met = f"{done} <= {{asof}} AND {done} <= p.received_at + INTERVAL '{closed}'"
    return (
        f"SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE {met}) AS cnt{NO_AMT} FROM complaint p "
        "WHERE p.received_at >= {start} AND p.received_at < {end} AND p.received_at <= {asof} "
        f"AND (p.received_at < {{asof}} - INTERVAL '{closed}' OR ({met}))"
    )


HAND_WRITTEN = {
    "hotline_answer_rate": (
        f"SELECT COUNT(*) AS den, COUNT(answered_at) FILTER (WHERE answered_at <= {{asof}}) AS cnt{NO_AMT} "
        "FROM \"call\" WHERE direction = 'inbound' AND received_at >= {start} AND received_at < {end} "
        "AND received_at <= {asof}"
    ),
    "hotline_service_level_20s": (
        "SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE answered_at <= {asof} "
        f"AND answered_at <= received_at + INTERVAL '20 seconds') AS cnt{NO_AMT} FROM \"call\" "
        "WHERE direction = 'inbound' AND received_at >= {start} AND received_at < {end} "
        "AND received_at <= {asof} AND (received_at < {asof} - INTERVAL '20 seconds' "
        "OR (answered_at <= {asof} AND answered_at <= received_at + INTERVAL '20 seconds'))"
    ),
    "response_on_time_rate": _commitment("ticket t", "t.response_due", "t.first_response_at", LIVE_TICKET),
    "arrival_on_time_rate": _commitment(
        "work_order w JOIN ticket t ON t.id = w.ticket",
        "w.arrival_due",
        "w.arrived_at",
        f"w.visit_no = 1 AND {LIVE_ORDER} AND {LIVE_TICKET}",
    ),
    "resolution_on_time_rate": _commitment("ticket t", "t.resolve_due", "t.resolved_at", LIVE_TICKET),
    "capa_on_time_rate": (
        "SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE closed_on <= {asof_day} AND closed_on <= due_on) "
        f"AS cnt{NO_AMT} FROM corrective_action WHERE opened_on <= {{asof_day}} AND due_on >= {{first_day}} "
        "AND due_on <= {last_day} AND (closed_on <= {asof_day} OR due_on < {asof_day})"
    ),
    "guarantee_decision_on_time_rate": _commitment(
        "guarantee_request g",
        "g.due_at",
        "g.decided_at",
        "g.kind IN ('repair', 'replace', 'refund') AND g.requested_at <= {asof}",
    ),
    "first_time_fix_rate": (
        f"SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE a.arrived = 1 AND a.fixed) AS cnt{NO_AMT} "
        "FROM ticket t LEFT JOIN (SELECT w.ticket, COUNT(*) AS arrived, "
        "bool_or(w.result = 'fixed' AND w.completed_at <= {asof}) AS fixed "
        f"FROM work_order w WHERE {LIVE_ORDER} AND w.arrived_at <= {{asof}} GROUP BY w.ticket) a "
        f"ON a.ticket = t.id WHERE t.kind = 'repair' AND {RESOLVED}"
    ),
    "repeat_repair_rate_30d": (
        # another live repair of the same unit created in (resolved_at, resolved_at + 30 days]: the
        # first later one is within 30 days iff any is; one hash self-join on unit, grouped per ticket
        f"SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE again) AS cnt{NO_AMT} FROM ("
        "SELECT t.id, t.resolved_at, bool_or(r.created_at <= t.resolved_at + INTERVAL '30 days') AS again "
        "FROM ticket t LEFT JOIN ticket r ON r.unit = t.unit AND r.id <> t.id "
        "AND r.created_at > t.resolved_at AND r.kind = 'repair' AND r.status <> 'cancelled' "
        "AND r.created_at <= {asof} "
        f"WHERE t.kind = 'repair' AND {RESOLVED} AND t.unit IS NOT NULL GROUP BY t.id, t.resolved_at) x "
        "WHERE x.resolved_at < {asof} - INTERVAL '30 days' OR x.again"
    ),
    "install_first_pass_rate": (
        "SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE w.id IS NOT NULL) AS cnt"
        f"{NO_AMT} FROM ticket t LEFT JOIN work_order w ON w.ticket = t.id AND w.visit_no = 1 "
        f"AND {LIVE_ORDER} AND w.result = 'installed' AND w.completed_at <= {{asof}} "
        f"WHERE t.kind = 'install' AND {RESOLVED}"
    ),
    "followup_coverage_7d": (
        "SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE f.reached AND f.done_at <= {asof} "
        "AND f.done_at >= t.resolved_at AND f.done_at <= t.resolved_at + INTERVAL '7 days') "
        f"AS cnt{NO_AMT} FROM ticket t LEFT JOIN followup f ON f.ticket = t.id "
        f"WHERE t.kind IN ('install', 'repair', 'maintenance') AND {RESOLVED} "
        "AND (t.resolved_at < {asof} - INTERVAL '7 days' OR (f.reached AND f.done_at <= {asof} "
        "AND f.done_at >= t.resolved_at AND f.done_at <= t.resolved_at + INTERVAL '7 days'))"
    ),
    "csat_satisfied_rate": (
        f"SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE score >= 4) AS cnt{NO_AMT} FROM followup "
        "WHERE ticket IS NOT NULL AND done_at >= {start} AND done_at < {end} AND done_at <= {asof} "
        "AND score BETWEEN 1 AND 5"
    ),
    "csat_mean": (
        "SELECT COUNT(*) AS den, COUNT(*) AS cnt, SUM(score) AS amt, NULL::bigint AS damt FROM followup "
        "WHERE ticket IS NOT NULL AND done_at >= {start} AND done_at < {end} AND done_at <= {asof} "
        "AND score BETWEEN 1 AND 5"
    ),
    "complaint_ack_2h_rate": _complaints("p.acknowledged_at", "2 hours"),
    "complaint_resolved_24h_rate": _complaints("p.resolved_at", "24 hours"),
    "complaints_per_1000_tickets": (
        f"SELECT (SELECT COUNT(*) FROM ticket t WHERE {LIVE_TICKET} AND t.created_at >= {{start}} "
        "AND t.created_at < {end}) AS den, (SELECT COUNT(*) FROM complaint p WHERE p.received_at >= {start} "
        f"AND p.received_at < {{end}} AND p.received_at <= {{asof}}) AS cnt{NO_AMT}"
    ),
    "certified_staff_rate": (
        f"SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE missing = 0) AS cnt{NO_AMT} FROM ("
        "SELECT u.id, COUNT(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM certificate c "
        f'WHERE c."user" = u.id AND c.course = cr.course AND {VALID})) AS missing '
        f'FROM app_user u JOIN course_role cr ON cr."role" = u.role WHERE {ACTIVE} GROUP BY u.id) s'
    ),
    "service_manager_ratio": (
        'SELECT COUNT(*) AS den, COUNT(*) FILTER (WHERE u.id IN (SELECT c."user" FROM certificate c '
        f"JOIN course sc ON sc.id = c.course WHERE sc.is_service_manager_cert AND {VALID})) AS cnt{NO_AMT} "
        f"FROM app_user u WHERE u.is_management AND {ACTIVE}"
    ),
    "training_hours_per_staff": (
        'SELECT COUNT(*) AS den, COUNT(a."user") AS cnt, COALESCE(SUM(a.hours), 0) AS amt, '
        f'NULL::bigint AS damt FROM app_user u LEFT JOIN ({ATTENDED}) a ON a."user" = u.id WHERE {ACTIVE}'
    ),
    "training_coverage_rate": (
        f'SELECT COUNT(*) AS den, COUNT(a."user") AS cnt{NO_AMT} FROM app_user u '
        f'LEFT JOIN ({ATTENDED}) a ON a."user" = u.id WHERE {ACTIVE}'
    ),
    "outlet_coverage_rate": (
        "WITH RECURSIVE covered (id) AS (SELECT oc.region FROM outlet_coverage oc JOIN outlet o "
        "ON o.id = oc.outlet WHERE o.is_active AND (o.kind <> 'authorised' OR o.agreement_expires IS NULL "
        "OR o.agreement_expires >= {last_day}) "
        "UNION SELECT g.id FROM region g JOIN covered c ON g.parent = c.id) "
        f"SELECT COUNT(*) AS den, COUNT(c.id) AS cnt{NO_AMT} FROM region r "
        "LEFT JOIN (SELECT DISTINCT id FROM covered) c ON c.id = r.id WHERE r.is_sales_region"
    ),
    "fund_utilisation": (
        "SELECT COUNT(*) FILTER (WHERE kind = 'budget') AS den, "
        "COUNT(*) FILTER (WHERE kind = 'expense') AS cnt, "
        "SUM(amount_fen) FILTER (WHERE kind = 'expense') AS amt, "
        "SUM(amount_fen) FILTER (WHERE kind = 'budget') AS damt FROM fund_entry "
        "WHERE kind IN ('budget', 'expense') AND posted_on >= {first_day} "
        "AND posted_on <= {last_day} AND posted_on <= {asof_day}"
    ),
    "fund_reserve_balance": (
        "SELECT 0 AS den, COUNT(*) AS cnt, SUM(amount_fen) AS amt, 0 AS damt FROM fund_entry "
        "WHERE kind = 'reserve' AND posted_on <= {last_day} AND posted_on <= {asof_day}"
    ),
}


async def _timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await call()
    return time.perf_counter() - started, result


async def _median(rounds: int, call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Median seconds of `rounds` calls (after one unmeasured warm-up) and the last result."""
    result = await call()
    seconds = []
    for _ in range(rounds):
        spent, result = await _timed(call)
        seconds.append(spent)
    return statistics.median(seconds), result


def _numbers(row: dict[str, Any]) -> tuple[Decimal, ...]:
    """den, cnt, amt, damt as exact numbers (a SUM over no amounts, NULL, counts as 0)."""
    return tuple(Decimal(str(row[key] or 0)) for key in ("den", "cnt", "amt", "damt"))


async def measure(url: str, rounds: int, end: date, only: list[str] | None) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    from audit_export.kpis import engine
    from audit_export.kpis.definitions import KPIS
    from audit_export.kpis.sql import context, fetch
    from audit_export.period import Period, local_date
    from service_ops import clock, db

    missing = set(KPIS) - set(HAND_WRITTEN)
    if missing:
        raise SystemExit(f"kpi_bench: no hand-written twin for {', '.join(sorted(missing))}")
    codes = [code for code in KPIS if not only or code in only]
    period = Period(end - timedelta(days=365), end)
    as_of = min(clock.now(), period.end_at)
    ctx = context(period, as_of)
    literals = {
        "start": ctx.start,
        "end": ctx.end,
        "asof": ctx.asof,
        "first_day": ctx.first_day,
        "last_day": ctx.last_day,
        "asof_day": ctx.day(local_date(as_of)),
    }
    await db.start_pool()
    try:
        print(f"KPI engine on {url}: period {period.start} – {period.end}, as_of {as_of.isoformat()}")
        print(f"medians of {rounds} rounds (after one warm-up; engine and twin interleaved)\n")
        engine_sql = {
            code: f"SELECT {engine.AGGREGATES} FROM ({engine.record_set_sql(code, ctx)}) r" for code in codes
        }
        hand_sql = {code: HAND_WRITTEN[code].format(**literals) for code in codes}
        ours: dict[str, list[float]] = {code: [] for code in codes}
        theirs: dict[str, list[float]] = {code: [] for code in codes}
        rows: dict[str, tuple[Any, Any]] = {}
        for round_no in range(rounds + 1):  # round 0 is the warm-up
            for code in codes:
                spent, mine = await _timed(partial(fetch, engine_sql[code]))
                spent_hand, hand = await _timed(partial(fetch, hand_sql[code]))
                rows[code] = (mine[0], hand[0])
                if round_no:
                    ours[code].append(spent)
                    theirs[code].append(spent_hand)
        print(f"{'KPI':34} {'engine ms':>10} {'by hand ms':>10} {'ratio':>6}  figure: numerator/denominator")
        total_ours = total_theirs = 0.0
        over = []
        for code in codes:
            mine, hand = rows[code]
            a, b = statistics.median(ours[code]), statistics.median(theirs[code])
            total_ours, total_theirs = total_ours + a, total_theirs + b
            same = _numbers(mine) == _numbers(hand)
            den, cnt, amt, _ = _numbers(hand)
            shown = f"{cnt}/{den}" if not hand.get("amt") else f"{cnt}/{den} amt {amt}"
            ratio = a / b if b else float("inf")
            if ratio > TARGET_RATIO and a > 0.05:  # ignore sub-50 ms KPIs' noise
                over.append(code)
            verdict = "same" if same else "DIFF"
            print(f"{code:34} {a * 1000:10.1f} {b * 1000:10.1f} {ratio:6.2f}  {shown} {verdict}")
            if not same:
                print(f"{'':34} engine {_numbers(mine)} by hand {_numbers(hand)}")
        print(
            f"{'total (sum of medians)':34} {total_ours * 1000:10.1f} {total_theirs * 1000:10.1f} "
            f"{total_ours / total_theirs:6.2f}  (target ≤ {TARGET_RATIO})"
        )
        if over:
            print(f"over {TARGET_RATIO}x (and ≥ 50 ms): {', '.join(over)}")
        if only:
            return
        whole, figures = await _median(rounds, lambda: engine.compute_kpis(period, as_of))
        print(
            f"\ncompute_kpis (organisation, {len(figures)} KPIs): {whole:7.2f} s "
            f"(target < {TARGET_ORG_S:.0f} s: {'MET' if whole < TARGET_ORG_S else 'NOT MET'}); "
            f"ratio to the twins' total: {whole / total_theirs:.2f}"
        )
        by_outlet, breakdown = await _median(rounds, lambda: engine.compute_kpis_by(period, as_of, "outlet"))
        kpis = len({code for figures in breakdown.values() for code in figures})
        print(
            f"compute_kpis_by outlet ({len(breakdown)} outlets, {kpis} KPIs): {by_outlet:7.2f} s "
            f"(target < {TARGET_OUTLET_S:.0f} s: {'MET' if by_outlet < TARGET_OUTLET_S else 'NOT MET'})"
        )
    finally:
        await db.close_pool()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.kpi_bench", description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--end", type=date.fromisoformat, default=None, help="day after the year measured (default: tomorrow)"
    )
    parser.add_argument("--only", default="", help="comma-separated KPI codes (twins only, no whole runs)")
    args = parser.parse_args(argv)
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        parser.error("the database name must contain 'bench'")
    if not args.database_url.startswith("postgres"):
        parser.error("the hand-written twins are PostgreSQL SQL (FILTER, INTERVAL, LATERAL)")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    end = args.end or datetime.now().date() + timedelta(days=1)
    only = [code.strip() for code in args.only.split(",") if code.strip()] or None
    asyncio.run(measure(args.database_url, args.rounds, end, only))


if __name__ == "__main__":
    main()
