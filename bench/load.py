"""HTTP load: N concurrent clients, each on its own keep-alive connection.

Closed loop (default): each client sends its next request as soon as the previous one is answered,
so the server is saturated and latency ≈ clients / throughput. Open loop (`rate`): requests are due
at a fixed rate and wait for a free client; latency counts from when a request was due. Requests due
during the warm-up are not counted; requests due in the measured window are counted with
their full latency even if they finish after it. The process reports its own CPU time over the
window so a saturated client (≈ 1 core) can be told apart from a saturated server.

Two clients: `raw` (default) writes pre-built HTTP/1.1 requests on asyncio connections and parses
answers with httptools (uvicorn's parser): ~10x less CPU per request than `httpx`, which on this
machine saturates one core near 500-700 req/s and so cannot measure the bare baseline.
"""

from __future__ import annotations

import asyncio
import math
import resource
import time
from dataclasses import dataclass, field
from typing import cast

import httptools
import httpx


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()  # this request's own, e.g. an Idempotency-Key


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
    client: str = "raw"  # "raw" or "httpx"
    rate: float = 0.0  # requests per second due (open loop); 0 = closed loop


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    window: float = 0.0
    client_cpu: float = 0.0  # CPU seconds this process used during the window
    in_window: int = 0  # successful answers received during the window (whenever they were due)

    def merge(self, other: LoadResult) -> None:
        self.latencies += other.latencies
        self.in_window += other.in_window
        self.errors += other.errors
        self.error_samples += other.error_samples[: max(0, 5 - len(self.error_samples))]
        self.window = max(self.window, other.window)
        self.client_cpu += other.client_cpu


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: write a request, wait for the whole response."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result((self.parser.get_status_code(), b"".join(self.body)))

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection closed: {exc}"))

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.body = []
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


def _raw_requests(spec: LoadSpec) -> list[bytes]:
    host = spec.base_url.split("://", 1)[1]
    headers = {"host": host, "content-type": "application/json", **spec.headers}
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    built = []
    for request in spec.requests:
        body = request.body or b""
        length = f"content-length: {len(body)}\r\n" if request.body is not None else ""
        own = "".join(f"{name}: {value}\r\n" for name, value in request.headers)
        built.append(f"{request.method} {request.path} HTTP/1.1\r\n{head}{own}{length}\r\n".encode() + body)
    return built


class _RawClient:
    """One simulated client on its own connection, reconnecting if the server closes it."""

    def __init__(self, spec: LoadSpec, built: list[bytes]) -> None:
        self.host, port = spec.base_url.split("://", 1)[1].rsplit(":", 1)
        self.port, self.built = int(port), built
        self.connection: _Connection | None = None

    async def send(self, index: int) -> tuple[int, bytes]:
        if self.connection is None or self.connection.transport is None:
            loop = asyncio.get_running_loop()
            _, self.connection = await loop.create_connection(_Connection, self.host, self.port)
        try:
            return await self.connection.send(self.built[index % len(self.built)])
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None and self.connection.transport is not None:
            self.connection.transport.close()
        self.connection = None


class _HttpxClient:
    def __init__(self, spec: LoadSpec, client: httpx.AsyncClient) -> None:
        self.spec, self.client = spec, client

    async def send(self, index: int) -> tuple[int, bytes]:
        request = self.spec.requests[index % len(self.spec.requests)]
        response = await self.client.request(
            request.method, request.path, content=request.body, headers=dict(request.headers)
        )
        return response.status_code, response.content

    def close(self) -> None:
        pass


Client = _RawClient | _HttpxClient


class _Run:
    """One load run in one process: the clients, the measured window, and what was seen."""

    def __init__(self, spec: LoadSpec, clients: list[Client]) -> None:
        self.spec, self.clients = spec, clients
        self.result = LoadResult()
        begin = time.perf_counter()
        self.begin, self.measure_from = begin, begin + spec.warmup
        self.stop = begin + spec.warmup + spec.duration
        self.position = spec.offset

    async def call(self, client: Client, started: float) -> None:
        """Send the next request; record it if it was due inside the measured window."""
        self.position += 1
        try:
            status, body = await asyncio.wait_for(client.send(self.position), 30.0)
            problem = None if status == self.spec.expected_status else f"{status}: {body[:200]!r}"
        except (OSError, httpx.HTTPError, TimeoutError) as error:
            problem = f"{type(error).__name__}: {error}"
        finished = time.perf_counter()
        if problem is None and self.measure_from <= finished <= self.stop:
            self.result.in_window += 1
        if started < self.measure_from:
            return
        if problem is None:
            self.result.latencies.append(finished - started)
        else:
            self.result.errors += 1
            if len(self.result.error_samples) < 5:
                self.result.error_samples.append(problem)

    async def closed_loop(self) -> None:
        """Each client sends its next request as soon as the previous one is answered."""

        async def client_loop(client: Client) -> None:
            while (started := time.perf_counter()) < self.stop:
                await self.call(client, started)

        await asyncio.gather(*(client_loop(client) for client in self.clients))

    async def open_loop(self, rate: float) -> None:
        """Requests are due at a fixed rate; latency counts from when a request was due, so waiting
        for a free client (all `concurrency` busy) is part of it (no coordinated omission)."""
        free: asyncio.Queue[Client] = asyncio.Queue()
        for client in self.clients:
            free.put_nowait(client)
        pending: set[asyncio.Task[None]] = set()

        async def one(due: float) -> None:
            client = await free.get()
            try:
                await self.call(client, due)
            finally:
                free.put_nowait(client)

        due = self.begin
        while due < self.stop:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            task = asyncio.create_task(one(due))
            pending.add(task)
            task.add_done_callback(pending.discard)
            due += 1.0 / rate
        await asyncio.gather(*pending)

    async def cpu_meter(self) -> None:
        await asyncio.sleep(max(0.0, self.measure_from - time.perf_counter()))
        cpu_before = _cpu_seconds()
        await asyncio.sleep(max(0.0, self.stop - time.perf_counter()))
        self.result.client_cpu = _cpu_seconds() - cpu_before


async def _load(spec: LoadSpec) -> LoadResult:
    limits = httpx.Limits(max_connections=spec.concurrency, max_keepalive_connections=spec.concurrency)
    headers = {"content-type": "application/json", **spec.headers}
    async with httpx.AsyncClient(
        base_url=spec.base_url, headers=headers, limits=limits, timeout=httpx.Timeout(30.0)
    ) as http:
        built = _raw_requests(spec)
        clients: list[Client] = [
            _RawClient(spec, built) if spec.client == "raw" else _HttpxClient(spec, http)
            for _ in range(spec.concurrency)
        ]
        await asyncio.sleep(max(0.0, spec.start_at - time.time()))
        run = _Run(spec, clients)
        driver = run.open_loop(spec.rate) if spec.rate else run.closed_loop()
        await asyncio.gather(run.cpu_meter(), driver)
        for client in clients:
            client.close()
        run.result.window = spec.duration
    return run.result


def run_load(spec: LoadSpec) -> LoadResult:
    """Entry point for a client process (uses uvloop when installed, like the servers)."""
    try:
        import uvloop

        return uvloop.run(_load(spec))
    except ImportError:
        return asyncio.run(_load(spec))


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty list)."""
    if not sorted_values:
        return 0.0
    rank = min(len(sorted_values), max(1, math.ceil(share * len(sorted_values))))
    return sorted_values[rank - 1]
