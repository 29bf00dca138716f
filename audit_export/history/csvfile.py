"""Reading one CSV file of a bundle: the header, then every row's cells typed per its spec."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

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
    """The typed rows of one file; problems are appended (a header problem stops the file)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(spec.name, 0, WHOLE_FILE, N_("Not UTF-8 text (byte {at})."), {"at": error.start})
        )
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    if not _header_ok(spec, header, problems):
        return []
    rows: list[Row] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        spec.name,
                        line,
                        WHOLE_FILE,
                        N_("{found} cells where the header has {expected}."),
                        {"found": len(cells), "expected": len(header)},
                    )
                )
                continue
            values = _typed_row(spec, dict(zip(header, cells, strict=True)), line, problems)
            if values is not None:
                rows.append(Row(line, values))
    except csv.Error as error:
        problems.append(
            Problem(
                spec.name, reader.line_num, WHOLE_FILE, N_("Malformed CSV: {error}"), {"error": str(error)}
            )
        )
    return rows


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


def _typed_row(
    spec: FileSpec, raw: dict[str, str], line: int, problems: list[Problem]
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    ok = True
    for column in spec.columns:
        try:
            values[column.name] = typed_cell(column, raw.get(column.name, ""))
        except CellError as error:
            problems.append(Problem(spec.name, line, column.name, error.message, error.params))
            ok = False
    if ok and spec.validate_row is not None:
        for column_name, message, params in spec.validate_row(values):
            problems.append(Problem(spec.name, line, column_name, message, params))
            ok = False
    return values if ok else None


def typed_cell(column: Column, raw: str) -> Any:
    """The cell's value per the column's type; blank is the column's default (None unless set)."""
    text = raw.strip()
    if not text:
        if column.required:
            raise CellError(N_("A value is required."))
        return column.default
    value = _PARSERS[column.type](text)
    if isinstance(value, str):
        value = (
            value.upper() if column.case == "upper" else value.lower() if column.case == "lower" else value
        )
        if column.max_length is not None and len(value) > column.max_length:
            raise CellError(N_("Too long (at most {max} characters)."), max=column.max_length)
    if column.choices is not None:
        for item in value if isinstance(value, list) else [value]:
            if item not in column.choices:
                raise CellError(
                    N_("“{value}” is not one of: {choices}."), value=item, choices=", ".join(column.choices)
                )
    if column.minimum is not None and value < column.minimum:
        raise CellError(N_("Must be at least {min}."), min=column.minimum)
    if column.maximum is not None and value > column.maximum:
        raise CellError(N_("Must be at most {max}."), max=column.maximum)
    return value


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
