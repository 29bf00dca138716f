"""Evidence packs: request one (a background job builds it), run that job, download the result,
and export one directly from the CLI.

At most one pack per period is queued or running (a partial unique index): a second request for
the period gets the pack already in flight. The file is published only once complete (written
to a temporary file, fsynced, renamed), so a failed job leaves no file, only its error.

Every action here is audited with an action starting with `audit_export.pack_`: bookkeeping that
is not part of the state a pack describes (the manifest's `audit_head` skips it), so exporting or
downloading a pack does not change the next one. Progress (percent and stage) is telemetry for
the page and is not audited.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from audit_export.pack.build import BuiltPack, build_pack
from audit_export.pack.manifest import iso_as_of
from audit_export.pack.queries import IN_FLIGHT, in_flight_pack_id
from audit_export.pack.sources import EngineSource, FigureSource
from audit_export.period import Period, checked_as_of
from audit_export.tables import EvidencePack
from service_ops import clock
from service_ops.actor import Actor, system_actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import N_, DomainError, Invalid, NotFound
from service_ops.i18n import gettext
from service_ops.queue import enqueue_after_commit
from service_ops.settings import get_settings
from service_ops.uow import lock_row, unit_of_work
from service_ops.web import integrity_error_types

__all__ = ["export_pack", "record_download", "request_pack", "run_pack"]

log = logging.getLogger(__name__)
P = EvidencePack
ROLES = (Role.AUDITOR, Role.SERVICE_MANAGER, Role.HQ_MANAGER, Role.ADMIN)
FOLDER = "evidence-packs"
JOB_NAME = "build_evidence_pack"
ENTITY = "evidence_pack"
REQUESTED = "audit_export.pack_requested"
STARTED = "audit_export.pack_started"
PUBLISHED = "audit_export.pack_published"
FAILED = "audit_export.pack_failed"
DOWNLOADED = "audit_export.pack_downloaded"
EXPORTED = "audit_export.pack_exported"
QUEUED_STAGE = N_("Waiting to start")
DONE_STAGE = N_("Ready to download")
FAILED_STAGE = N_("Failed: no pack was published")


def default_source() -> FigureSource:
    """The KPI engine and scoring (tests substitute a small fake here)."""
    return EngineSource()


def _describe(period: Period, as_of: datetime) -> dict[str, Any]:
    return {"period": period.as_json(), "as_of": iso_as_of(as_of)}


def pack_file_name(pack_id: int, period: Period) -> str:
    """Relative to the data folder."""
    return f"{FOLDER}/evidence-{period.start.isoformat()}-{period.end.isoformat()}-{pack_id}.zip"


async def request_pack(actor: Actor, period: Period, as_of: datetime | None = None) -> EvidencePack:
    """Queue a pack for `period` as of `as_of` (default now); the pack already queued or running
    for the period is returned instead of a second one."""
    check_role(actor, ROLES)
    moment = checked_as_of(as_of)
    existing = await _existing(period)
    if existing is not None:
        return existing
    try:
        async with unit_of_work(actor) as uow:
            pack = P(
                period_from=period.start,
                period_to=period.end,
                as_of=moment,
                status="queued",
                progress=0,
                stage=QUEUED_STAGE,
                requested_by=actor.user_id,
                requested_at=clock.now(),
            )
            await pack.save()
            uow.record(REQUESTED, ENTITY, pack.id, after=_describe(period, moment))
            enqueue_after_commit(uow, JOB_NAME, pack_id=pack.id)
    except integrity_error_types():  # a concurrent request won the one slot: wait on its pack
        existing = await _existing(period)
        if existing is None:
            raise
        return existing
    return pack


async def _existing(period: Period) -> EvidencePack | None:
    pack_id = await in_flight_pack_id(period.start, period.end)
    return None if pack_id is None else await P.objects().where(P.id == pack_id).first()


async def run_pack(pack_id: int, source: FigureSource | None = None) -> str:
    """Build a queued pack (the background job); its final status. Safe to run twice: a finished
    pack is left alone, one left `running` by a crash is built again from the start."""
    actor = system_actor("evidence-pack")
    pack = await _claim(actor, pack_id)
    if pack is None:
        row = await P.select(P.status).where(P.id == pack_id).first()
        return str(row["status"]) if row else "missing"
    period = Period(pack.period_from, pack.period_to)
    relative = pack_file_name(pack_id, period)
    target = get_settings().data_dir / relative

    async def progress(percent: int, stage: str) -> None:
        await P.update({P.progress: percent, P.stage: stage}).where(P.id == pack_id)

    try:
        built = await build_pack(target, period, pack.as_of, source or default_source(), progress)
        await _finish(actor, pack_id, relative, built)
    except Exception as error:
        log.exception("evidence pack %s failed", pack_id)
        await asyncio.to_thread(target.unlink, missing_ok=True)
        await _fail(actor, pack_id, _error_text(error))
        return "failed"
    return "done"


def _error_text(error: Exception) -> str:
    if isinstance(error, DomainError):
        return gettext(error.message, **error.params)
    return f"{type(error).__name__}: {error}"


async def _claim(actor: Actor, pack_id: int) -> EvidencePack | None:
    """Mark the pack running (a finished or missing pack: None, nothing recorded)."""
    if await P.count().where((P.id == pack_id) & P.status.is_in(list(IN_FLIGHT))) == 0:
        return None
    async with unit_of_work(actor) as uow:
        await lock_row(P, pack_id)
        pack = await P.objects().where(P.id == pack_id).first()
        if pack is None or pack.status not in IN_FLIGHT:
            uow.record(STARTED, ENTITY, pack_id, reason="finished meanwhile by another run: nothing to do")
            return None
        before = pack.status
        await P.update({P.status: "running", P.progress: 1, P.stage: N_("Starting")}).where(P.id == pack_id)
        uow.record(STARTED, ENTITY, pack_id, before={"status": before}, after={"status": "running"})
    return pack


async def _finish(actor: Actor, pack_id: int, relative: str, built: BuiltPack) -> None:
    after = {"status": "done", "file_path": relative, "sha256": built.sha256, "size_bytes": built.size_bytes}
    async with unit_of_work(actor) as uow:
        await P.update(
            {
                P.status: "done",
                P.progress: 100,
                P.stage: DONE_STAGE,
                P.file_path: relative,
                P.sha256: built.sha256,
                P.size_bytes: built.size_bytes,
                P.finished_at: clock.now(),
            }
        ).where(P.id == pack_id)
        uow.record(PUBLISHED, ENTITY, pack_id, before={"status": "running"}, after=after)


async def _fail(actor: Actor, pack_id: int, message: str) -> None:
    async with unit_of_work(actor) as uow:
        await P.update(
            {P.status: "failed", P.stage: FAILED_STAGE, P.error: message, P.finished_at: clock.now()}
        ).where(P.id == pack_id)
        uow.record(
            FAILED, ENTITY, pack_id, before={"status": "running"}, after={"status": "failed"}, reason=message
        )


async def record_download(actor: Actor, pack_id: int) -> Path:
    """Audit a download of a finished pack; the file to send."""
    check_role(actor, ROLES)
    row = await P.select(P.status, P.file_path, P.sha256).where(P.id == pack_id).first()
    if row is None:
        raise NotFound(N_("Evidence pack {id} not found."), id=pack_id)
    path = get_settings().data_dir / str(row["file_path"] or "")
    if row["status"] != "done" or not row["file_path"] or not await asyncio.to_thread(path.is_file):
        raise NotFound(N_("Evidence pack {id} has no file to download (yet)."), id=pack_id)
    async with unit_of_work(actor) as uow:
        uow.record(DOWNLOADED, ENTITY, pack_id, after={"sha256": row["sha256"]})
    return path


async def export_pack(
    actor: Actor, period: Period, as_of: datetime | None, out: Path, source: FigureSource | None = None
) -> BuiltPack:
    """Write the pack straight to `out` (the CLI); nothing is written when the input is wrong."""
    check_role(actor, ROLES)
    moment = checked_as_of(as_of)
    if await asyncio.to_thread(out.is_dir):
        raise Invalid(N_("{path} is a folder: name the .zip file to write."), field="out", path=str(out))
    built = await build_pack(out, period, moment, source or default_source())
    async with unit_of_work(actor) as uow:
        uow.record(
            EXPORTED,
            ENTITY,
            "cli",
            after={**_describe(period, moment), "sha256": built.sha256, "file": out.name},
        )
    return built
