"""Printing what `bench.run` measured: one line per scenario and round, then one table of medians."""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from dataclasses import dataclass, field

from bench.field_bench import PageWeight

TICKET_P99_TARGET_MS = 50.0
SEARCH_P99_TARGET_MS = 30.0
FIELD_LIST_P99_TARGET_MS = 30.0
STEP_P99_TARGET_MS = 50.0
STEP_RATE_TARGET = 200.0
PAGE_WEIGHT_TARGET_KB = 30.0
SUSTAINED_SHARE = 0.98  # of the due rate answered inside the window, with no errors: "sustained"
FIELD_LIST, FIELD_LIST_BARE = "field list     full", "field list     bare"
FIELD_STEPS, FIELD_STEPS_BARE = "field steps    full", "field steps    bare"
CLIENT_BOUND_CORES = 0.85  # one Python process cannot use more than one core


@dataclass
class Measurement:
    name: str
    concurrency: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    ok: int
    errors: int
    client_cores: float
    client_processes: int
    server_cores: float
    postgres_cores: float
    machine_cores: float
    waits: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    round: int = 0
    completed_per_s: float = 0.0  # answered during the window: below an open loop's rate = fell behind
    rate: float = 0.0  # open loop: requests due per second; 0 = closed loop

    @property
    def other_cores(self) -> float:
        """CPU used by everything else on the machine (other people's work: noise)."""
        return max(0.0, self.machine_cores - self.client_cores - self.server_cores - self.postgres_cores)

    @property
    def client_bound(self) -> bool:
        """A client process near one full core, or a client busier than the server it drives."""
        saturated = self.client_cores / self.client_processes >= CLIENT_BOUND_CORES
        return saturated or self.client_cores > self.server_cores


def print_line(m: Measurement) -> None:
    print(
        f"round {m.round}  {m.name:<21} c={m.concurrency:<3} {m.requests_per_s:8.0f} req/s  "
        f"p50 {m.p50_ms:6.1f} ms  p99 {m.p99_ms:6.1f} ms  max {m.max_ms:6.0f} ms  errors {m.errors:<4} "
        f"| cores: client {m.client_cores:.2f}  server {m.server_cores:.2f}  "
        f"postgres {m.postgres_cores:.2f}  other {m.other_cores:.2f}",
        flush=True,
    )
    for sample in m.error_samples[:3]:
        print(f"    error: {sample}")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _summary(measured: list[Measurement]) -> dict[str, dict[str, float]]:
    names = list(dict.fromkeys(m.name for m in measured))
    table: dict[str, dict[str, float]] = {}
    for name in names:
        runs = [m for m in measured if m.name == name]
        table[name] = {
            key: _median([getattr(m, key) for m in runs])
            for key in (
                "requests_per_s",
                "p50_ms",
                "p99_ms",
                "client_cores",
                "server_cores",
                "postgres_cores",
                "other_cores",
                "completed_per_s",
            )
        }
        table[name]["rate"] = runs[0].rate
        table[name]["errors"] = sum(m.errors for m in runs)
        table[name]["worst_p99_ms"] = max(m.p99_ms for m in runs)
        table[name]["concurrency"] = runs[0].concurrency
        table[name]["client_bound_rounds"] = sum(m.client_bound for m in runs)
        table[name]["rounds"] = len(runs)
    return table


def _verdict(value: float, target: float) -> str:
    return f"{'MET' if value < target else 'NOT MET'} ({value:.1f} ms vs < {target:g} ms)"


def print_report(
    measured: list[Measurement], args: argparse.Namespace, queued_jobs: int, weight: PageWeight | None = None
) -> None:
    if not measured and weight is None:
        return
    if not measured:
        _print_field(args, {}, weight)
        return
    table = _summary(measured)
    rounds = max(m.round for m in measured)
    print(
        f"\n=== Medians over {rounds} round(s), {args.duration:g}s each, {args.workers} uvicorn workers ==="
    )
    print(
        f"{'scenario':<22}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'worst p99':>10}{'errors':>8}"
        f"{'client':>8}{'server':>8}{'postgres':>9}{'other':>8}   (CPU in cores)"
    )
    for name, row in table.items():
        print(
            f"{name:<22}{row['concurrency']:>8.0f}{row['requests_per_s']:>9.0f}{row['p50_ms']:>9.1f}"
            f"{row['p99_ms']:>9.1f}{row['worst_p99_ms']:>10.1f}{row['errors']:>8.0f}{row['client_cores']:>8.2f}"
            f"{row['server_cores']:>8.2f}{row['postgres_cores']:>9.2f}{row['other_cores']:>8.2f}"
        )
    full, bare = table.get("ticket create  full"), table.get("ticket create  bare")
    print()
    if full and bare and bare["requests_per_s"] and full["requests_per_s"] and args.rate:
        print(
            f"full / bare at the same offered load: p99 {full['p99_ms'] / max(bare['p99_ms'], 1e-9):.1f}x, "
            f"p50 {full['p50_ms'] / max(bare['p50_ms'], 1e-9):.1f}x"
        )
    elif full and bare and bare["requests_per_s"] and full["requests_per_s"]:
        print(
            f"full / bare: throughput {full['requests_per_s'] / bare['requests_per_s']:.3f}x "
            f"(bare does {bare['requests_per_s'] / full['requests_per_s']:.1f}x the requests), "
            f"p99 {full['p99_ms'] / max(bare['p99_ms'], 1e-9):.1f}x, "
            f"p50 {full['p50_ms'] / max(bare['p50_ms'], 1e-9):.1f}x"
        )
    if full and args.rate:
        print(
            f"open loop: {args.rate:g} ticket requests/s were due; the full app completed "
            f"{full['requests_per_s']:.0f}/s (if lower, it could not keep up and requests queued)"
        )
    elif full and full["requests_per_s"]:
        mean_ms = 1000 * full["concurrency"] / full["requests_per_s"]
        print(
            f"closed loop: mean latency ≈ clients / throughput = {full['concurrency']:.0f} / "
            f"{full['requests_per_s']:.0f} = {mean_ms:.1f} ms (full); "
            f"a p99 under {TICKET_P99_TARGET_MS:g} ms at {full['concurrency']:.0f} clients needs more than "
            f"{1000 * full['concurrency'] / TICKET_P99_TARGET_MS:.0f} req/s"
        )
    if full or "call-screen    phone" in table or "call-screen   serial" in table:
        print("targets:")
    if full:
        print(
            f"  ticket creation p99 at {full['concurrency']:.0f} clients"
            + (f", {args.rate:g} req/s due: " if args.rate else " (closed loop): ")
            + f"{_verdict(full['p99_ms'], TICKET_P99_TARGET_MS)}"
        )
    for name in ("call-screen    phone", "call-screen   serial"):
        if name in table:
            print(
                f"  {name.split()[-1]} search p99 at {table[name]['concurrency']:.0f} clients: "
                f"{_verdict(table[name]['p99_ms'], SEARCH_P99_TARGET_MS)}"
            )
    _print_field(args, table, weight)
    _print_client_check(table)
    _print_waits(measured)
    print(f"jobs left in Redis by the full app and removed afterwards: {queued_jobs} arq keys")


def _print_client_check(table: dict[str, dict[str, float]]) -> None:
    print("load generator:")
    for name, row in table.items():
        bound = row["client_bound_rounds"]
        verdict = (
            f"CLIENT-BOUND in {bound:.0f}/{row['rounds']:.0f} rounds (the server can do more than shown)"
            if bound
            else "not the bottleneck"
        )
        print(f"  {name:<22} client used {row['client_cores']:.2f} cores: {verdict}")


def _print_waits(measured: list[Measurement]) -> None:
    for name in ("ticket create  full", "call-screen    phone", FIELD_LIST, FIELD_STEPS):
        waits: Counter[str] = Counter()
        for m in measured:
            if m.name == name:
                waits.update(m.waits)
        samples = waits.pop("(samples)", 0)
        if not samples:
            continue
        busy = sum(waits.values()) / samples
        top = ", ".join(f"{key} {count / samples:.1f}" for key, count in waits.most_common(6))
        print(f"PostgreSQL backends busy during '{name.strip()}' (avg {busy:.1f}): {top}")


def _kb(size: float) -> str:
    return f"{size / 1024:.1f} KB"


def _cpu_ms(row: dict[str, float], key: str) -> float:
    """CPU per request answered during the window (ms) of the server's processes or PostgreSQL's."""
    return 1000 * row[key] / row["completed_per_s"] if row["completed_per_s"] else 0.0


def _print_field(
    args: argparse.Namespace, table: dict[str, dict[str, float]], weight: PageWeight | None
) -> None:
    """The technician pages: page weight, full / bare at the same offered load, and the targets."""
    full_list, bare_list = table.get(FIELD_LIST), table.get(FIELD_LIST_BARE)
    full_steps, bare_steps = table.get(FIELD_STEPS), table.get(FIELD_STEPS_BARE)
    if weight is None and not full_list and not full_steps:
        return
    print("technician field pages:")
    if weight is not None:
        parts = " + ".join(
            f"{t.path} {_kb(t.body_bytes)}" + ("" if t.encoding else " (NOT compressed)")
            for t in weight.transfers
        )
        print(
            f"  job list, first visit with Accept-Encoding: gzip: {parts} = {_kb(weight.body_bytes)} "
            "transferred "
            f"({_kb(weight.plain_bytes)} uncompressed; response headers {_kb(weight.header_bytes)} more); "
            f"repeat visits (CSS / JS cached): {_kb(weight.transfers[0].body_bytes)}"
        )
    for full, bare, what in ((full_list, bare_list, "job list"), (full_steps, bare_steps, "steps")):
        if not full:
            continue
        line = (
            f"  {what}: {full['rate']:g} req/s due (open loop, <= {full['concurrency']:.0f} in flight), "
            f"{full['completed_per_s']:.0f}/s answered during the window; CPU per answer: app "
            f"{_cpu_ms(full, 'server_cores'):.1f} ms + PostgreSQL {_cpu_ms(full, 'postgres_cores'):.1f} ms"
        )
        if bare and bare["p99_ms"] and bare["p50_ms"]:
            line += (
                f"; full / bare at the same load: p50 {full['p50_ms'] / bare['p50_ms']:.1f}x, "
                f"p99 {full['p99_ms'] / bare['p99_ms']:.1f}x "
                f"(bare app {_cpu_ms(bare, 'server_cores'):.2f} ms CPU)"
            )
        print(line)
    print("targets (technician pages):")
    if weight is not None:
        kb = weight.body_bytes / 1024
        verdict = "MET" if kb < PAGE_WEIGHT_TARGET_KB else "NOT MET"
        print(
            f"  job list transferred (HTML + CSS + JS, compressed): {verdict} "
            f"({kb:.1f} KB vs < {PAGE_WEIGHT_TARGET_KB:g} KB)"
        )
    if full_list:
        print(
            f"  job list p99 at {full_list['rate']:g} req/s: "
            f"{_verdict(full_list['p99_ms'], FIELD_LIST_P99_TARGET_MS)}"
        )
    if full_steps:
        kept_up = (
            full_steps["completed_per_s"] >= SUSTAINED_SHARE * full_steps["rate"] and not full_steps["errors"]
        )
        sustained = full_steps["rate"] >= STEP_RATE_TARGET and kept_up
        print(
            f"  step submissions {STEP_RATE_TARGET:g}/s sustained: {'MET' if sustained else 'NOT MET'} "
            f"({full_steps['rate']:g}/s due, {full_steps['completed_per_s']:.0f}/s answered during "
            "the window, "
            f"{full_steps['errors']:.0f} errors); p99: {_verdict(full_steps['p99_ms'], STEP_P99_TARGET_MS)}"
        )
