"""Reading one CSV file of a bundle: the header, then every row's cells typed per its spec, in batches."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from audit_export.history.bundle import WHOLE_FILE
from audit_export.history.spec import Column, FileSpec, Problem, Row
from service_ops import clock
from service_ops.errors import N_

TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^[+-]?\d+$")


class CellError(ValueError):
    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def read_file(spec: FileSpec, content: bytes, problems: list[Problem]) -> list[Row]:
    """The typed rows of one whole file held in memory (small files, tests)."""
    return [row for batch in read_batches(spec, io.BytesIO(content), problems) for row in batch]


def read_batches(
    spec: FileSpec, stream: IO[bytes], problems: list[Problem], batch_rows: int | None = None
) -> Iterator[list[Row]]:
    """The typed rows of one file, streamed in lists of at most `batch_rows` (None: one list).

    Problems are appended as they are met; a header problem stops the file, as does text that is
    not UTF-8 or malformed CSV (the rest of the file cannot be read reliably).
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = [name.strip() for name in next(reader, [])]
        if not _header_ok(spec, header, problems):
            return
        typed_row = _RowReader(spec, header, problems)
        rows: list[Row] = []
        for cells in reader:
            row = typed_row(cells, reader.line_num)
            if row is not None:
                rows.append(row)
                if batch_rows is not None and len(rows) >= batch_rows:
                    yield rows
                    rows = []
        if rows:
            yield rows
    except UnicodeDecodeError:
        problems.append(
            Problem(spec.name, reader.line_num + 1, WHOLE_FILE, N_("Not UTF-8 text (from this line on)."))
        )
    except csv.Error as error:
        problems.append(
            Problem(
                spec.name, reader.line_num, WHOLE_FILE, N_("Malformed CSV: {error}"), {"error": str(error)}
            )
        )


class _RowReader:
    """Types the cells of one file's rows; each column's position and checks worked out once.

    This is the importer's innermost loop (millions of rows), hence plain locals and closures.
    """

    def __init__(self, spec: FileSpec, header: list[str], problems: list[Problem]) -> None:
        self.spec, self.width, self.problems = spec, len(header), problems
        position = {name: index for index, name in enumerate(header)}
        self.cells = [
            (column.name, position.get(column.name), _cell_parser(column)) for column in spec.columns
        ]

    def __call__(self, cells: list[str], line: int) -> Row | None:
        if not "".join(cells).strip():
            return None  # blank lines
        if len(cells) != self.width:
            self.problems.append(
                Problem(
                    self.spec.name,
                    line,
                    WHOLE_FILE,
                    N_("{found} cells where the header has {expected}."),
                    {"found": len(cells), "expected": self.width},
                )
            )
            return None
        values: dict[str, Any] = {}
        ok = True
        for name, index, parse in self.cells:
            try:
                values[name] = parse("" if index is None else cells[index])
            except CellError as error:
                self.problems.append(Problem(self.spec.name, line, name, error.message, error.params))
                ok = False
        if not ok:
            return None
        validate = self.spec.validate_row
        if validate is not None:
            for column_name, message, params in validate(values):
                self.problems.append(Problem(self.spec.name, line, column_name, message, params))
                ok = False
        return Row(line, values) if ok else None


def _header_ok(spec: FileSpec, header: list[str], problems: list[Problem]) -> bool:
    before = len(problems)
    known = {column.name for column in spec.columns}
    seen: set[str] = set()
    for name in header:
        if name not in known:
            problems.append(Problem(spec.name, 1, name or "?", N_("Unknown column.")))
        elif name in seen:
            problems.append(Problem(spec.name, 1, name, N_("The column appears twice in the header.")))
        seen.add(name)
    for column in spec.columns:
        if not column.optional and column.name not in seen:
            problems.append(
                Problem(spec.name, 1, column.name, N_("Required column missing from the header."))
            )
    return len(problems) == before


def typed_cell(column: Column, raw: str) -> Any:
    """The cell's value per the column's type; blank is the column's default (None unless set)."""
    return _cell_parser(column)(raw)


def _cell_parser(column: Column) -> Callable[[str], Any]:
    """`typed_cell` for one column as a closure (the checks it needs worked out once)."""
    parse, required, default = _PARSERS[column.type], column.required, column.default
    case, max_length, minimum, maximum = column.case, column.max_length, column.minimum, column.maximum
    choices = None if column.choices is None else frozenset(column.choices)
    listed = ", ".join(column.choices or ())
    checks_text = case is not None or max_length is not None

    def cell(raw: str) -> Any:
        text = raw.strip()
        if not text:
            if required:
                raise CellError(N_("A value is required."))
            return default
        value = parse(text)
        if checks_text and isinstance(value, str):
            value = value.upper() if case == "upper" else value.lower() if case == "lower" else value
            if max_length is not None and len(value) > max_length:
                raise CellError(N_("Too long (at most {max} characters)."), max=max_length)
        if choices is not None:
            for item in value if isinstance(value, list) else (value,):
                if item not in choices:
                    raise CellError(N_("“{value}” is not one of: {choices}."), value=item, choices=listed)
        if minimum is not None and value < minimum:
            raise CellError(N_("Must be at least {min}."), min=minimum)
        if maximum is not None and value > maximum:
            raise CellError(N_("Must be at most {max}."), max=maximum)
        return value

    return cell


def _parse_ts(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CellError(N_("“{value}” is not an ISO 8601 timestamp."), value=text[:40]) from None
    return moment.replace(tzinfo=clock.org_zone()) if moment.tzinfo is None else moment


def _parse_date(text: str) -> date:
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise CellError(N_("“{value}” is not a date (YYYY-MM-DD)."), value=text[:40]) from None


def _parse_bool(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(N_("“{value}” is not true/false/1/0/yes/no."), value=text[:40])


def _parse_int(text: str) -> int:
    if not _INT.match(text):
        raise CellError(N_("“{value}” is not a whole number."), value=text[:40])
    return int(text)


def _parse_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise CellError(N_("“{value}” is not a number."), value=text[:40])
    return value


def _parse_money(text: str) -> Decimal:
    value = _parse_decimal(text)
    if -value.as_tuple().exponent > 2:  # type: ignore[operator]
        raise CellError(N_("“{value}” has more than 2 decimal places."), value=text[:40])
    return value


def _parse_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


_PARSERS: dict[str, Any] = {
    "text": lambda text: text,
    "ts": _parse_ts,
    "date": _parse_date,
    "bool": _parse_bool,
    "int": _parse_int,
    "decimal": _parse_decimal,
    "money": _parse_money,
    "list": _parse_list,
}
