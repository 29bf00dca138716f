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

from bench import BENCH_PASSWORD, BENCH_USERNAME, DEFAULT_DATABASE_URL
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
BIG_TABLES = ["customer", "customer_phone", "unit", "call", "ticket"]
ID_TABLES = [
    "region", "product_model", "outlet", "app_user", "outlet_membership", "sla_policy", "customer",
    "customer_phone", "unit", "call", "ticket", "counter", "outlet_coverage", "outlet_category", "course",
    "course_role", "certificate",
]  # fmt: skip
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
}
# Dispatch columns of visit tickets still open, or resolved in the last 30 days: an outlet covering the
# ticket's county (listed directly or through its city or province), picked by a hash of the ids; one accepted
# offer each (ticket_dispatch), ~25 % answered after the 60-minute deadline. $1 = the end of the year.
DISPATCH_SQL = [
    """CREATE TEMP TABLE bench_pick AS
    SELECT t.id, t.status,
        least($1::timestamptz, t.created_at + (5 + t.id % 40) * interval '1 minute') AS sent,
        (SELECT c.outlet FROM outlet_coverage c JOIN region r ON r.id = t.region
         JOIN region city ON city.id = r.parent
         WHERE c.region IN (r.id, city.id, city.parent)
         ORDER BY (c.outlet * 7919 + t.id) % 997, c.outlet LIMIT 1) AS outlet
    FROM ticket t
    WHERE t.kind <> 'consult' AND (t.status IN ('dispatched', 'accepted', 'in_progress')
        OR (t.status IN ('resolved', 'closed') AND t.created_at >= $1::timestamptz - interval '30 days'))""",
    "DELETE FROM bench_pick WHERE outlet IS NULL",
    "ALTER TABLE bench_pick ADD COLUMN accepted timestamptz",
    """UPDATE bench_pick SET accepted = least($1::timestamptz, sent + ((id * 31) % 80) * interval '1 minute')
    WHERE status <> 'dispatched'""",
    """UPDATE ticket SET outlet = p.outlet, dispatched_at = p.sent,
        accept_due = p.sent + interval '60 minutes', accepted_at = p.accepted
    FROM bench_pick p WHERE ticket.id = p.id""",
    """INSERT INTO ticket_dispatch (ticket, outlet, mode, rank, dispatched_at, dispatched_by, accept_due,
        decided_at, decision, reason)
    SELECT id, outlet, 'suggested', 1, sent, 'bench', sent + interval '60 minutes', accepted,
        CASE WHEN accepted IS NOT NULL THEN 'accepted' END, ''
    FROM bench_pick ORDER BY id""",
]


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


async def load_history(
    connection: asyncpg.Connection, world: World, rng: random.Random, args: argparse.Namespace, started: float
) -> History:
    history = History()
    chunks = history_chunks(world, rng, tickets=args.tickets, end=args.end, zone=args.zone)
    for calls, tickets, history in chunks:
        await copy(connection, "call", CALL_COLUMNS, calls)
        await copy(connection, "ticket", TICKET_COLUMNS, tickets)
        if history.tickets % 200_000 == 0:
            log(f"tickets {history.tickets:,} / {args.tickets:,}, calls {history.calls:,}", started)
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
    for name, sql in INTEGRITY_CHECKS.items():
        broken = await connection.fetchval(sql)
        if broken:
            raise SystemExit(f"integrity check failed: {name}: {broken} rows")


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
        history = await load_history(connection, world, rng, args, started)
        log(f"history copied: {history.tickets:,} tickets, {history.calls:,} calls", started)
        await connection.execute("SET session_replication_role = origin")
        await finish_schema(connection, url, [s["create_sql"] for s in statements], started)
        for sql in DISPATCH_SQL:
            await connection.execute(sql, *([args.end] if "$1" in sql else []))
        dispatched = await connection.fetchval("SELECT count(*) FROM ticket_dispatch")
        log(f"dispatch columns filled: {dispatched:,} tickets with an outlet and an accepted offer", started)
        counts = count_rows(world, history, staffing, dispatched)
        events = await record_audit_event(args.seed, counts)
        log(f"audit event recorded through unit_of_work; chain verified ({events} event)", started)
        await connection.execute("VACUUM (ANALYZE)")
        log("VACUUM ANALYZE done", started)
    finally:
        await connection.close()
    print_summary(args, counts, history, started)


def count_rows(world: World, history: History, staffing: Staffing, dispatched: int) -> dict[str, int]:
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
        "ticket_dispatches": dispatched,
    }


def print_summary(args: argparse.Namespace, counts: dict[str, int], history: History, started: float) -> None:
    width = max(len(name) for name in counts)
    print(f"\nLoaded (seed {args.seed}, year ending {args.end.isoformat(timespec='seconds')}):")
    for name, count in counts.items():
        print(f"  {name:<{width}}  {count:>10,}")
    print("  ticket statuses: " + ", ".join(f"{s} {n:,}" for s, n in history.statuses.most_common()))
    print(f"  bench login: {BENCH_USERNAME} / {BENCH_PASSWORD}")
    print(f"Total {time.perf_counter() - started:.1f}s")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="dropped and re-created!")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--outlets", type=int, default=500)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
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
