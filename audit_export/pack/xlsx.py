"""XLSX through openpyxl's write-only workbook (rows stream to disk), made deterministic: the core
properties' created/modified are `as_of` and every zip entry carries `as_of`'s time.

openpyxl's `save()` stamps `modified` with the current time, so the writer is driven directly.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from audit_export.pack.cells import CellText
from audit_export.pack.writer import normalise_zip

MAX_ROWS = 1_048_576
"""Excel's rows per sheet, the header included; further rows continue on a new sheet."""
CREATOR = "service-ops"
TRUNCATED = "… {count} more rows: see {name}"


class XlsxSink:
    """A workbook written sheet by sheet, row by row.

    openpyxl writes some 10k rows/s here, so a sheet may be capped at `limit` data rows (the CSV
    beside it keeps every row); the sheet's last row then says how many were left out and where.
    """

    def __init__(self, path: Path, as_of: datetime, limit: int | None = None) -> None:
        self.path = path
        self.as_of = as_of
        self.limit = limit
        self.workbook = Workbook(write_only=True)
        self._sheet: Any = None
        self._columns: Sequence[str] = ()
        self._title = ""
        self._rows = 0
        self._parts = 0
        self._written = 0
        self._left_out = 0
        self._rest_in = ""
        self._cells = CellText()

    def sheet(self, title: str, columns: Sequence[str], rest_in: str = "") -> None:
        """Start a sheet (titles are cut to Excel's 31 characters); `rest_in` names the file that
        holds the rows beyond the limit."""
        self._close_sheet()
        self._title, self._columns, self._parts, self._rest_in = title, columns, 0, rest_in
        self._written = self._left_out = 0
        self._new_sheet()

    def _close_sheet(self) -> None:
        if self._left_out:
            self._sheet.append([TRUNCATED.format(count=self._left_out, name=self._rest_in)])
            self._left_out = 0

    def _new_sheet(self) -> None:
        self._parts += 1
        suffix = "" if self._parts == 1 else f" ({self._parts})"
        self._sheet = self.workbook.create_sheet((self._title[: 31 - len(suffix)]) + suffix)
        self._sheet.append(list(self._columns))
        self._rows = 1

    def append(self, row: Sequence[Any]) -> None:
        if self.limit is not None and self._written >= self.limit:
            self._left_out += 1
            return
        if self._rows >= MAX_ROWS:
            self._new_sheet()
        to_value = self._cells.value
        self._sheet.append([to_value(value) for value in row])
        self._rows += 1
        self._written += 1

    def extend(self, rows: Sequence[Sequence[Any]]) -> None:
        """Append `rows`; past the limit only counted."""
        if self.limit is not None:
            room = max(self.limit - self._written, 0)
            if room < len(rows):
                self._left_out += len(rows) - room
                rows = rows[:room]
        for row in rows:
            self.append(row)

    def discard(self) -> None:
        """Close the sheets' temporary files of a workbook that will not be saved (a failed build)."""
        for sheet in self.workbook.worksheets:
            try:
                sheet.close()
                sheet._writer.cleanup()
            except Exception:  # best effort: openpyxl removes its leftovers at exit too
                continue

    def save(self) -> None:
        self._close_sheet()
        if not self.workbook.worksheets:
            self.sheet("-", ())
        stamp = self.as_of.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        properties = self.workbook.properties
        properties.creator = CREATOR
        properties.created = stamp
        properties.modified = stamp
        archive = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        ExcelWriter(self.workbook, archive).save()
        normalise_zip(self.path, self.as_of)


def write_xlsx(
    path: Path, as_of: datetime, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
) -> None:
    """A small workbook of whole sheets: (title, columns, rows)."""
    sink = XlsxSink(path, as_of)
    for title, columns, rows in sheets:
        sink.sheet(title, columns)
        for row in rows:
            sink.append(row)
    sink.save()
