"""Background jobs of audit_export: the live snapshot of the current month, building requested
evidence packs (with a sweeper that queues again a pack whose job was lost), and running an
uploaded history import. Every job is safe to run twice.

The snapshot runs every SERVICE_OPS_SNAPSHOT_MINUTES (default 60). Settings are read when the
worker asks for `PERIODIC` (module `__getattr__`), never at import time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from audit_export.pack.queries import stale_pack_ids
from audit_export.period import Period
from service_ops import clock
from service_ops.actor import system_actor
from service_ops.queue import JobFunction, Periodic, enqueue
from service_ops.settings import get_settings

SWEEP_EVERY_MINUTES = 15
QUEUED_FOR = timedelta(minutes=10)
RUNNING_FOR = timedelta(hours=3)
"""Longer than the largest pack takes (a year of 1M tickets): a second builder only wastes work,
it writes the same bytes under a temporary name and renames them onto the same file."""


async def take_live_snapshot(ctx: dict[Any, Any]) -> int:
    """The current month's KPIs and score as of now (running twice just adds one more snapshot)."""
    from audit_export.services import snapshots

    snapshot = await snapshots.take_snapshot(
        system_actor("snapshots"), Period.month(clock.today()), clock.now()
    )
    return int(snapshot.id)


async def build_evidence_pack(ctx: dict[Any, Any], pack_id: int) -> str:
    """Build and publish one pack (a finished pack is left alone)."""
    from audit_export.services import packs

    return await packs.run_pack(pack_id)


async def requeue_stale_packs(ctx: dict[Any, Any]) -> int:
    """Queue again the jobs of packs stuck queued or running; how many."""
    from audit_export.services import packs

    stale = await stale_pack_ids(QUEUED_FOR, RUNNING_FOR)
    for pack_id in stale:
        await enqueue(packs.JOB_NAME, pack_id=pack_id)
    return len(stale)


async def import_history_bundle(ctx: dict[Any, Any], job_id: int) -> str:
    """Import the bundle of job `job_id`; its final status."""
    from audit_export.services import history_jobs

    return await history_jobs.run_import_job(job_id)


FUNCTIONS: list[JobFunction] = [
    take_live_snapshot,
    build_evidence_pack,
    requeue_stale_packs,
    import_history_bundle,
]


def periodic() -> list[Periodic]:
    return [
        Periodic(function=take_live_snapshot, minutes=get_settings().snapshot_minutes),
        Periodic(function=requeue_stale_packs, minutes=SWEEP_EVERY_MINUTES),
    ]


def __getattr__(name: str) -> Any:
    if name == "PERIODIC":
        return periodic()
    raise AttributeError(name)
