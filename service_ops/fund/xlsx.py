"""XLSX exports of the fund: budget vs actual with the entries behind it, and any entry list.

Deterministic: the same figures and `moment` give the same bytes (document properties and zip entry
times are set from `moment`), so an export can go into a byte-identical evidence pack.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from service_ops.fund.schemas import BudgetReport, EntryRead
from service_ops.i18n import gettext

MONEY = "#,##0.00"
PERCENT = "0.0%"
DAY = "yyyy-mm-dd"
BOLD = Font(bold=True)


def budget_workbook(report: BudgetReport, entries: Sequence[EntryRead], moment: datetime) -> bytes:
    """Budget vs actual of a period (one sheet) and its budget and expense entries (a second sheet)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Budget vs actual")
    sheet.append([gettext("Period"), report.period, report.first_day, report.last_day])
    sheet.cell(row=1, column=3).number_format = DAY
    sheet.cell(row=1, column=4).number_format = DAY
    sheet.append([])
    _header(
        sheet, [gettext("Line"), gettext("Budget"), gettext("Actual"), gettext("Variance"), gettext("Used")]
    )
    for row in [*report.rows, report.total]:
        sheet.append([row.label, row.budget, row.actual, row.variance, row.utilisation])
        line = sheet.max_row
        for column in (2, 3, 4):
            sheet.cell(row=line, column=column).number_format = MONEY
        sheet.cell(row=line, column=5).number_format = PERCENT
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    sheet.column_dimensions["A"].width = 36
    _entry_sheet(book.create_sheet(gettext("Entries")), entries)
    return workbook_bytes(book, moment)


def entries_workbook(entries: Sequence[EntryRead], moment: datetime) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext("Entries")
    _entry_sheet(sheet, entries)
    return workbook_bytes(book, moment)


def _header(sheet: Worksheet, titles: list[str]) -> None:
    sheet.append(titles)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def _entry_sheet(sheet: Worksheet, entries: Sequence[EntryRead]) -> None:
    _header(
        sheet,
        [
            gettext("Number"),
            gettext("Date"),
            gettext("Kind"),
            gettext("Amount"),
            gettext("Account"),
            gettext("Outlet"),
            gettext("Reference"),
            gettext("Memo"),
            gettext("Reverses"),
            gettext("Reason"),
            gettext("Origin"),
        ],
    )
    for e in entries:
        sheet.append(
            [
                e.number,
                e.posted_on,
                gettext(e.kind.label),
                e.amount,
                f"{e.account_code} {e.account_name}",
                e.outlet_name or (str(e.outlet_id) if e.outlet_id is not None else ""),
                f"{gettext(e.reference_kind.label)} {e.reference_id}".strip(),
                e.memo,
                e.reverses_number or "",
                e.reason,
                e.external_id or e.origin,
            ]
        )
        line = sheet.max_row
        sheet.cell(row=line, column=2).number_format = DAY
        sheet.cell(row=line, column=4).number_format = MONEY
    total = sum((e.amount for e in entries), Decimal("0.00"))
    sheet.append([gettext("Total"), None, None, total])
    sheet.cell(row=sheet.max_row, column=4).number_format = MONEY
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["E"].width = 28


def workbook_bytes(book: Workbook, moment: datetime) -> bytes:
    """Save `book` with its created / modified dates and every zip entry time set to `moment`."""
    stamp = moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    book.properties.created = book.properties.modified = stamp
    book.properties.creator = book.properties.lastModifiedBy = "service-ops"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    fixed = io.BytesIO()
    zip_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=zip_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return fixed.getvalue()
