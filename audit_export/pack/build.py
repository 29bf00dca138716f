"""Assemble a pack: stage every file, write the manifest, zip deterministically, publish atomically.

Layout of the zip (sorted): documents/<kind>/<file>, index.html, indicators.json,
kpis/<CODE>/<part>.csv and kpis/<CODE>.xlsx (the records behind each KPI), manifest.json,
registers/<name>.csv, samples/{samples,cases}.csv, summary.pdf, summary.xlsx.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from audit_export.pack import contents
from audit_export.pack.csvfile import CsvSink
from audit_export.pack.html import KpiFiles, Report, render_index
from audit_export.pack.manifest import (
    INDICATORS,
    MANIFEST,
    AuditHead,
    file_entries,
    indicators_json,
    manifest_json,
)
from audit_export.pack.pdf import render_pdf
from audit_export.pack.sources import FigureSource, PackFigures, RecordBatches
from audit_export.pack.writer import Staging, sha256_file, staging_folder, write_zip
from audit_export.pack.xlsx import XlsxSink, write_xlsx
from audit_export.period import Period
from service_ops.errors import N_

Progress = Callable[[int, str], Awaitable[None]]
KPI_START, KPI_END = 10, 70
XLSX_RECORD_LIMIT = 10_000
"""Rows per part in a KPI's workbook; its CSV files hold every record (openpyxl writes a row in
~70-90 µs, the CSV in ~5: 100,000 rows a part cost ~150 s of a year's pack)."""
PREFETCH = 2
"""Batches fetched ahead while the last one is written (memory: a few batches at most)."""


@dataclass(frozen=True)
class BuiltPack:
    sha256: str
    size_bytes: int


async def _no_progress(percent: int, stage: str) -> None:
    return None


async def build_pack(
    target: Path, period: Period, as_of: datetime, source: FigureSource, progress: Progress | None = None
) -> BuiltPack:
    """Write the pack for `period` as of `as_of` to `target` (nothing appears there on failure)."""
    report_progress = progress or _no_progress
    head = await contents.audit_head()
    await report_progress(2, N_("Computing the KPIs and the score"))
    figures = await source.figures(period, as_of)
    with staging_folder(target.parent) as staging:
        staging.write_bytes(INDICATORS, indicators_json(period, as_of, figures.indicators))
        kpis = await _write_kpi_records(staging, period, as_of, source, figures, report_progress)
        await report_progress(KPI_END, N_("Copying documents, registers and samples"))
        report = Report(
            period=period,
            as_of=as_of,
            head=head,
            figures=figures,
            kpis=kpis,
            documents=await contents.write_documents(staging),
            registers=await contents.write_registers(staging, period),
            samples=await contents.write_samples(staging, period),
            summary_files=[
                contents.Listed(name, name) for name in ("summary.pdf", "summary.xlsx", INDICATORS)
            ],
        )
        await report_progress(85, N_("Writing the report"))
        await asyncio.to_thread(_write_summary, staging, report)
        await report_progress(95, N_("Packing"))
        rubric_version = figures.indicators.rubric_version
        return await asyncio.to_thread(_pack, target, staging, period, as_of, rubric_version, head)


def _pack(
    target: Path, staging: Staging, period: Period, as_of: datetime, rubric_version: str, head: AuditHead
) -> BuiltPack:
    """Manifest, zip, publish (blocking file work: run in a thread)."""
    names = staging.names()
    entries = file_entries(staging, names)
    staging.write_bytes(MANIFEST, manifest_json(period, as_of, rubric_version, head, entries))
    write_zip(target, staging, sorted([*names, MANIFEST]), as_of)
    return BuiltPack(sha256=sha256_file(target), size_bytes=target.stat().st_size)


async def _write_kpi_records(
    staging: Staging,
    period: Period,
    as_of: datetime,
    source: FigureSource,
    figures: PackFigures,
    progress: Progress,
) -> list[KpiFiles]:
    """Stream each KPI's records into its CSVs and workbook, batch by batch."""
    from audit_export.kpis.definitions import KPIS

    codes = sorted(figures.indicators.kpis)
    listed = []
    for index, code in enumerate(codes):
        await progress(KPI_START + (KPI_END - KPI_START) * index // max(len(codes), 1), code)
        definition = KPIS.get(code)
        files = await _write_one_kpi(staging, code, period, as_of, source)
        listed.append(
            KpiFiles(code, definition.title if definition else code, figures.indicators.kpis[code], files)
        )
    return listed


async def _write_one_kpi(
    staging: Staging, code: str, period: Period, as_of: datetime, source: FigureSource
) -> list[contents.Listed]:
    columns = source.record_columns(code)
    workbook_name = f"kpis/{code}.xlsx"
    workbook = XlsxSink(staging.path(workbook_name), as_of, limit=XLSX_RECORD_LIMIT)
    listed = []
    try:
        for part in source.record_parts(code):
            name = f"kpis/{code}/{part}.csv"
            workbook.sheet(part, columns, rest_in=name)
            rows = 0
            with CsvSink(staging.path(name), columns) as sink:
                async for batch in _prefetched(source.records(code, period, as_of, part)):
                    await asyncio.to_thread(_append, batch, sink, workbook)
                    rows += len(batch)
            listed.append(contents.Listed(name, f"{part}.csv", rows))
    except BaseException:
        workbook.discard()
        raise
    await asyncio.to_thread(workbook.save)
    listed.append(contents.Listed(workbook_name, f"{code}.xlsx"))
    return listed


async def _prefetched(batches: RecordBatches) -> RecordBatches:
    """`batches`, fetched by a task up to PREFETCH batches ahead: the database works on the next
    batch while the last one is written (in a thread)."""
    queue: asyncio.Queue[Sequence[Sequence[Any]] | None] = asyncio.Queue(PREFETCH)

    async def fetch() -> None:
        try:
            async for batch in batches:
                await queue.put(batch)
        except Exception:
            await queue.put(None)  # the reader stops, then `await task` raises this
            raise
        await queue.put(None)

    task = asyncio.create_task(fetch())
    try:
        while (batch := await queue.get()) is not None:
            yield batch
        await task  # raises what the fetch raised
    finally:
        if not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        aclose = getattr(batches, "aclose", None)
        if aclose is not None:
            await aclose()


def _append(batch: Sequence[Sequence[Any]], sink: CsvSink, workbook: XlsxSink) -> None:
    sink.extend(batch)
    workbook.extend(batch)


def _write_summary(staging: Staging, report: Report) -> None:
    indicators = report.figures.indicators
    kpi_rows = [
        (kpi.code, kpi.figure.get("value"), kpi.figure.get("numerator"), kpi.figure.get("denominator"))
        for kpi in report.kpis
    ]
    item_rows = [
        (code, item.get("weight"), item.get("earned"), item.get("applicable"))
        for code, item in indicators.items.items()
    ]
    prerequisite_rows = [(line.code, line.title, line.met) for line in report.figures.prerequisites]
    write_xlsx(
        staging.path("summary.xlsx"),
        report.as_of,
        [
            ("KPIs", ("code", "value", "numerator", "denominator"), kpi_rows),
            ("Items", ("code", "weight", "earned", "applicable"), item_rows),
            ("Prerequisites", ("code", "prerequisite", "met"), prerequisite_rows),
            ("Score", ("score", "grade"), [(indicators.score, indicators.grade)]),
        ],
    )
    staging.write_bytes("index.html", render_index(report))
    staging.write_bytes("summary.pdf", render_pdf(report))
