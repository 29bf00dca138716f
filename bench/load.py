"""Closed-loop HTTP load: N concurrent clients on one httpx AsyncClient per process.

Each client sends its next request as soon as the previous one is answered. Requests that start
during the warm-up are not counted; requests that start in the measured window are counted with
their full latency even if they finish after it. The process reports its own CPU time over the
window so a saturated client (≈ 1 core) can be told apart from a saturated server.
"""

from __future__ import annotations

import asyncio
import math
import resource
import time
from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None


@dataclass(frozen=True)
class LoadSpec:
    """What one client process does; `start_at` is a wall-clock time shared by all processes."""

    base_url: str
    requests: list[Request]
    concurrency: int
    warmup: float
    duration: float
    start_at: float
    expected_status: int
    headers: dict[str, str] = field(default_factory=dict)
    offset: int = 0  # where this process starts in `requests`, so processes send different bodies


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    window: float = 0.0
    client_cpu: float = 0.0  # CPU seconds this process used during the window

    def merge(self, other: LoadResult) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.error_samples += other.error_samples[: max(0, 5 - len(self.error_samples))]
        self.window = max(self.window, other.window)
        self.client_cpu += other.client_cpu


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _closed_loop(spec: LoadSpec) -> LoadResult:
    result = LoadResult()
    limits = httpx.Limits(max_connections=spec.concurrency, max_keepalive_connections=spec.concurrency)
    headers = {"content-type": "application/json", **spec.headers}
    async with httpx.AsyncClient(
        base_url=spec.base_url, headers=headers, limits=limits, timeout=httpx.Timeout(30.0)
    ) as client:
        await asyncio.sleep(max(0.0, spec.start_at - time.time()))
        begin = time.perf_counter()
        measure_from, stop = begin + spec.warmup, begin + spec.warmup + spec.duration
        position = spec.offset

        async def client_loop() -> None:
            nonlocal position
            while (started := time.perf_counter()) < stop:
                request = spec.requests[position % len(spec.requests)]
                position += 1
                try:
                    response = await client.request(request.method, request.path, content=request.body)
                    problem = None if response.status_code == spec.expected_status else response.text[:200]
                    if problem is not None:
                        problem = f"{response.status_code}: {problem}"
                except httpx.HTTPError as error:
                    problem = f"{type(error).__name__}: {error}"
                if started < measure_from:
                    continue
                if problem is None:
                    result.latencies.append(time.perf_counter() - started)
                else:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(problem)

        async def cpu_meter() -> None:
            await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
            cpu_before = _cpu_seconds()
            await asyncio.sleep(max(0.0, stop - time.perf_counter()))
            result.client_cpu = _cpu_seconds() - cpu_before

        await asyncio.gather(cpu_meter(), *(client_loop() for _ in range(spec.concurrency)))
        result.window = spec.duration
    return result


def run_load(spec: LoadSpec) -> LoadResult:
    """Entry point for a client process (uses uvloop when installed, like the servers)."""
    try:
        import uvloop

        return uvloop.run(_closed_loop(spec))
    except ImportError:
        return asyncio.run(_closed_loop(spec))


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty list)."""
    if not sorted_values:
        return 0.0
    rank = min(len(sorted_values), max(1, math.ceil(share * len(sorted_values))))
    return sorted_values[rank - 1]
