"""Issue 3's figures: ranking candidate outlets for a ticket (in process) and the qualification matrix
page of the 50-staff outlet (HTTP, through the running full app). Called by `bench.run`
(`--scenarios ranking,matrix`).

Ranking runs in the runner's own process: the app's modules are imported after `DATABASE_URL` is
set, and the app's engine pool is opened with `service_ops.db.start_pool()`. One call at a time,
so the figures are latencies of one dispatcher's request, not throughput.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx

from bench.load import percentile
from bench.staffing import MATRIX_OUTLET

RANKING_P99_TARGET_MS = 20.0
MATRIX_P99_TARGET_MS = 100.0


@dataclass
class Timing:
    name: str
    target_ms: float | None
    calls: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    note: str = ""
    round: int = 0


def timing(name: str, target_ms: float | None, seconds: list[float], note: str = "") -> Timing:
    ordered = sorted(seconds)
    return Timing(
        name,
        target_ms,
        len(ordered),
        1000 * percentile(ordered, 0.50),
        1000 * percentile(ordered, 0.99),
        1000 * ordered[-1] if ordered else 0.0,
        note,
    )


async def _time_calls(
    calls: list[Callable[[], Awaitable[Any]]], warmup: int
) -> tuple[list[float], list[Any]]:
    for call in calls[:warmup]:
        await call()
    seconds, results = [], []
    for call in calls[warmup:]:
        started = time.perf_counter()
        results.append(await call())
        seconds.append(time.perf_counter() - started)
    return seconds, results


async def sample_tickets(url: str, seed: int, count: int) -> list[dict[str, Any]]:
    """Random visit tickets for a unit: id, region and the unit's category."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT t.id, t.region, m.category FROM ticket t JOIN unit u ON u.id = t.unit "
            "JOIN product_model m ON m.id = u.model "
            "WHERE t.kind <> 'consult' AND t.id % 97 = $1 ORDER BY t.id",
            seed % 97,
        )
    finally:
        await connection.close()
    return [dict(row) for row in random.Random(seed).sample(list(rows), min(count, len(rows)))]


async def measure_ranking(url: str, seed: int, calls: int, warmup: int) -> list[Timing]:
    """(1) rank_outlets with the ticket-side inputs read once; (2) the inputs alone; (3) the whole
    `rank_for_ticket` (category, open load, on-time rates, refusals, ranking) for a loaded ticket."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    from outlets import queries as outlet_queries
    from service_ops import clock, db
    from tickets import dispatch_queries
    from tickets.services.dispatch import rank_for_ticket
    from tickets.tables import Ticket

    tickets = await sample_tickets(url, seed, calls + warmup)
    await db.start_pool()
    try:
        today = clock.today()
        open_load = await dispatch_queries.open_load_by_outlet()
        on_time = await dispatch_queries.on_time_rates()

        def rank(ticket: dict[str, Any]) -> Callable[[], Awaitable[Any]]:
            return lambda: outlet_queries.rank_outlets(
                ticket["region"], ticket["category"], today, open_load, on_time, exclude=()
            )

        async def inputs() -> tuple[dict[int, int], dict[int, float | None]]:
            return await dispatch_queries.open_load_by_outlet(), await dispatch_queries.on_time_rates()

        def full(ticket: Ticket) -> Callable[[], Awaitable[Any]]:
            return lambda: rank_for_ticket(ticket)

        ranked_seconds, rankings = await _time_calls([rank(t) for t in tickets], warmup)
        eligible = sorted(sum(c.eligible for c in ranking) for ranking in rankings)
        none = sum(1 for n in eligible if n == 0)
        note = (
            f"{len(rankings[0])} outlets ranked per call; eligible per ticket: median "
            f"{percentile(eligible, 0.5):.0f}, none for {none} of {len(eligible)}"
        )
        rounds = max(10, calls // 10)
        input_seconds, loads = await _time_calls([inputs] * (rounds + warmup // 10), warmup // 10)
        objects = await Ticket.objects().where(Ticket.id.is_in([t["id"] for t in tickets]))
        by_id = {ticket.id: ticket for ticket in objects}
        full_seconds, _ = await _time_calls([full(by_id[t["id"]]) for t in tickets], warmup)
    finally:
        await db.close_pool()
    open_jobs, rated = loads[0]
    return [
        timing("rank_outlets", RANKING_P99_TARGET_MS, ranked_seconds, note),
        timing(
            "  tickets-side inputs",
            None,
            input_seconds,
            f"open_load_by_outlet ({sum(open_jobs.values()):,} open jobs) + on_time_rates "
            f"({len(rated)} outlets with offers in 30 days)",
        ),
        timing(
            "rank_for_ticket", RANKING_P99_TARGET_MS, full_seconds, "the whole path a dispatcher's page runs"
        ),
    ]


async def matrix_user_ids(url: str) -> list[int]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            'SELECT "user" FROM outlet_membership WHERE outlet = $1 AND until IS NULL ORDER BY "user"',
            MATRIX_OUTLET,
        )
    finally:
        await connection.close()
    return [row["user"] for row in rows]


def measure_matrix(base_url: str, headers: dict[str, str], user_ids: list[int], requests: int) -> Timing:
    """GET /training/matrix?user_ids=<the outlet's staff> one after the other (10 warm-up requests)."""
    path = "/training/matrix?user_ids=" + ",".join(str(user_id) for user_id in user_ids)
    seconds: list[float] = []
    size = 0
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for number in range(10 + requests):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"matrix page: {response.status_code} {response.text[:300]}")
            size = len(response.content)
            if number >= 10:
                seconds.append(elapsed)
    note = f"{len(user_ids)} people, HTML {size / 1024:.0f} KiB, 1 client, through uvicorn (HTTP)"
    return timing("qualification matrix", MATRIX_P99_TARGET_MS, seconds, note)


def print_timing(t: Timing) -> None:
    print(
        f"round {t.round}  {t.name:<21} {t.calls:>4} calls  p50 {t.p50_ms:6.1f} ms  p99 {t.p99_ms:6.1f} ms  "
        f"max {t.max_ms:6.0f} ms",
        flush=True,
    )


def print_timings(timings: list[Timing]) -> None:
    if not timings:
        return
    rounds = max(t.round for t in timings)
    print(f"\n=== Dispatch ranking and qualification matrix (issue 3), medians over {rounds} round(s) ===")
    print(f"{'what':<22}{'calls':>7}{'p50 ms':>9}{'p99 ms':>9}{'worst p99':>10}   target")
    names = list(dict.fromkeys(t.name for t in timings))
    for name in names:
        rows = [t for t in timings if t.name == name]
        p50 = statistics.median(t.p50_ms for t in rows)
        p99 = statistics.median(t.p99_ms for t in rows)
        worst = max(t.p99_ms for t in rows)
        target = rows[0].target_ms
        verdict = "" if target is None else f"p99 < {target:g} ms: " + ("MET" if p99 < target else "NOT MET")
        print(f"{name:<22}{rows[0].calls:>7}{p50:>9.1f}{p99:>9.1f}{worst:>10.1f}   {verdict}")
    for name in names:
        note = next(t.note for t in timings if t.name == name)
        if note:
            print(f"  {name.strip()}: {note}")
