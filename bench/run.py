"""Side-by-side benchmark: `python -m bench.run --database-url postgresql://.../service_ops_bench`.

Starts the full app and the bare baseline the same way (uvicorn, same workers, same host, separate
ports, access log off), then per round measures: ticket creation on the full app and on the bare app
(same bodies, same concurrency), call-screen searches by phone and by serial number, and the
technician field pages (job list, step submissions; open loop, beside the bare app's counterparts).
Prints one table of medians over the rounds. Needs the database built by `python -m bench.generate`.
The `import` scenario (no server) runs `bench.import_bench` at `--import-scale`: the history import
beside a plain COPY of the same bundle, in a database of its own. The `kpis` and `pack` scenarios
(no server, issue 6) run `bench.kpi_bench` (every KPI for a year beside hand-written SQL, and by
outlet) and `bench.pack_bench` (the evidence pack for a year: wall time, peak RSS) on the bench database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import quote

import asyncpg
import httpx
import msgspec

from bench import BENCH_PASSWORD, BENCH_USERNAME, DEFAULT_DATABASE_URL, FIELD_USERNAME, STEPS_USERNAME
from bench.field_bench import (
    PageWeight,
    orders_per_round,
    page_weight,
    session_cookie,
    step_order_ids,
    step_requests,
)
from bench.load import LoadResult, LoadSpec, Request, percentile, run_load
from bench.ranking import (
    Timing,
    matrix_user_ids,
    measure_matrix,
    measure_ranking,
    print_timing,
    print_timings,
)
from bench.report import (
    FIELD_LIST,
    FIELD_LIST_BARE,
    FIELD_STEPS,
    FIELD_STEPS_BARE,
    Measurement,
    print_line,
    print_report,
)
from bench.servers import CpuSnapshot, Server, ServerError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [
    "full",
    "bare",
    "phone",
    "serial",
    "field_list",
    "field_steps",
    "ranking",
    "matrix",
    "import",
    "kpis",
    "pack",
]
# scenarios that need no server (bench/import_bench.py; issue 6: bench/kpi_bench.py, bench/pack_bench.py)
HTTP_FREE = {"import", "kpis", "pack"}
PROBLEMS = ["空调不制冷，外机不转", "洗衣机脱水时异响很大", "冰箱冷藏室结冰", "热水器点不着火，显示 E1"]
WAITS_SQL = """
SELECT state, coalesce(wait_event_type, '-') AS type, coalesce(wait_event, '-') AS event,
       CASE WHEN wait_event_type = 'Lock' THEN left(regexp_replace(query, '\\s+', ' ', 'g'), 40) END AS query,
       count(*) AS n
FROM pg_stat_activity
WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND state <> 'idle'
GROUP BY 1, 2, 3, 4
"""


@dataclass(frozen=True)
class Scenario:
    name: str
    server: str  # "full" or "bare"
    inputs: str  # "tickets", "phones" or "serials"
    concurrency: int
    expected_status: int
    rate: float = 0.0  # open loop at this many requests/s; 0 = closed loop
    auth: str = "agent"  # whose credentials: "agent" (bearer), "tech" (session cookie), "steps" (bearer)


async def sample_inputs(url: str, seed: int, size: int = 20_000) -> dict[str, list[Request]]:
    """Ticket bodies from units with their owner (kind repair), and existing phones and serials."""
    rng = random.Random(seed)
    connection = await asyncpg.connect(url)
    try:
        units = await connection.fetch("SELECT id, customer, serial_number FROM unit ORDER BY id")
        phones = await connection.fetch("SELECT phone FROM customer_phone ORDER BY id")
    finally:
        await connection.close()
    picked = rng.sample(list(units), min(size, len(units)))
    tickets = [
        Request(
            "POST",
            "/api/tickets",
            msgspec.json.encode(
                {
                    "kind": "repair",
                    "customer_id": row["customer"],
                    "unit_id": row["id"],
                    "description": rng.choice(PROBLEMS),
                    "priority": "normal",
                    "channel": "phone",
                }
            ),
        )
        for row in picked
    ]
    by_phone = [
        Request("GET", f"/api/call-screen?q={row['phone']}")
        for row in rng.sample(list(phones), min(size, len(phones)))
    ]
    by_serial = [Request("GET", f"/api/call-screen?q={quote(row['serial_number'])}") for row in picked]
    rng.shuffle(by_serial)
    return {"tickets": tickets, "phones": by_phone, "serials": by_serial}


async def sample_waits(url: str, database: str, stop: asyncio.Event, every: float = 0.05) -> Counter[str]:
    """How PostgreSQL backends of the bench database spend their time, sampled `1/every` times a second."""
    seen: Counter[str] = Counter()
    connection = await asyncpg.connect(url)
    try:
        while not stop.is_set():
            for row in await connection.fetch(WAITS_SQL, database):
                if row["state"].startswith("idle"):
                    key = "idle in transaction"
                elif row["type"] == "-":
                    key = "on CPU"
                else:
                    key = f"{row['type']}:{row['event']}" + (f" [{row['query']}…]" if row["query"] else "")
                seen[key] += row["n"]
            seen["(samples)"] += 1
            await asyncio.sleep(every)
    finally:
        await connection.close()
    return seen


async def measure(
    scenario: Scenario,
    server: Server,
    requests: list[Request],
    pool: ProcessPoolExecutor,
    args: argparse.Namespace,
    headers: dict[str, str],
) -> Measurement:
    processes = min(args.client_processes, scenario.concurrency)
    start_at = time.time() + 1.5
    specs = [
        LoadSpec(
            base_url=server.base_url,
            requests=requests,
            concurrency=share,
            warmup=args.warmup,
            duration=args.duration,
            start_at=start_at,
            expected_status=scenario.expected_status,
            headers=headers,
            offset=index * len(requests) // processes,
            client=args.client,
            rate=scenario.rate / processes,
        )
        for index, share in enumerate(_split(scenario.concurrency, processes))
    ]
    loop = asyncio.get_running_loop()
    futures = [loop.run_in_executor(pool, run_load, spec) for spec in specs]
    await asyncio.sleep(start_at + args.warmup - time.time())
    stop = asyncio.Event()
    waits_task = asyncio.create_task(sample_waits(args.database_url, args.database, stop))
    before = CpuSnapshot.take(server)
    await asyncio.sleep(args.duration)
    cores = CpuSnapshot.take(server).cores_since(before)
    stop.set()
    result = LoadResult()
    for part in await asyncio.gather(*futures):
        result.merge(part)
    waits = await waits_task
    latencies = sorted(result.latencies)
    return Measurement(
        name=scenario.name,
        rate=scenario.rate,
        completed_per_s=result.in_window / result.window,
        concurrency=scenario.concurrency,
        requests_per_s=len(latencies) / result.window,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        max_ms=(latencies[-1] if latencies else 0.0) * 1000,
        ok=len(latencies),
        errors=result.errors,
        client_cores=result.client_cpu / result.window,
        client_processes=processes,
        server_cores=cores["server"],
        postgres_cores=cores["postgres"],
        machine_cores=cores["machine"],
        waits=waits,
        error_samples=result.error_samples,
    )


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def bearer_token(server: Server, username: str = BENCH_USERNAME) -> str:
    body = {"username": username, "password": BENCH_PASSWORD, "name": "bench"}
    response = httpx.post(f"{server.base_url}/api/auth/token", json=body, timeout=30)
    if response.status_code not in (200, 201):
        raise SystemExit(f"could not get a token ({response.status_code}): {response.text[:300]}")
    return str(response.json()["token"])


def smoke_test(full: Server, bare: Server, inputs: dict[str, list[Request]], headers: dict[str, str]) -> None:
    """One request of each kind must succeed before anything is measured."""
    checks = [
        (full, inputs["tickets"][-1], 201),
        (bare, inputs["tickets"][-1], 201),
        (full, inputs["phones"][-1], 200),
        (full, inputs["serials"][-1], 200),
    ]
    for server, request, expected in checks:
        response = httpx.request(
            request.method,
            server.base_url + request.path,
            content=request.body,
            headers={"content-type": "application/json", **headers},
            timeout=30,
        )
        if response.status_code != expected or (request.method == "GET" and not response.json()):
            raise SystemExit(
                f"smoke test {server.name} {request.path}: {response.status_code} {response.text[:300]}"
            )


def clear_job_queue(redis_url: str) -> int:
    """Drop the arq keys the full app queued in the bench Redis database (nobody runs a worker)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter("arq:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
        return len(keys)
    finally:
        client.close()


def server_env(args: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "PICCOLO_CONF": "piccolo_conf",
        "SERVICE_OPS_SECRET_KEY": "bench-only-secret-key-not-for-production",
    }
    if args.db_pool_size:
        env["SERVICE_OPS_DB_POOL_SIZE"] = str(args.db_pool_size)
    return env


def field_smoke_test(
    full: Server, bare: Server, auth: dict[str, dict[str, str]], order_id: int, scenarios: set[str]
) -> None:
    """The job list answers for bench_tech, and bench_steps can take both steps of one visit."""
    checks: list[tuple[Server, str, str, bytes | None, dict[str, str], int]] = []
    if "field_list" in scenarios:
        checks += [(full, "GET", "/field", None, auth["tech"], 200), (bare, "GET", "/field", None, {}, 200)]
    if "field_steps" in scenarios:
        path = f"/api/work-orders/{order_id}/steps"
        checks += [
            (full, "POST", path, b'{"step": "en_route"}', auth["steps"], 201),
            (full, "POST", path, b'{"step": "arrived"}', auth["steps"], 201),
            (bare, "POST", path, b'{"step": "en_route"}', {}, 201),
        ]
    for server, method, path, body, headers, expected in checks:
        response = httpx.request(
            method,
            server.base_url + path,
            content=body,
            headers={"content-type": "application/json", "idempotency-key": uuid.uuid4().hex, **headers},
            timeout=30,
        )
        if response.status_code != expected:
            raise SystemExit(
                f"smoke test {server.name} {method} {path}: {response.status_code} {response.text[:300]}"
            )


async def field_inputs(args: argparse.Namespace) -> tuple[int, list[list[Request]]]:
    """One visit for the smoke test, and each round's step requests (fresh visits every round)."""
    if "field_steps" not in args.scenarios:
        return 0, []
    order_ids = await step_order_ids(args.database_url)
    per_round = orders_per_round(args.step_rate, args.warmup + args.duration)
    needed = 1 + per_round * args.rounds
    if len(order_ids) < needed:
        raise SystemExit(
            f"{STEPS_USERNAME} has {len(order_ids):,} visits without steps left; this run needs {needed:,} "
            f"({per_round:,} per round): re-run `python -m bench.generate` (--step-orders {needed:,} or more)"
        )
    rounds = [
        step_requests(order_ids[1 + index * per_round : 1 + (index + 1) * per_round], args.step_rate)
        for index in range(args.rounds)
    ]
    return order_ids[0], rounds


async def benchmark(args: argparse.Namespace) -> None:
    log_dir = Path(tempfile.mkdtemp(prefix="service-ops-bench-"))
    env = server_env(args)
    full = Server("full", args.full_app, args.full_port, args.workers, env, PROJECT_ROOT, log_dir)
    bare = Server("bare", "bench.bare_app:app", args.bare_port, args.workers, env, PROJECT_ROOT, log_dir)
    field_list = (args.field_concurrency, 200, args.field_rate, "tech")
    field_steps = (args.step_concurrency, 201, args.step_rate, "steps")
    catalogue: list[tuple[str, Scenario]] = [
        ("full", Scenario("ticket create  full", "full", "tickets", args.concurrency, 201, args.rate)),
        ("bare", Scenario("ticket create  bare", "bare", "tickets", args.concurrency, 201, args.rate)),
        ("phone", Scenario("call-screen    phone", "full", "phones", args.search_concurrency, 200)),
        ("serial", Scenario("call-screen   serial", "full", "serials", args.search_concurrency, 200)),
        ("field_list", Scenario(FIELD_LIST, "full", "field_page", *field_list)),
        ("field_list+bare", Scenario(FIELD_LIST_BARE, "bare", "field_page", *field_list)),
        ("field_steps", Scenario(FIELD_STEPS, "full", "steps", *field_steps)),
        ("field_steps+bare", Scenario(FIELD_STEPS_BARE, "bare", "steps", *field_steps)),
    ]
    # "bare" measures the bare app's counterpart of every selected HTTP scenario that has one
    scenarios = [
        scenario
        for key, scenario in catalogue
        if key in args.scenarios or ("+" in key and set(key.split("+")) <= args.scenarios)
    ]
    clear_job_queue(args.redis_url)
    measured: list[Measurement] = []
    timings: list[Timing] = []
    weight: PageWeight | None = None
    try:
        full.start()
        bare.start()
        full.wait_ready()
        bare.wait_ready()
        auth = {"agent": {"authorization": f"Bearer {bearer_token(full)}"}, "tech": {}, "steps": {}}
        if "field_list" in args.scenarios:
            auth["tech"] = {"cookie": session_cookie(full.base_url, FIELD_USERNAME)}
        if "field_steps" in args.scenarios:
            auth["steps"] = {"authorization": f"Bearer {bearer_token(full, STEPS_USERNAME)}"}
        inputs = await sample_inputs(args.database_url, args.seed)
        inputs["field_page"] = [Request("GET", "/field")]
        smoke_order, step_rounds = await field_inputs(args)
        smoke_test(full, bare, inputs, auth["agent"])
        field_smoke_test(full, bare, auth, smoke_order, args.scenarios)
        if "field_list" in args.scenarios:
            weight = page_weight(full.base_url, auth["tech"])
        print_header(args, log_dir)
        with ProcessPoolExecutor(max_workers=args.client_processes, mp_context=get_context("spawn")) as pool:
            # start the client processes now, so none is still importing when a measurement begins
            list(pool.map(time.sleep, [0.5] * args.client_processes))
            for round_no in range(1, args.rounds + 1):
                for scenario in scenarios:
                    server = full if scenario.server == "full" else bare
                    requests = (
                        step_rounds[round_no - 1] if scenario.inputs == "steps" else inputs[scenario.inputs]
                    )
                    measurement = await measure(scenario, server, requests, pool, args, auth[scenario.auth])
                    measurement.round = round_no
                    print_line(measurement)
                    measured.append(measurement)
                timings += await measure_issue3(args, full, auth["agent"], round_no)
    finally:
        full.stop()
        bare.stop()
        queued = clear_job_queue(args.redis_url)
    print_report(measured, args, queued, weight)
    print_timings(timings)


async def measure_issue3(
    args: argparse.Namespace, full: Server, headers: dict[str, str], round_no: int
) -> list[Timing]:
    """Ranking outlets for a ticket (in this process) and the 50-staff qualification matrix (HTTP)."""
    timings: list[Timing] = []
    if "ranking" in args.scenarios:
        timings += await measure_ranking(args.database_url, args.seed + round_no, args.ranking_calls, 50)
    if "matrix" in args.scenarios:
        user_ids = await matrix_user_ids(args.database_url)
        timings.append(measure_matrix(full.base_url, headers, user_ids, args.matrix_requests))
    for timing in timings:
        timing.round = round_no
        print_timing(timing)
    return timings


def print_header(args: argparse.Namespace, log_dir: Path) -> None:
    if args.rate:
        mode = (
            f"OPEN loop, {args.rate:g} requests/s due, at most {args.concurrency} in flight; "
            "latency counted from when each request was due"
        )
    else:
        mode = f"closed loop, {args.concurrency} clients sending back to back (saturation)"
    lines = [
        f"Code: {code_version()}",
        f"Servers: uvicorn --workers {args.workers} --no-access-log --log-level warning on 127.0.0.1 "
        f"(full :{args.full_port}, bare :{args.bare_port}); logs in {log_dir}",
        f"Full app: {args.full_app}, DATABASE_URL={args.database_url}",
        f"  REDIS_URL={args.redis_url}: ticket-confirmation jobs are queued in Redis, not run in-process "
        "(no worker consumes them; the keys are removed afterwards)",
        f"Load: {args.client_processes} {args.client} client process(es); warm-up {args.warmup:g}s excluded, "
        f"{args.duration:g}s measured per scenario, {args.rounds} round(s)",
        f"Ticket creation: {mode}",
        f"Call-screen search: closed loop, {args.search_concurrency} clients",
        f"Field job list: GET /field as {FIELD_USERNAME} (session cookie), open loop "
        f"{args.field_rate:g}/s, <= {args.field_concurrency} in flight",
        f"Field steps: POST /api/work-orders/{{id}}/steps as {STEPS_USERNAME} (bearer), open loop "
        f"{args.step_rate:g}/s, <= {args.step_concurrency} in flight, fresh visits each round",
        f"CPU shown in cores (this machine has {os.cpu_count()}); 'other' = everything else running on it",
        "",
    ]
    print("\n".join(lines), flush=True)


def code_version() -> str:
    """The commit measured, and whether the working tree had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "log", "-1", "--format=%h %cI"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head}" + (" + uncommitted changes" if dirty else "")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per scenario")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each scenario")
    parser.add_argument("--concurrency", type=int, default=50, help="clients creating tickets")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="open loop: ticket requests due per second (at most --concurrency in flight); 0 = closed loop",
    )
    parser.add_argument("--search-concurrency", type=int, default=10, help="clients searching")
    parser.add_argument(
        "--field-rate", type=float, default=50.0, help="job-list pages due per second (open loop)"
    )
    parser.add_argument(
        "--field-concurrency", type=int, default=10, help="job-list requests in flight, at most"
    )
    parser.add_argument(
        "--step-rate", type=float, default=200.0, help="step submissions due per second (open loop)"
    )
    parser.add_argument("--step-concurrency", type=int, default=50, help="step requests in flight, at most")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers for both servers")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client-processes", type=int, default=1, help="load-generator processes")
    parser.add_argument(
        "--client", choices=["raw", "httpx"], default="raw", help="raw asyncio+httptools (light) or httpx"
    )
    parser.add_argument(
        "--db-pool-size", type=int, default=None, help="SERVICE_OPS_DB_POOL_SIZE (app default)"
    )
    parser.add_argument(
        "--full-app",
        default="service_ops.asgi:app",
        help="ASGI app to measure as 'full' (e.g. a branch's variant)",
    )
    parser.add_argument("--full-port", type=int, default=8810)
    parser.add_argument("--bare-port", type=int, default=8811)
    parser.add_argument("--seed", type=int, default=1, help="which customers, units, phones are used")
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIOS),
        help=f"subset of {','.join(SCENARIOS)} (default all)",
    )
    parser.add_argument(
        "--ranking-calls", type=int, default=500, help="rankings timed per round (+50 warm-up)"
    )
    parser.add_argument(
        "--matrix-requests", type=int, default=100, help="matrix pages per round (+10 warm-up)"
    )
    parser.add_argument(
        "--import-scale",
        type=float,
        default=0.1,
        help="history-import scenario: bundle size (1.0 = 1M tickets; bench.import_bench)",
    )
    parser.add_argument(
        "--kpi-rounds", type=int, default=5, help="kpis scenario: rounds per measurement (bench.kpi_bench)"
    )
    args = parser.parse_args(argv)
    args.scenarios = {name.strip() for name in args.scenarios.split(",")}
    if not args.scenarios <= set(SCENARIOS):
        parser.error(f"--scenarios: choose from {', '.join(SCENARIOS)}")
    args.database = args.database_url.rsplit("/", 1)[-1]
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    try:
        if args.scenarios - HTTP_FREE:
            asyncio.run(benchmark(args))
    except ServerError as error:
        raise SystemExit(f"bench.run: {error}") from None
    if "import" in args.scenarios:
        from bench import import_bench

        import_bench.main(["--scale", str(args.import_scale)])
    if "kpis" in args.scenarios:
        from bench import kpi_bench

        kpi_bench.main(["--database-url", args.database_url, "--rounds", str(args.kpi_rounds)])
    if "pack" in args.scenarios:
        from bench import pack_bench

        pack_bench.main(["--database-url", args.database_url])


if __name__ == "__main__":
    main()
