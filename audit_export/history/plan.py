"""Validating a whole bundle and sorting its rows into inserts, updates (corrections) and unchanged.

Nothing here writes: `build_plan` reads the database (inside the caller's transaction, so what it
sees is what the writes will meet) and returns every problem it found, or the work to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from audit_export.history.bundle import WHOLE_FILE, Bundle
from audit_export.history.csvfile import read_file
from audit_export.history.spec import FileSpec, FileWork, Key, Problem, Reference, Row, Values, import_order
from service_ops.errors import N_

Progress = Callable[[str, str], None]


@dataclass
class Plan:
    sha256: str
    specs: dict[str, FileSpec]
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    existing: dict[str, dict[Key, Values]] = field(default_factory=dict)
    work: list[tuple[FileSpec, FileWork]] = field(default_factory=list)

    def bundle_keys(self, file_name: str) -> set[Any]:
        """Single-column keys of `file_name`'s rows in the bundle."""
        column = self.specs[file_name].key[0]
        return {row.values[column] for row in self.rows.get(file_name, [])}


async def build_plan(bundle: Bundle, specs: dict[str, FileSpec], progress: Progress | None = None) -> Plan:
    plan = Plan(sha256=bundle.sha256, specs=specs, problems=list(bundle.problems))
    for name in sorted(set(bundle.files) - set(specs)):
        plan.problems.append(
            Problem(
                name,
                0,
                WHOLE_FILE,
                N_("Unknown file; a bundle holds: {files}."),
                {"files": ", ".join(sorted(specs))},
            )
        )
    ordered = [spec for spec in import_order(specs) if spec.name in bundle.files]
    for spec in ordered:
        if progress:
            progress(spec.name, "reading")
        rows = read_file(spec, bundle.files[spec.name], plan.problems)
        plan.rows[spec.name] = _without_duplicates(spec, rows, plan.problems)
    for spec in ordered:
        if progress:
            progress(spec.name, "checking")
        rows = plan.rows[spec.name]
        plan.existing[spec.name] = await spec.load_existing([spec.key_of(row.values) for row in rows])
        for reference in spec.references:
            await _check_reference(plan, spec, reference, specs)
        if spec.validate_file is not None:
            plan.problems.extend(await spec.validate_file(rows, plan))
        plan.work.append((spec, _classify(spec, rows, plan.existing[spec.name])))
    return plan


def _without_duplicates(spec: FileSpec, rows: list[Row], problems: list[Problem]) -> list[Row]:
    first_line: dict[Key, int] = {}
    kept = []
    for row in rows:
        key = spec.key_of(row.values)
        if key in first_line:
            problems.append(
                Problem(
                    spec.name,
                    row.line,
                    "+".join(spec.key),
                    N_("Duplicate key (first on line {line})."),
                    {"line": first_line[key]},
                )
            )
            continue
        first_line[key] = row.line
        kept.append(row)
    return kept


async def _check_reference(
    plan: Plan, spec: FileSpec, reference: Reference, specs: dict[str, FileSpec]
) -> None:
    rows = plan.rows[spec.name]
    wanted = {value for row in rows for value in _values(row.values.get(reference.column))}
    if not wanted:
        return
    target = specs.get(reference.file)
    if target is not None:
        known = plan.bundle_keys(reference.file) if reference.file in plan.rows else set()
        missing = wanted - known
        if missing:
            known |= {key[0] for key in await target.load_existing([(value,) for value in missing])}
    elif reference.resolver is not None:
        resolved = await reference.resolver(wanted)
        if resolved is None:
            return
        known = resolved
    else:
        return
    for row in rows:
        for value in _values(row.values.get(reference.column)):
            if value not in known:
                plan.problems.append(
                    Problem(
                        spec.name,
                        row.line,
                        reference.column,
                        N_("“{value}” is not in {file} nor in the database."),
                        {"value": value, "file": reference.file},
                    )
                )


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _classify(spec: FileSpec, rows: list[Row], existing: dict[Key, Values]) -> FileWork:
    work = FileWork()
    for row in rows:
        current = existing.get(spec.key_of(row.values))
        if current is None:
            work.inserts.append(row)
        elif changed_columns(row.values, current):
            work.updates.append((row, current))
        else:
            work.unchanged += 1
    return work


def changed_columns(values: Values, current: Values) -> list[str]:
    """Stored columns whose bundle value differs from the database's."""
    return sorted(name for name, value in current.items() if values.get(name) != value)
