"""History-import jobs: an admin uploads a bundle (.zip) on the page, a background job imports it.

The upload is refused as soon as it passes the upload limit (counted while it streams in, never
written whole), then stored once by content under `uploads/history/`. One import is queued or
running at a time (a partial unique index): a second request is a Conflict.

Status changes (requested, started, done, failed) are audited; a successful import and its "done"
are one transaction. Progress (0–100 and the stage) is bookkeeping for the page and is not
audited: it is kept in memory for the page of this process and, on PostgreSQL, also written to
the row from a connection outside the import's transaction (SQLite has one writer, the import).
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import json
import logging
import zipfile
from collections.abc import AsyncIterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec

from audit_export.history.services import HistoryImportInvalid, import_history
from audit_export.tables import HistoryImportJob
from service_ops import clock, files
from service_ops.actor import Actor, system_actor
from service_ops.auth import check_role, load_actor
from service_ops.choices import Role
from service_ops.errors import N_, Conflict, DomainError, Invalid, InvalidTransition, NotFound
from service_ops.i18n import gettext, negotiate, translations
from service_ops.queue import enqueue_after_commit
from service_ops.settings import get_settings
from service_ops.uow import lock_row, unit_of_work
from service_ops.validation import required_text
from service_ops.web import integrity_error_types

__all__ = ["abandon_import", "request_import", "run_import_job"]

log = logging.getLogger(__name__)
J = HistoryImportJob
UPLOAD_FOLDER = "history"
JOB_NAME = "import_history_bundle"
IN_FLIGHT = ("queued", "running")
MULTIPART_OVERHEAD = 64 * 1024
"""Room for the form's other fields and boundaries around the file in a multipart body."""
CHUNK = 1024 * 1024

REQUESTED = "audit_export.history_import_requested"
STARTED = "audit_export.history_import_started"
FINISHED = "audit_export.history_import_finished"
FAILED = "audit_export.history_import_failed"
ABANDONED = "audit_export.history_import_abandoned"

STEPS_PER_FILE = 3
"""Each file is read, checked, then written: the importer reports each step (see `_Progress`)."""
STAGE_LABELS = {
    "queued": N_("Waiting to start"),
    "starting": N_("Opening the bundle"),
    "reading": N_("Reading {file}"),
    "checking": N_("Checking {file}"),
    "written": N_("Wrote {file}"),
    "done": N_("Imported"),
    "failed": N_("Failed: nothing was imported"),
}


class UploadTooLarge(Invalid):
    status_code = 413
    title = N_("Upload too large")


def upload_limit() -> int:
    """The largest bundle accepted, in bytes (SERVICE_OPS_UPLOAD_MAX_BYTES)."""
    return get_settings().upload_max_bytes


def too_large() -> UploadTooLarge:
    return UploadTooLarge(
        N_(
            "The bundle is larger than the upload limit ({limit} KB); nothing was stored. "
            "Split it into several bundles or raise SERVICE_OPS_UPLOAD_MAX_BYTES."
        ),
        field="file",
        limit=upload_limit() // 1024,
    )


def running_conflict() -> Conflict:
    return Conflict(N_("An import is running; wait until it has finished, then upload again."))


class HistoryImportJobRead(msgspec.Struct, kw_only=True):
    id: int
    filename: str
    sha256: str
    size_bytes: int
    status: str
    progress: int
    stage: str
    problems: list[str]
    summary: dict[str, Any]
    requested_at: datetime
    requested_by: str
    finished_at: datetime | None

    @property
    def in_flight(self) -> bool:
        return self.status in IN_FLIGHT


# ---------------------------------------------------------------------------------------------
# Requesting an import


async def request_import(
    actor: Actor, filename: str, content: bytes | AsyncIterable[bytes]
) -> HistoryImportJobRead:
    """Store an uploaded bundle (.zip) and queue its import; Conflict while another one is in flight."""
    check_role(actor, [Role.ADMIN])
    data = await _read_within_limit(content)
    _check_zip(data)
    if await _in_flight_job_id() is not None:
        raise running_conflict()
    digest, relative = await files.store(data, UPLOAD_FOLDER, ".zip")
    name = _safe_name(filename)
    try:
        async with unit_of_work(actor) as uow:
            job = J(
                filename=name,
                file_path=relative,
                sha256=digest,
                size_bytes=len(data),
                status="queued",
                stage="queued",
                requested_by=actor.user_id,
                requested_at=clock.now(),
            )
            await job.save()
            uow.record(
                REQUESTED,
                "history_import_job",
                job.id,
                after={"filename": name, "sha256": digest, "size_bytes": len(data)},
            )
            enqueue_after_commit(uow, JOB_NAME, job_id=job.id)
    except integrity_error_types() as error:  # another request won the race for the one slot
        raise running_conflict() from error
    return await get_job(int(job.id))


async def _read_within_limit(content: bytes | AsyncIterable[bytes]) -> bytes:
    """The whole upload, refused as soon as it passes the limit (a stream is counted as it comes)."""
    limit = upload_limit()
    if isinstance(content, bytes):
        if len(content) > limit:
            raise too_large()
        return content
    buffer = bytearray()
    async for chunk in content:
        buffer += chunk
        if len(buffer) > limit:
            raise too_large()
    return bytes(buffer)


def _check_zip(data: bytes) -> None:
    if not data or not zipfile.is_zipfile(io.BytesIO(data)):
        raise Invalid(N_("Upload the bundle as one .zip file of CSV files."), field="file")


def _safe_name(filename: str) -> str:
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return (name or "bundle.zip")[:200]


async def _in_flight_job_id() -> int | None:
    row = await J.select(J.id).where(J.status.is_in(list(IN_FLIGHT))).first()
    return int(row["id"]) if row else None


# ---------------------------------------------------------------------------------------------
# Running it (the background job)


async def run_import_job(job_id: int) -> str:
    """Import the bundle of a queued job; its final status. Safe to run twice: a finished job is
    left alone, a job left `running` by a crash is imported again (the import is all or nothing)."""
    claimed = await _claim(job_id)
    if claimed is None:
        row = await J.select(J.status).where(J.id == job_id).first()
        return str(row["status"]) if row else "missing"
    _live[job_id] = (0, "starting")
    requester = await load_actor(claimed["requested_by"])
    if requester is None:
        _live.pop(job_id, None)
        await _fail(job_id, [gettext(N_("The admin who uploaded this bundle is no longer active."))])
        return "failed"
    locale = negotiate(requester.locale, None)
    tracker = _Progress(job_id, 1, persist=J._meta.db.engine_type != "sqlite")
    try:
        path = files.stored_path(claimed["file_path"], UPLOAD_FOLDER)
        tracker.total_files = bundle_file_count(path)
        async with unit_of_work(requester) as uow:
            report = await import_history(requester, path, tracker)
            await tracker.settle()
            summary = {
                "bundle_sha256": report.sha256,
                "files": report.files,
                "corrections": len(report.corrections),
            }
            await J.update(
                {
                    J.status: "done",
                    J.progress: 100,
                    J.stage: "done",
                    J.summary: _json(summary),
                    J.finished_at: clock.now(),
                }
            ).where(J.id == job_id)
            uow.record(
                FINISHED,
                "history_import_job",
                job_id,
                before={"status": "running"},
                after={"status": "done", **summary},
            )
        return "done"
    except HistoryImportInvalid as error:
        await tracker.settle()
        translate = translations(locale).ugettext
        await _fail(job_id, [problem.text(translate) for problem in error.problems])
    except DomainError as error:
        await tracker.settle()
        text = translations(locale).ugettext(error.message)
        await _fail(job_id, [text.format(**error.params) if error.params else text])
    except Exception:
        log.exception("history import job %s failed", job_id)
        await tracker.settle()
        await _fail(job_id, [gettext(N_("The import stopped on an unexpected error; nothing was imported."))])
    finally:
        _live.pop(job_id, None)
    return "failed"


async def _claim(job_id: int) -> dict[str, Any] | None:
    """Mark a queued (or crashed running) job running; None when there is nothing to run."""
    row = await J.select().where(J.id == job_id).first()
    if row is None or row["status"] not in IN_FLIGHT:
        return None
    async with unit_of_work(system_actor("history_import")) as uow:
        await J.update({J.status: "running", J.progress: 0, J.stage: "starting"}).where(J.id == job_id)
        uow.record(
            STARTED,
            "history_import_job",
            job_id,
            before={"status": row["status"]},
            after={"status": "running"},
        )
    return dict(row)


async def _fail(job_id: int, problems: list[str]) -> None:
    async with unit_of_work(system_actor("history_import")) as uow:
        await J.update(
            {J.status: "failed", J.stage: "failed", J.problems: _json(problems), J.finished_at: clock.now()}
        ).where(J.id == job_id)
        uow.record(
            FAILED,
            "history_import_job",
            job_id,
            before={"status": "running"},
            after={"status": "failed", "problem_count": len(problems), "first_problems": problems[:5]},
        )


async def abandon_import(actor: Actor, job_id: int, reason: str) -> None:
    """Mark failed an import left in flight by a process that stopped (a restart of the server
    loses its in-process jobs), so the next bundle can be uploaded."""
    check_role(actor, [Role.ADMIN])
    why = required_text(reason, "reason", 500)
    async with unit_of_work(actor) as uow:
        await lock_row(J, job_id)
        row = await J.select(J.status).where(J.id == job_id).first()
        if row is None:
            raise NotFound(N_("History import {id} not found."), id=job_id)
        if row["status"] not in IN_FLIGHT:
            raise InvalidTransition(N_("Only a queued or running import can be abandoned."))
        if job_id in _live:
            raise Conflict(N_("This import is running right now; wait until it has finished."))
        problem = gettext(N_("Abandoned by {user}: {reason}"), user=actor.display_name, reason=why)
        await J.update(
            {J.status: "failed", J.stage: "failed", J.problems: _json([problem]), J.finished_at: clock.now()}
        ).where(J.id == job_id)
        uow.record(
            ABANDONED,
            "history_import_job",
            job_id,
            before={"status": row["status"]},
            after={"status": "failed"},
            reason=why,
        )


def bundle_file_count(path: Path) -> int:
    """How many CSV files a bundle (folder or .zip) holds, at least 1: the steps of a progress bar."""
    try:
        if path.is_dir():
            names = [entry.name for entry in path.iterdir()]
        else:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return 1
    return max(1, sum(1 for name in names if name.lower().endswith(".csv")))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


_live: dict[int, tuple[int, str]] = {}
"""Progress of the jobs running in this process: job id → (percent, stage)."""


@dataclass
class _Progress:
    """The importer's progress callback: a percent per stage and file, kept for the page."""

    job_id: int
    total_files: int
    persist: bool

    def __post_init__(self) -> None:
        self.steps: set[tuple[str, str]] = set()
        self.state: tuple[int, str] = (0, "starting")
        self.written: tuple[int, str] | None = None
        self.task: asyncio.Task[None] | None = None

    def __call__(self, file_name: str, stage: str) -> None:
        self.steps.add((file_name, stage))
        percent = min(99, 99 * len(self.steps) // (STEPS_PER_FILE * self.total_files))
        self.state = (max(percent, self.state[0]), f"{stage}:{file_name}")
        _live[self.job_id] = self.state
        if self.persist and (self.task is None or self.task.done()):
            # A fresh context: the write must not join the import's transaction.
            self.task = asyncio.get_running_loop().create_task(self._flush(), context=contextvars.Context())

    async def _flush(self) -> None:
        while self.written != self.state:
            state = self.state
            await J.update({J.progress: state[0], J.stage: state[1][:120]}).where(
                (J.id == self.job_id) & (J.status == "running")
            )
            self.written = state

    async def settle(self) -> None:
        """Wait for the last progress write (before the job's final update)."""
        if self.task is not None:
            try:
                await self.task
            except Exception:
                log.warning("history import job %s: progress not saved", self.job_id, exc_info=True)


# ---------------------------------------------------------------------------------------------
# Reading (not state changes: not in __all__)


async def get_job(job_id: int) -> HistoryImportJobRead:
    row = await _select().where(J.id == job_id).first()
    if row is None:
        raise NotFound(N_("History import {id} not found."), id=job_id)
    return _read(row)


async def list_jobs(limit: int = 50) -> list[HistoryImportJobRead]:
    rows = await _select().order_by(J.id, ascending=False).limit(limit)
    return [_read(row) for row in rows]


def _select() -> Any:
    return J.select(*J.all_columns(), J.requested_by.username.as_alias("requested_by_username"))


def _read(row: dict[str, Any]) -> HistoryImportJobRead:
    progress, stage = row["progress"], row["stage"]
    if row["status"] == "running" and row["id"] in _live:
        progress, stage = _live[row["id"]]
    return HistoryImportJobRead(
        id=row["id"],
        filename=row["filename"],
        sha256=row["sha256"],
        size_bytes=row["size_bytes"],
        status=row["status"],
        progress=progress,
        stage=stage_label(stage),
        problems=json.loads(row["problems"] or "[]"),
        summary=json.loads(row["summary"] or "{}"),
        requested_at=row["requested_at"],
        requested_by=row["requested_by_username"] or "",
        finished_at=row["finished_at"],
    )


def stage_label(stage: str) -> str:
    """`checking:tickets.csv` → "Checking tickets.csv" in the reader's language."""
    name, _, file_name = stage.partition(":")
    message = STAGE_LABELS.get(name)
    return gettext(message, file=file_name) if message else stage
