"""Printing what `bench.run` measured: one line per scenario and round, then one table of medians."""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from dataclasses import dataclass, field

TICKET_P99_TARGET_MS = 50.0
SEARCH_P99_TARGET_MS = 30.0
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
            )
        }
        table[name]["errors"] = sum(m.errors for m in runs)
        table[name]["worst_p99_ms"] = max(m.p99_ms for m in runs)
        table[name]["concurrency"] = runs[0].concurrency
        table[name]["client_bound_rounds"] = sum(m.client_bound for m in runs)
        table[name]["rounds"] = len(runs)
    return table


def _verdict(value: float, target: float) -> str:
    return f"{'MET' if value < target else 'NOT MET'} ({value:.1f} ms vs < {target:g} ms)"


def print_report(measured: list[Measurement], args: argparse.Namespace, queued_jobs: int) -> None:
    if not measured:
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
    for name in ("ticket create  full", "call-screen    phone"):
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
