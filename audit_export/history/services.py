"""Importing a history bundle: validate everything, then write it all in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import audit_export.history.core_files
import audit_export.history.network_files
import audit_export.history.service_files  # noqa: F401  (calls, tickets, the loop, the fund)
from audit_export.history.bundle import open_bundle
from audit_export.history.plan import Progress, build_plan, changed_columns
from audit_export.history.spec import FileSpec, FileWork, Problem, registered_specs
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import Invalid
from service_ops.uow import unit_of_work

__all__ = ["HistoryImportInvalid", "ImportReport", "import_history"]

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


async def import_history(actor: Actor, path: Path, progress: Progress | None = None) -> ImportReport:
    """Validate the bundle at `path` (folder or .zip) and import it, all or nothing, idempotently.

    Records one audit event `audit_export.history_imported` naming the bundle, the per-file counts
    and every correction (a record the bundle changes); raises HistoryImportInvalid on any problem.
    """
    check_role(actor, [Role.ADMIN])
    bundle = open_bundle(path)
    async with unit_of_work(actor) as uow:
        plan = await build_plan(bundle, registered_specs(), progress)
        if plan.problems:
            raise HistoryImportInvalid(plan.problems)
        origin = f"import:{plan.sha256}"
        report = ImportReport(sha256=plan.sha256)
        for spec, work in plan.work:
            await spec.write(work, origin)
            report.files[spec.name] = {
                "inserted": len(work.inserts),
                "updated": len(work.updates),
                "unchanged": work.unchanged,
            }
            report.corrections.extend(_corrections(spec, work))
            if progress:
                progress(spec.name, "written")
        uow.record(
            "audit_export.history_imported",
            "history_import",
            plan.sha256[:40],
            after={"bundle_sha256": plan.sha256, "files": report.files, "corrections": report.corrections},
            reason=origin,
        )
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
