"""Build the bench database: `python -m bench.generate --database-url postgresql://... --seed 1`.

Drops and re-creates the database, runs the app's migrations (`service-ops migrate`), bulk-loads a
seeded data set with asyncpg COPY (not the ORM), sets the id sequences and the ticket-number
counters, records one audit event through the app's write path, and runs VACUUM ANALYZE.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

import asyncpg

from bench import BENCH_PASSWORD, BENCH_USERNAME, DEFAULT_DATABASE_URL, FIELD_USERNAME, STEPS_USERNAME
from bench.field import (
    DISPATCH_COLUMNS,
    STEPS_SQL,
    TICKET_FIELD_COLUMNS,
    WORK_ORDER_COLUMNS,
    Field,
    FieldRows,
)
from bench.history import CALL_COLUMNS, TICKET_COLUMNS, History, history_chunks
from bench.staffing import (
    CERTIFICATE_COLUMNS,
    COURSE_COLUMNS,
    COURSE_ROLE_COLUMNS,
    COVERAGE_COLUMNS,
    OUTLET_CATEGORY_COLUMNS,
    Staffing,
    build_staffing,
)
from bench.world import (
    CUSTOMER_COLUMNS,
    MEMBERSHIP_COLUMNS,
    MODEL_COLUMNS,
    OUTLET_COLUMNS,
    PHONE_COLUMNS,
    POLICY_COLUMNS,
    REGION_COLUMNS,
    UNIT_COLUMNS,
    USER_COLUMNS,
    World,
    build_world,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BIG_TABLES = [
    "customer",
    "customer_phone",
    "unit",
    "call",
    "ticket",
    "ticket_dispatch",
    "work_order",
    "work_order_step",
]
ID_TABLES = [
    "region", "product_model", "outlet", "app_user", "outlet_membership", "sla_policy", "customer",
    "customer_phone", "unit", "call", "ticket", "counter", "outlet_coverage", "outlet_category", "course",
    "course_role", "certificate", "ticket_dispatch", "work_order", "work_order_step",
]  # fmt: skip
DEFAULT_STEP_ORDERS = 8_000
"""bench_steps' assigned visits; `bench.run`'s defaults use 200/s x (3 + 20) s x 3 rounds / 2 = 6,900."""
# Indexes and unique constraints on the big tables, written as statements that re-create them.
SECONDARY_INDEXES_SQL = """
SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, c.conname) AS drop_sql,
       format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, c.conname, pg_get_constraintdef(c.oid))
           AS create_sql
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE c.contype = 'u' AND t.relname = ANY($1::text[]) AND t.relnamespace = 'public'::regnamespace
UNION ALL
SELECT format('DROP INDEX %I', x.relname), pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relname = ANY($1::text[]) AND t.relnamespace = 'public'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""
# Foreign keys are not checked during COPY (session_replication_role = replica): check them here.
INTEGRITY_CHECKS = {
    "ticket.customer": "SELECT count(*) FROM ticket t LEFT JOIN customer c ON c.id = t.customer "
    "WHERE c.id IS NULL",
    "ticket.unit belongs to ticket.customer": (
        "SELECT count(*) FROM ticket t JOIN unit u ON u.id = t.unit WHERE u.customer <> t.customer"
    ),
    "ticket.unit": "SELECT count(*) FROM ticket t LEFT JOIN unit u ON u.id = t.unit "
    "WHERE t.unit IS NOT NULL AND u.id IS NULL",
    "ticket.call": "SELECT count(*) FROM ticket t LEFT JOIN call c ON c.id = t.call "
    "WHERE t.call IS NOT NULL AND c.id IS NULL",
    "ticket.created_by": "SELECT count(*) FROM ticket t LEFT JOIN app_user u ON u.id = t.created_by "
    "WHERE u.id IS NULL",
    "unit.customer": "SELECT count(*) FROM unit u LEFT JOIN customer c ON c.id = u.customer "
    "WHERE c.id IS NULL",
    "customer.region": "SELECT count(*) FROM customer c LEFT JOIN region r ON r.id = c.region "
    "WHERE r.id IS NULL",
    "outlet_coverage.region": "SELECT count(*) FROM outlet_coverage c LEFT JOIN region r ON r.id = c.region "
    "WHERE r.id IS NULL",
    "outlet_membership.user": "SELECT count(*) FROM outlet_membership m "
    "LEFT JOIN app_user u ON u.id = m.user WHERE u.id IS NULL",
    "certificate.user": "SELECT count(*) FROM certificate c LEFT JOIN app_user u ON u.id = c.user "
    "WHERE u.id IS NULL",
    "certificate.course": "SELECT count(*) FROM certificate c LEFT JOIN course k ON k.id = c.course "
    "WHERE k.id IS NULL",
    "ticket_dispatch.ticket = ticket.outlet": "SELECT count(*) FROM ticket_dispatch d "
    "LEFT JOIN ticket t ON t.id = d.ticket WHERE t.outlet IS DISTINCT FROM d.outlet",
    "ticket.technician is a member of ticket.outlet": "SELECT count(*) FROM ticket t "
    "WHERE t.technician IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outlet_membership m "
    "WHERE m.outlet = t.outlet AND m.user = t.technician)",
    "work_order.ticket (same outlet, visit 1 = ticket.technician)": "SELECT count(*) FROM work_order w "
    "LEFT JOIN ticket t ON t.id = w.ticket WHERE t.outlet IS DISTINCT FROM w.outlet "
    "OR (w.visit_no = 1 AND t.technician IS DISTINCT FROM w.technician)",
    "work_order.technician is a member of work_order.outlet": "SELECT count(*) FROM work_order w "
    "WHERE NOT EXISTS (SELECT 1 FROM outlet_membership m "
    "WHERE m.outlet = w.outlet AND m.user = w.technician)",
    "work_order.previous": "SELECT count(*) FROM work_order w LEFT JOIN work_order p ON p.id = w.previous "
    "WHERE w.previous IS NOT NULL AND (p.id IS NULL OR p.ticket <> w.ticket)",
    "work_order times in order": "SELECT count(*) FROM work_order w JOIN ticket t ON t.id = w.ticket "
    "WHERE w.created_at < t.created_at OR w.en_route_at < w.created_at OR w.arrived_at < w.en_route_at "
    "OR w.completed_at < w.arrived_at OR w.completed_at > t.resolved_at "
    "OR (w.status = 'completed') <> (w.completed_at IS NOT NULL)",
    "resolved tickets have a completed last visit": "SELECT count(*) FROM ticket t "
    "WHERE t.resolved_at IS NOT NULL AND t.technician IS NOT NULL AND NOT EXISTS (SELECT 1 FROM work_order w "
    "WHERE w.ticket = t.id AND w.completed_at = t.resolved_at AND w.result IN ('fixed', 'installed', "
    "'replaced', 'refunded'))",
    "work_order_step.work_order": "SELECT count(*) FROM work_order_step s "
    "LEFT JOIN work_order w ON w.id = s.work_order WHERE w.id IS NULL OR s.actor <> w.technician",
}


def log(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:7.1f}s] {message}", flush=True)


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


async def recreate_database(url: str) -> None:
    name = database_name(url)
    connection = await asyncpg.connect(with_database(url, "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def run_migrations(url: str) -> None:
    """The real migrations, exactly as an operator runs them."""
    command = Path(sys.executable).with_name("service-ops")
    env = {**os.environ, "DATABASE_URL": url, "PICCOLO_CONF": "piccolo_conf"}
    done = subprocess.run(
        [str(command), "migrate"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"service-ops migrate failed ({done.returncode}):\n{done.stderr}{done.stdout}")


async def copy(connection: asyncpg.Connection, table: str, columns: list[str], rows: list[Any]) -> None:
    if rows:
        await connection.copy_records_to_table(table, records=rows, columns=columns)


async def run_statements(url: str, statements: list[str], parallel: int = 2) -> None:
    """Run independent DDL (index builds) on `parallel` connections."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for statement in statements:
        queue.put_nowait(statement)

    async def worker() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("SET maintenance_work_mem = '256MB'")
            while not queue.empty():
                await connection.execute(queue.get_nowait())
        finally:
            await connection.close()

    await asyncio.gather(*(worker() for _ in range(parallel)))


async def load_world(connection: asyncpg.Connection, world: World, staffing: Staffing) -> None:
    await copy(connection, "region", REGION_COLUMNS, world.regions)
    await copy(connection, "product_model", MODEL_COLUMNS, world.models)
    await copy(connection, "app_user", USER_COLUMNS, world.users)
    await copy(connection, "outlet", OUTLET_COLUMNS, world.outlets)
    await copy(connection, "outlet_membership", MEMBERSHIP_COLUMNS, world.memberships)
    await copy(connection, "outlet_coverage", COVERAGE_COLUMNS, staffing.coverage)
    await copy(connection, "outlet_category", OUTLET_CATEGORY_COLUMNS, staffing.categories)
    await copy(connection, "course", COURSE_COLUMNS, staffing.courses)
    await copy(connection, "course_role", COURSE_ROLE_COLUMNS, staffing.course_roles)
    await copy(connection, "certificate", CERTIFICATE_COLUMNS, staffing.certificates)
    await copy(connection, "sla_policy", POLICY_COLUMNS, world.policies)
    await copy(connection, "customer", CUSTOMER_COLUMNS, world.customers)
    await copy(connection, "customer_phone", PHONE_COLUMNS, world.phones)
    await copy(connection, "unit", UNIT_COLUMNS, world.units)


async def copy_field(connection: asyncpg.Connection, rows: FieldRows) -> None:
    """Tickets (with their dispatch / assignment columns), offers and visits, in that order."""
    await copy(connection, "ticket", TICKET_COLUMNS + TICKET_FIELD_COLUMNS, rows.tickets)
    await copy(connection, "ticket_dispatch", DISPATCH_COLUMNS, rows.dispatches)
    await copy(connection, "work_order", WORK_ORDER_COLUMNS, rows.work_orders)


async def load_history(
    connection: asyncpg.Connection,
    world: World,
    field: Field,
    rng: random.Random,
    args: argparse.Namespace,
    started: float,
) -> History:
    history = History()
    chunks = history_chunks(world, rng, tickets=args.tickets, end=args.end, zone=args.zone)

    def produce() -> tuple[list[Any], FieldRows, str] | None:
        """The next chunk with its field rows (runs in a thread, while the previous chunk is copied)."""
        nonlocal history
        chunk = next(chunks, None)
        if chunk is None:
            return None
        calls, tickets, history = chunk
        rows = field.extend(tickets)
        progress = (
            f"tickets {history.tickets:,} / {args.tickets:,}, calls {history.calls:,}, "
            f"work orders {field.counts['work_orders']:,}"
        )
        return calls, rows, progress if history.tickets % 200_000 == 0 else ""

    # Generating the next chunk in a thread lets PostgreSQL take in the current one on the other core.
    upcoming = asyncio.create_task(asyncio.to_thread(produce))
    while (produced := await upcoming) is not None:
        upcoming = asyncio.create_task(asyncio.to_thread(produce))
        calls, rows, progress = produced
        await copy(connection, "call", CALL_COLUMNS, calls)
        await copy_field(connection, rows)
        if progress:
            log(progress, started)
    jobs = field.bench_jobs(history.counters, next_ticket_id=history.tickets + 1)
    await copy_field(connection, jobs)
    history.tickets += len(jobs.tickets)
    history.statuses.update(row[5] for row in jobs.tickets)
    log(f"bench technicians' jobs: {len(jobs.tickets):,} tickets after the history", started)
    counters = [(i, *item) for i, item in enumerate(sorted(history.counters.items()), start=1)]
    await copy(connection, "counter", ["id", "name", "value"], counters)
    return history


async def finish_schema(
    connection: asyncpg.Connection, url: str, recreate: list[str], started: float
) -> None:
    log(f"re-creating {len(recreate)} indexes and unique constraints", started)
    await run_statements(url, recreate)
    for table in ID_TABLES:
        highest = await connection.fetchval(f'SELECT coalesce(max(id), 1) FROM "{table}"')
        await connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {int(highest)})")
    log("checking references (foreign keys were not checked during COPY)", started)
    await check_integrity(url)


async def check_integrity(url: str, parallel: int = 2) -> None:
    """Every INTEGRITY_CHECKS query must count 0 rows (run on `parallel` connections)."""
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in INTEGRITY_CHECKS.items():
        queue.put_nowait(item)
    failed: list[str] = []

    async def worker() -> None:
        connection = await asyncpg.connect(url)
        try:
            while not queue.empty():
                name, sql = queue.get_nowait()
                broken = await connection.fetchval(sql)
                if broken:
                    failed.append(f"{name}: {broken} rows")
        finally:
            await connection.close()

    await asyncio.gather(*(worker() for _ in range(parallel)))
    if failed:
        raise SystemExit("integrity check failed: " + "; ".join(failed))


async def record_audit_event(seed: int, counts: dict[str, int]) -> int:
    """One event through the app's own write path, so `service-ops audit verify` stays OK."""
    from service_ops import db
    from service_ops.actor import system_actor
    from service_ops.audit import verify_chain
    from service_ops.uow import unit_of_work

    await db.start_pool()
    try:
        async with unit_of_work(system_actor("bench")) as uow:
            uow.record("bench.data_generated", "bench", seed, after=counts)
        result = await verify_chain()
        if not result.ok:
            raise SystemExit(f"audit chain broken at {result.broken_seq}: {result.problem}")
        return result.checked
    finally:
        await db.close_pool()


async def generate(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    url = args.database_url
    await recreate_database(url)
    log(f"database {database_name(url)} re-created", started)
    run_migrations(url)
    log("migrations applied (service-ops migrate)", started)

    from service_ops.auth import hash_password

    rng = random.Random(args.seed)
    staff_hash, bench_hash = hash_password(secrets.token_urlsafe(16)), hash_password(BENCH_PASSWORD)
    world = build_world(
        rng,
        outlets=args.outlets,
        customers=args.customers,
        password_hash=staff_hash,
        bench_hash=bench_hash,
        end=args.end,
    )
    # its own seeded stream, so adding it left the rows above unchanged for a seed
    staffing = build_staffing(world, random.Random(f"staffing-{args.seed}"), staff_hash, args.end.date())
    field = Field(
        world,
        staffing,
        random.Random(f"field-{args.seed}"),
        end=args.end,
        zone=args.zone,
        bench_hash=bench_hash,
        step_orders=args.step_orders,
    )
    log(
        f"master data built ({len(world.customers):,} customers, {len(world.units):,} units, "
        f"{len(staffing.certificates):,} certificates)",
        started,
    )

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SET session_replication_role = replica")  # no FK triggers during COPY
        await connection.execute("SET synchronous_commit = off")
        statements = await connection.fetch(SECONDARY_INDEXES_SQL, BIG_TABLES)
        for statement in statements:
            await connection.execute(statement["drop_sql"])
        await load_world(connection, world, staffing)
        log("master data copied", started)
        history = await load_history(connection, world, field, rng, args, started)
        await connection.execute(STEPS_SQL)
        field.counts["steps"] = await connection.fetchval("SELECT count(*) FROM work_order_step")
        log(
            f"history copied: {history.tickets:,} tickets, {history.calls:,} calls, "
            f"{field.counts['dispatches']:,} offers, {field.counts['work_orders']:,} work orders, "
            f"{field.counts['steps']:,} steps",
            started,
        )
        await connection.execute("SET session_replication_role = origin")
        await finish_schema(connection, url, [s["create_sql"] for s in statements], started)
        counts = count_rows(world, history, staffing, field)
        events = await record_audit_event(args.seed, counts)
        log(f"audit event recorded through unit_of_work; chain verified ({events} event)", started)
        await connection.execute("VACUUM (ANALYZE)")
        log("VACUUM ANALYZE done", started)
    finally:
        await connection.close()
    print_summary(args, counts, history, started)


def count_rows(world: World, history: History, staffing: Staffing, field: Field) -> dict[str, int]:
    return {
        "regions": len(world.regions),
        "product_models": len(world.models),
        "outlets": len(world.outlets),
        "users": len(world.users),
        "outlet_memberships": len(world.memberships),
        "sla_policies": len(world.policies),
        "customers": len(world.customers),
        "customer_phones": len(world.phones),
        "units": len(world.units),
        "calls": history.calls,
        "tickets": history.tickets,
        "ticket_counters": len(history.counters),
        "outlet_coverage": len(staffing.coverage),
        "outlet_categories": len(staffing.categories),
        "courses": len(staffing.courses),
        "course_roles": len(staffing.course_roles),
        "certificates": len(staffing.certificates),
        "ticket_dispatches": field.counts["dispatches"],
        "work_orders": field.counts["work_orders"],
        "work_order_revisits": field.counts["revisits"],
        "work_order_steps": field.counts["steps"],
    }


def print_summary(args: argparse.Namespace, counts: dict[str, int], history: History, started: float) -> None:
    width = max(len(name) for name in counts)
    print(f"\nLoaded (seed {args.seed}, year ending {args.end.isoformat(timespec='seconds')}):")
    for name, count in counts.items():
        print(f"  {name:<{width}}  {count:>10,}")
    print("  ticket statuses: " + ", ".join(f"{s} {n:,}" for s, n in history.statuses.most_common()))
    print(f"  bench logins: {BENCH_USERNAME}, {FIELD_USERNAME}, {STEPS_USERNAME} / {BENCH_PASSWORD}")
    print(f"Total {time.perf_counter() - started:.1f}s")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="dropped and re-created!")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--outlets", type=int, default=500)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument(
        "--step-orders",
        type=int,
        default=DEFAULT_STEP_ORDERS,
        help="assigned visits of bench_steps for the step-submission scenario (2 steps each)",
    )
    parser.add_argument(
        "--end",
        type=datetime.fromisoformat,
        default=None,
        help="end of the generated year (ISO 8601 with offset); default now, to the minute. "
        "Same seed + same --end = the same rows.",
    )
    args = parser.parse_args(argv)
    if "bench" not in database_name(args.database_url):
        parser.error("refusing to drop a database whose name does not contain 'bench'")
    end = args.end or datetime.now(UTC).replace(second=0, microsecond=0)
    if end.tzinfo is None:
        parser.error("--end needs a UTC offset, e.g. 2026-11-23T12:00:00+08:00")
    args.end = end.astimezone(UTC)
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # The app reads its settings lazily and its engine at import of piccolo_conf: set env first.
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    from service_ops.settings import get_settings

    args.zone = ZoneInfo(get_settings().timezone)
    asyncio.run(generate(args))


if __name__ == "__main__":
    main()
