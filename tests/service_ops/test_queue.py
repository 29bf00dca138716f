"""Job queue glue: jobs only after commit, in-process without Redis, and a worker that survives Redis."""

from __future__ import annotations

from typing import Any

import pytest

from service_ops import queue, worker
from service_ops.settings import get_settings
from service_ops.uow import unit_of_work


async def test_job_is_not_queued_when_the_transaction_rolls_back(
    system: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[str] = []

    async def fake_enqueue(name: str, **kwargs: Any) -> None:
        queued.append(name)

    monkeypatch.setattr(queue, "enqueue", fake_enqueue)
    with pytest.raises(ValueError):
        async with unit_of_work(system) as uow:
            uow.record("tests.nothing", "test", 1)
            queue.enqueue_after_commit(uow, "send_ticket_confirmation", ticket_id=1)
            raise ValueError("boom")
    assert queued == []

    async with unit_of_work(system) as uow:
        uow.record("tests.something", "test", 2)
        queue.enqueue_after_commit(uow, "send_ticket_confirmation", ticket_id=2)
        assert queued == [], "not before the commit"
    assert queued == ["send_ticket_confirmation"]


async def test_payloads_are_json() -> None:
    assert queue.deserialize(queue.serialize({"ticket_id": 7})) == {"ticket_id": 7}


async def test_worker_restarts_after_redis_goes_away(monkeypatch: pytest.MonkeyPatch) -> None:
    """arq's worker exits when Redis disappears; the supervisor starts a new one after a pause."""
    attempts: list[int] = []

    class FlakyWorker:
        async def main(self) -> None:
            attempts.append(1)
            if len(attempts) == 1:
                raise ConnectionError("redis went away")

        async def close(self) -> None:
            return None

    async def no_sleep(_: float) -> None:
        return None

    monkeypatch.setattr(worker, "build_worker", lambda settings, burst=False: FlakyWorker())
    monkeypatch.setattr(worker.asyncio, "sleep", no_sleep)
    await worker.run_supervised(get_settings(), burst=True)
    assert len(attempts) == 2


def test_every_task_is_registered_for_the_worker() -> None:
    names = {function.__name__ for function in worker.job_functions()}
    assert "send_ticket_confirmation" in names


def test_daily_jobs_run_once_a_day() -> None:
    async def job(ctx: dict[str, Any]) -> None:
        return None

    daily = worker._cron(queue.Periodic(job, minutes=1440))
    assert (daily.hour, daily.minute) == ({0}, {0})
    every_five = worker._cron(queue.Periodic(job, minutes=5))
    assert every_five.minute == set(range(0, 60, 5))
