"""Background jobs: arq on Redis when REDIS_URL is set, otherwise run in this process.

Jobs are enqueued only after the transaction that asked for them commits (`enqueue_after_commit`).
Payloads are JSON (ids, not objects); jobs must be safe to run twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool

from service_ops import context
from service_ops.settings import Settings
from service_ops.uow import UnitOfWork

log = logging.getLogger(__name__)
JobFunction = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Periodic:
    """A job run every `minutes` (arq cron in the worker, a loop in-process)."""

    function: JobFunction
    minutes: int


def serialize(data: dict[str, Any]) -> bytes:
    return json.dumps(data, default=str).encode("utf-8")


def deserialize(raw: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(raw)
    return loaded


def redis_settings(url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 2
    return settings


class _Queue:
    def __init__(self) -> None:
        self.pool: ArqRedis | None = None
        self.functions: dict[str, JobFunction] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.periodic_tasks: list[asyncio.Task[Any]] = []


_queue = _Queue()


async def start(settings: Settings, run_periodic: bool = True) -> None:
    """Connect to Redis (production) or prepare in-process execution (embedded default)."""
    from service_ops.worker import job_functions, periodic_jobs

    _queue.functions = {function.__name__: function for function in job_functions()}
    if settings.redis_url:
        _queue.pool = await create_pool(
            redis_settings(settings.redis_url), job_serializer=serialize, job_deserializer=deserialize
        )
    elif run_periodic:
        _queue.periodic_tasks = [asyncio.create_task(_every(job)) for job in periodic_jobs()]


async def stop() -> None:
    for task in _queue.periodic_tasks:
        task.cancel()
    _queue.periodic_tasks = []
    await drain()
    if _queue.pool is not None:
        await _queue.pool.aclose()
        _queue.pool = None


async def enqueue(name: str, **kwargs: Any) -> None:
    """Queue job `name` now (call after commit; see `enqueue_after_commit`)."""
    if _queue.pool is not None:
        await _queue.pool.enqueue_job(name, **kwargs)
        return
    function = _queue.functions.get(name)
    if function is None:
        raise LookupError(f"unknown job {name!r}")
    task = asyncio.create_task(_run_in_process(function, kwargs), name=f"job:{name}")
    _queue.tasks.add(task)
    task.add_done_callback(_queue.tasks.discard)


def enqueue_after_commit(uow: UnitOfWork, name: str, **kwargs: Any) -> None:
    async def _enqueue() -> None:
        await enqueue(name, **kwargs)

    uow.after_commit(_enqueue)


async def _run_in_process(function: JobFunction, kwargs: dict[str, Any]) -> None:
    token = context.request_id.set(None)
    try:
        await function({"in_process": True}, **kwargs)
    except Exception:
        log.exception("in-process job %s failed", function.__name__)
    finally:
        context.request_id.reset(token)


async def _every(job: Periodic) -> None:
    while True:
        await asyncio.sleep(job.minutes * 60)
        await _run_in_process(job.function, {})


async def drain() -> None:
    """Wait for in-process jobs to finish (tests, shutdown)."""
    while _queue.tasks:
        await asyncio.gather(*list(_queue.tasks), return_exceptions=True)
