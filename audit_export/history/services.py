"""Importing a history bundle: stream, check and write it batch by batch in one unit of work.

All or nothing: writing stops at the first problem and any problem rolls the transaction back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import audit_export.history.core_files
import audit_export.history.loop_files
import audit_export.history.network_files
import audit_export.history.service_files  # noqa: F401  (calls, tickets, the loop, the fund)
from audit_export.history.bundle import Bundle, open_bundle
from audit_export.history.plan import BATCH_ROWS, Plan, Progress, changed_columns, plan_batches
from audit_export.history.spec import FileSpec, FileWork, Problem, import_order, registered_specs
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.bulk import remembering_ids
from service_ops.choices import Role
from service_ops.errors import Invalid
from service_ops.uow import unit_of_work

__all__ = ["HistoryImportInvalid", "ImportProgress", "ImportReport", "import_history"]

MAX_PROBLEMS_SHOWN = 50


class HistoryImportInvalid(Invalid):
    """The bundle has problems; nothing was written. `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            "The history bundle has {count} problems; nothing was imported.", count=len(problems)
        )
        self.problems = problems


@dataclass
class ImportReport:
    sha256: str
    files: dict[str, dict[str, int]] = field(default_factory=dict)
    corrections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(counts["inserted"] or counts["updated"] for counts in self.files.values())


@dataclass(frozen=True)
class ImportProgress:
    """Where an import stands: the file, its stage, rows of it done, files done of all files."""

    file: str
    stage: str
    rows: int
    files_done: int
    files_total: int


Detail = Callable[[ImportProgress], None]


async def import_history(
    actor: Actor,
    path: Path,
    progress: Progress | None = None,
    *,
    detail: Detail | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    """Validate the bundle at `path` (folder or .zip) and import it, all or nothing, idempotently.

    Records one audit event `audit_export.history_imported` naming the bundle, the per-file counts
    and every correction (a record the bundle changes); raises HistoryImportInvalid on any problem.

    Files are streamed in batches of `batch_rows` rows; each batch is written as soon as it is
    checked while no problem has been found, inside the one transaction, which a problem found
    later rolls back. `progress(file, stage)` is told of each file's reading / checking / written;
    `detail` (if given) gets an ImportProgress after every batch.
    """
    check_role(actor, [Role.ADMIN])
    with open_bundle(path) as bundle, remembering_ids():
        async with unit_of_work(actor) as uow:
            plan = Plan(sha256=bundle.sha256, specs=registered_specs(), batch_rows=batch_rows)
            report = await _stream(plan, bundle, progress, detail)
            if plan.problems:
                raise HistoryImportInvalid(plan.problems)
            for spec in import_order(plan.specs):
                if spec.finish is not None and spec.name in bundle.entries:
                    await spec.finish()
            uow.record(
                "audit_export.history_imported",
                "history_import",
                plan.sha256[:40],
                after={
                    "bundle_sha256": plan.sha256,
                    "files": report.files,
                    "corrections": report.corrections,
                },
                reason=f"import:{plan.sha256}",
            )
    return report


async def _stream(
    plan: Plan, bundle: Bundle, progress: Progress | None, detail: Detail | None
) -> ImportReport:
    """Check every batch; write it while the bundle has shown no problem."""
    origin = f"import:{plan.sha256}"
    report = ImportReport(sha256=plan.sha256)
    total = len([name for name in bundle.entries if name in plan.specs])
    async for spec, work in plan_batches(plan, bundle, progress):
        counts = report.files.setdefault(spec.name, {"inserted": 0, "updated": 0, "unchanged": 0})
        if work is None:
            if progress and not plan.problems:
                progress(spec.name, "written")
            stage = "written"
        else:
            if not plan.problems:
                await spec.write(work, origin)
            counts["inserted"] += len(work.inserts)
            counts["updated"] += len(work.updates)
            counts["unchanged"] += work.unchanged
            report.corrections.extend(_corrections(spec, work))
            stage = "checking"
        if detail:
            done = len(report.files) - (stage != "written")
            detail(ImportProgress(spec.name, stage, sum(counts.values()), done, total))
    return report


def _corrections(spec: FileSpec, work: FileWork) -> list[dict[str, Any]]:
    corrections = []
    for row, current in work.updates:
        columns = changed_columns(row.values, current)
        corrections.append(
            {
                "file": spec.name,
                "line": row.line,
                "key": "+".join(str(part) for part in spec.key_of(row.values)),
                "before": {name: current[name] for name in columns},
                "after": {name: row.values[name] for name in columns},
            }
        )
    return corrections
