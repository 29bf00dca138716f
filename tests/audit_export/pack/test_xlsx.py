"""Workbooks of the pack: capped sheets say where the other rows are; dates are `as_of`."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from audit_export.pack.xlsx import XlsxSink
from tests.audit_export.pack.fakes import AS_OF


def test_a_capped_sheet_names_the_file_with_every_row(tmp_path: Path) -> None:
    sink = XlsxSink(tmp_path / "k.xlsx", AS_OF, limit=2)
    sink.sheet("numerator", ("id", "at"), rest_in="kpis/K/numerator.csv")
    for index in range(5):
        sink.append((index, AS_OF))
    sink.sheet("denominator", ("id", "at"), rest_in="kpis/K/denominator.csv")
    sink.append((9, None))
    sink.save()
    book = load_workbook(tmp_path / "k.xlsx", read_only=True)
    numerator = [row for row in book["numerator"].iter_rows(values_only=True)]
    assert [row[0] for row in numerator] == ["id", 0, 1, "… 3 more rows: see kpis/K/numerator.csv"]
    assert [row[0] for row in book["denominator"].iter_rows(values_only=True)] == ["id", 9]
    assert book.properties.created == AS_OF.replace(tzinfo=None)
