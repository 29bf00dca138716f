"""The arq worker: every domain's jobs, supervised so a Redis restart does not stop background work."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq import cron
from arq.worker import Worker

from service_ops import db
from service_ops.queue import JobFunction, Periodic, deserialize, redis_settings, serialize
from service_ops.settings import Settings, get_settings

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 30.0


def _task_modules() -> list[Any]:
    """The single list of job modules (assembly point, like the app factory)."""
    from audit_export import tasks as audit_export_tasks
    from outlets import tasks as outlet_tasks
    from service_ops.documents import tasks as document_tasks
    from tickets import tasks as ticket_tasks
    from training import tasks as training_tasks

    return [
        document_tasks,
        training_tasks,
        outlet_tasks,
        ticket_tasks,
        audit_export_tasks,
    ]


def job_functions() -> list[JobFunction]:
    return [function for module in _task_modules() for function in module.FUNCTIONS]


def periodic_jobs() -> list[Periodic]:
    jobs: list[Periodic] = [job for module in _task_modules() for job in module.PERIODIC]
    return jobs


async def _startup(ctx: dict[Any, Any]) -> None:
    from service_ops.app import wire_domains

    wire_domains()
    await db.start_pool()


async def _shutdown(ctx: dict[Any, Any]) -> None:
    await db.close_pool()


def _cron(job: Periodic) -> Any:
    """Every `minutes` within the hour, or every `minutes // 60` hours on the hour (daily: midnight)."""
    function: Any = job.function
    if job.minutes < 60:
        return cron(function, minute=set(range(0, 60, job.minutes)), run_at_startup=False)
    hours = set(range(0, 24, max(job.minutes // 60, 1)))
    return cron(function, hour=hours, minute={0}, run_at_startup=False)


def build_worker(settings: Settings, burst: bool = False) -> Worker:
    assert settings.redis_url, "the worker needs REDIS_URL"
    return Worker(
        functions=job_functions(),  # type: ignore[arg-type]
        cron_jobs=[_cron(job) for job in periodic_jobs()],
        redis_settings=redis_settings(settings.redis_url),
        job_serializer=serialize,
        job_deserializer=deserialize,
        on_startup=_startup,
        on_shutdown=_shutdown,
        burst=burst,
        handle_signals=False,
        max_jobs=20,
    )


async def run_supervised(settings: Settings | None = None, burst: bool = False) -> None:
    """Run the worker; if Redis goes away, restart it with back-off instead of exiting."""
    settings = settings or get_settings()
    backoff = 1.0
    while True:
        worker = build_worker(settings, burst=burst)
        try:
            await worker.main()
            if burst:
                return
            backoff = 1.0
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("worker stopped; restarting in %.0f s", backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)
        finally:
            await worker.close()
