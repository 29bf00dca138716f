"""CSV as Excel opens it: UTF-8 with a byte-order mark, CRLF line ends (the csv module's default)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from audit_export.pack.cells import CellText

ENCODING = "utf-8-sig"


class CsvSink:
    """Rows appended as they come (batches of a KPI's records are never held all at once)."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self._file = path.open("w", encoding=ENCODING, newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(columns)
        self._cells = CellText()

    def append(self, row: Sequence[Any]) -> None:
        self._writer.writerow(self._cells.row(row))

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        to_text = self._cells.row
        self._writer.writerows([to_text(row) for row in rows])

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> CsvSink:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with CsvSink(path, columns) as sink:
        sink.extend(rows)
