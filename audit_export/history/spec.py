"""File specs: what each CSV file of a history bundle holds and how it is written.

Each domain registers the specs of its own files (`register_file_spec`); the core's are in
`audit_export.history.core_files`. Files are imported in dependency order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

CellType = Literal["text", "ts", "date", "bool", "list", "money", "int", "decimal"]
Key = tuple[Any, ...]
Values = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """One error, shown as `file:line: column: message` (line 0 / column `*`: the whole file)."""

    file: str
    line: int
    column: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, translate: Callable[[str], str] = lambda message: message) -> str:
        return f"{self.file}:{self.line}: {self.column}: {translate(self.message).format(**self.params)}"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Column:
    """A column of a file: its type, whether a value is required, its limits."""

    name: str
    type: CellType = "text"
    required: bool = False  # a blank value is an error
    optional: bool = False  # may be left out of the header
    default: Any = None  # the value of a blank cell
    max_length: int | None = None
    choices: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    case: Literal["upper", "lower"] | None = None


@dataclass(frozen=True)
class Reference:
    """`column` names a key of `file` (within the bundle or already in the database).

    When no spec for `file` is registered, `resolver` (if any) answers which of the values exist,
    or None when it cannot tell (the reference is then not checked).
    """

    column: str
    file: str
    resolver: Callable[[set[Any]], Awaitable[set[Any] | None]] | None = None
    later: bool = False
    """The referring file is imported *before* `file` (whose writes then use what it wrote, e.g. a
    ticket is inserted with its call); its values are checked once `file` has been read."""


@dataclass
class Row:
    line: int
    values: Values


@dataclass
class FileWork:
    """What the import does with one file's rows."""

    inserts: list[Row] = field(default_factory=list)
    updates: list[tuple[Row, Values]] = field(default_factory=list)  # (row, current values)
    unchanged: int = 0


LoadExisting = Callable[[Sequence[Key]], Awaitable[dict[Key, Values]]]
RowProblems = Iterable[tuple[str, str, dict[str, Any]]]
"""(column, message id, params) of each problem a row check finds."""
ValidateRow = Callable[[Values], RowProblems]
ValidateFile = Callable[[list[Row], "Any"], Awaitable[list[Problem]]]
Write = Callable[[FileWork, str], Awaitable[None]]


@dataclass(frozen=True)
class FileSpec:
    """One CSV file of a bundle.

    - `load_existing(keys)`: the records already in the database among `keys`, as values of the
      file's columns (only the ones stored: they are what a re-import compares).
    - `validate_row(values)`: (column, message id, params) for each problem of one row.
    - `validate_file(rows, plan)`: problems that need several rows or the database.
    - `write(work, origin)`: insert and update in bulk inside the open transaction.

    The importer streams: `load_existing`, `validate_file` and `write` receive successive batches
    of a file's rows (`plan.batch_rows` each; a file that refers to itself comes as one batch), and
    earlier batches are already written when a later one is checked (unless a problem was found,
    after which nothing more is written and the transaction rolls back). `plan.rows` holds only
    the batch being checked; `plan.bundle_keys(file)` the keys of an earlier file.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    load_existing: LoadExisting
    write: Write
    references: tuple[Reference, ...] = ()
    validate_row: ValidateRow | None = None
    validate_file: ValidateFile | None = None
    finish: Callable[[], Awaitable[None]] | None = None
    """Run once every file is written (and no problem found): writes that wait for later files."""
    table: str | None = None
    """The table `load_existing` reads: when it holds no row as the file starts, no batch can
    match a stored record (the file's earlier batches have other keys), so it is not asked."""

    @property
    def depends_on(self) -> list[str]:
        return sorted({ref.file for ref in self.references if ref.file != self.name and not ref.later})

    def key_of(self, values: Values) -> Key:
        return tuple(values[name] for name in self.key)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


_specs: dict[str, FileSpec] = {}


def register_file_spec(spec: FileSpec) -> None:
    """A domain tells the importer about one of its files (at import time of its module)."""
    _specs[spec.name] = spec


def registered_specs() -> dict[str, FileSpec]:
    return dict(_specs)


def import_order(specs: dict[str, FileSpec]) -> list[FileSpec]:
    """Specs sorted so every file comes after the files it refers to (names break ties)."""
    ordered: list[FileSpec] = []
    placed: set[str] = set()
    pending = sorted(specs)
    depends = {name: set(spec.depends_on) for name, spec in specs.items()}
    for spec in specs.values():  # a file referring to a later one comes before it
        for ref in spec.references:
            if ref.later and ref.file in depends:
                depends[ref.file].add(spec.name)
    while pending:
        ready = [name for name in pending if all(d in placed or d not in specs for d in depends[name])]
        if not ready:
            raise RuntimeError(f"history file specs refer to each other in a cycle: {pending}")
        for name in ready:
            ordered.append(specs[name])
            placed.add(name)
        pending = [name for name in pending if name not in placed]
    return ordered
