"""Validating a bundle batch by batch and sorting its rows into inserts, updates (corrections), unchanged.

Nothing here writes. `plan_batches` streams each file (in import order) in batches of
`batch_rows` typed rows and yields, per batch, the work to do; the caller writes it in its open
transaction while no problem has been found, and raises at the end if any was (the transaction then
rolls back: all or nothing without holding every row in memory).

What is kept between batches is small: the keys of each file (for duplicate detection and for the
references of the files after it) and the problems. References are checked against the keys of
the referenced file (which comes earlier in import order) and else the database; a `later`
reference (calls → tickets) is checked once the referenced file, read after, is done. A file that
refers to itself (regions' parents) is read as one batch, since a row may name a later one.
Duplicate keys are found with the key set; the line of a duplicate's first occurrence is looked up
by reading the file once more, only when there are duplicates.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any

from audit_export.history.bundle import WHOLE_FILE, Bundle, BundleLimitExceeded
from audit_export.history.csvfile import read_batches
from audit_export.history.spec import FileSpec, FileWork, Key, Problem, Reference, Row, Values, import_order
from service_ops.bulk import has_rows
from service_ops.errors import N_

Progress = Callable[[str, str], None]
BATCH_ROWS = 20_000
MAX_PROBLEMS = 10_000
"""Validation stops after this many problems (each is kept in memory until reported)."""


class TooManyProblems(Exception):
    pass


@dataclass
class Plan:
    """The state of a streaming validation: problems so far, and the keys each file holds.

    `rows` and `existing` hold the batch being checked (a `validate_file` may read them).
    """

    sha256: str
    specs: dict[str, FileSpec]
    batch_rows: int = BATCH_ROWS
    problems: list[Problem] = field(default_factory=list)
    keys: dict[str, set[Any]] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    existing: dict[str, dict[Key, Values]] = field(default_factory=dict)
    _in_database: dict[str, set[Any]] = field(default_factory=dict)
    _fresh: set[str] = field(default_factory=set)
    """Files whose table was empty when they started: nothing stored to compare with."""
    _coming: set[str] = field(default_factory=set)
    """Files of the bundle not read yet."""
    _deferred: dict[tuple[str, str], set[Any]] = field(default_factory=dict)
    """(file, column) of a `later` reference → its values, checked once the referenced file is read."""

    def bundle_keys(self, file_name: str) -> set[Any]:
        """Single-column keys of `file_name`'s rows in the bundle (read so far)."""
        return self.keys.get(file_name, set())

    def add(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)
        self.check_count()

    def check_count(self) -> None:
        if len(self.problems) > MAX_PROBLEMS:
            del self.problems[MAX_PROBLEMS:]
            self.problems.append(
                Problem(
                    self.problems[-1].file,
                    0,
                    WHOLE_FILE,
                    N_("Checking stopped after {count} problems."),
                    {"count": MAX_PROBLEMS},
                )
            )
            raise TooManyProblems


def _short_key(spec: FileSpec, values: Values) -> Any:
    """The key as kept in the key sets: the value itself for single-column keys (less memory)."""
    return values[spec.key[0]] if len(spec.key) == 1 else spec.key_of(values)


async def plan_batches(
    plan: Plan, bundle: Bundle, progress: Progress | None = None
) -> AsyncIterator[tuple[FileSpec, FileWork | None]]:
    """(spec, work) for each batch of each file; (spec, None) once a file is done."""
    plan.problems.extend(bundle.problems)
    for name in sorted(set(bundle.entries) - set(plan.specs)):
        plan.problems.append(
            Problem(
                name,
                0,
                WHOLE_FILE,
                N_("Unknown file; a bundle holds: {files}."),
                {"files": ", ".join(sorted(plan.specs))},
            )
        )
    ordered = [spec for spec in import_order(plan.specs) if spec.name in bundle.entries]
    plan._coming = {spec.name for spec in ordered}
    try:
        for spec in ordered:
            async for work in _file_batches(plan, bundle, spec, progress):
                yield spec, work
            plan._coming.discard(spec.name)
            await _check_deferred(plan, bundle, spec)
            yield spec, None
            _forget_unreferenced(plan, ordered[ordered.index(spec) + 1 :])
    except TooManyProblems:
        return


async def _file_batches(
    plan: Plan, bundle: Bundle, spec: FileSpec, progress: Progress | None
) -> AsyncIterator[FileWork]:
    if progress:
        progress(spec.name, "reading")
    keys = plan.keys.setdefault(spec.name, set())
    if spec.table is not None and not await has_rows(spec.table):
        plan._fresh.add(spec.name)
    duplicates: list[tuple[int, Any]] = []
    whole = any(reference.file == spec.name for reference in spec.references)
    checking = False
    try:
        with bundle.open(spec.name) as stream:
            batches = _read_with_problems(spec, stream, None if whole else plan.batch_rows)
            async for rows, problems in _read_ahead(batches):
                plan.add(problems)
                if not rows:
                    continue
                if progress and not checking:
                    progress(spec.name, "checking")
                    checking = True
                yield await _check_batch(plan, spec, _without_duplicates(spec, rows, keys, duplicates))
                if len(duplicates) + len(plan.problems) > MAX_PROBLEMS:
                    plan.add(_duplicate_problems(spec, bundle, duplicates))
    except BundleLimitExceeded as error:
        plan.add([error.problem])
    if duplicates:
        plan.add(_duplicate_problems(spec, bundle, duplicates))


Batch = tuple[list[Row], list[Problem]]


def _read_with_problems(spec: FileSpec, stream: IO[bytes], batch_rows: int | None) -> Iterator[Batch]:
    """Each batch with the problems met while reading it (the last item may hold problems only)."""
    problems: list[Problem] = []
    for rows in read_batches(spec, stream, problems, batch_rows):
        found = problems[:]
        problems.clear()
        yield rows, found
    yield [], problems


async def _read_ahead(batches: Iterator[Batch]) -> AsyncIterator[Batch]:
    """Parse the next batch in a thread while the caller awaits the database for this one.

    CSV parsing holds the GIL but the event loop waiting on the database does not, so reading and
    writing overlap (PostgreSQL works on another core meanwhile).
    """
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()

    def following() -> Batch | None:
        return context.run(next, batches, None)

    with ThreadPoolExecutor(1, thread_name_prefix="history-read") as pool:
        pending = loop.run_in_executor(pool, following)
        try:
            while (batch := await pending) is not None:
                pending = loop.run_in_executor(pool, following)
                yield batch
        finally:
            if not pending.done():
                await asyncio.wait([pending])


async def _check_batch(plan: Plan, spec: FileSpec, rows: list[Row]) -> FileWork:
    plan.rows = {spec.name: rows}
    existing: dict[Key, Values] = {}
    keys: list[Key] = []
    if rows and spec.name not in plan._fresh:
        keys = [spec.key_of(row.values) for row in rows]
        existing = await spec.load_existing(keys)
    plan.existing[spec.name] = existing
    for reference in spec.references:
        await _check_reference(plan, spec, reference, rows)
    if spec.validate_file is not None:
        plan.add(await spec.validate_file(rows, plan))
    return _classify(rows, keys, existing)


def _forget_unreferenced(plan: Plan, later: list[FileSpec]) -> None:
    """Drop the key sets no later file refers to (a million call ids need not stay in memory)."""
    wanted = {reference.file for spec in later for reference in spec.references}
    for name in list(plan.keys):
        if name not in wanted:
            plan.keys[name] = set()


def _without_duplicates(
    spec: FileSpec, rows: list[Row], keys: set[Any], duplicates: list[tuple[int, Any]]
) -> list[Row]:
    if len(spec.key) == 1:
        name = spec.key[0]
        batch_keys = [row.values[name] for row in rows]
    else:
        batch_keys = [spec.key_of(row.values) for row in rows]
    fresh = set(batch_keys)
    if len(fresh) == len(rows) and keys.isdisjoint(fresh):  # the usual case: no duplicate
        keys |= fresh
        return rows
    kept = []
    for row, key in zip(rows, batch_keys, strict=True):
        if key in keys:
            duplicates.append((row.line, key))
            continue
        keys.add(key)
        kept.append(row)
    return kept


def _duplicate_problems(spec: FileSpec, bundle: Bundle, duplicates: list[tuple[int, Any]]) -> list[Problem]:
    """`Duplicate key (first on line N)`: the first lines come from reading the file once more."""
    wanted = {key for _, key in duplicates}
    first: dict[Any, int] = {}
    with bundle.open(spec.name) as stream:
        for rows in read_batches(spec, stream, [], BATCH_ROWS):
            for row in rows:
                key = _short_key(spec, row.values)
                if key in wanted and key not in first:
                    first[key] = row.line
    return [
        Problem(
            spec.name,
            line,
            "+".join(spec.key),
            N_("Duplicate key (first on line {line})."),
            {"line": first[key]},
        )
        for line, key in duplicates
    ]


async def _check_reference(plan: Plan, spec: FileSpec, reference: Reference, rows: list[Row]) -> None:
    column = reference.column
    if spec.column(column).type == "list":
        wanted = {value for row in rows for value in _values(row.values.get(column))}
    else:
        wanted = {row.values[column] for row in rows}
        wanted.discard(None)
    if not wanted:
        return
    if reference.later and reference.file in plan._coming:
        plan._deferred.setdefault((spec.name, column), set()).update(wanted)
        return
    target = plan.specs.get(reference.file)
    if target is not None:
        unknown = await _unknown(plan, target, wanted)
    elif reference.resolver is not None:
        resolved = await reference.resolver(wanted)
        if resolved is None:
            return
        unknown = wanted - resolved
    else:
        return
    if not unknown:
        return
    plan.add(list(_dangling(spec, reference, rows, unknown)))


async def _unknown(plan: Plan, target: FileSpec, wanted: set[Any]) -> set[Any]:
    """The values of `wanted` that are keys neither of `target`'s rows so far nor in the database."""
    known = plan.keys.get(target.name, set())
    stored = plan._in_database.setdefault(target.name, set())
    unknown = wanted.difference(known)
    unknown.difference_update(stored)
    if unknown:
        stored |= {key[0] for key in await target.load_existing([(value,) for value in unknown])}
        unknown -= stored
    return unknown


async def _check_deferred(plan: Plan, bundle: Bundle, target: FileSpec) -> None:
    """Check the `later` references to `target`, now read; problems name the referring rows."""
    for spec in plan.specs.values():
        for reference in spec.references:
            if not reference.later or reference.file != target.name:
                continue
            wanted = plan._deferred.pop((spec.name, reference.column), None)
            if not wanted:
                continue
            unknown = await _unknown(plan, target, wanted)
            if not unknown:
                continue
            problems: list[Problem] = []
            with bundle.open(spec.name) as stream:
                for rows in read_batches(spec, stream, [], BATCH_ROWS):
                    problems.extend(_dangling(spec, reference, rows, unknown))
            plan.add(problems)


def _dangling(spec: FileSpec, reference: Reference, rows: list[Row], unknown: set[Any]) -> Iterator[Problem]:
    """A problem for each row naming a value of `unknown` in the reference's column."""
    for row in rows:
        for value in _values(row.values.get(reference.column)):
            if value in unknown:
                yield Problem(
                    spec.name,
                    row.line,
                    reference.column,
                    N_("“{value}” is not in {file} nor in the database."),
                    {"value": value, "file": reference.file},
                )


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _classify(rows: list[Row], keys: list[Key], existing: dict[Key, Values]) -> FileWork:
    work = FileWork()
    if not existing:
        work.inserts = rows
        return work
    for row, key in zip(rows, keys, strict=True):
        current = existing.get(key)
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
