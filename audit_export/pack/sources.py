"""Where a pack's figures come from: the self-assessment (KPI figures, rubric items, score, grade,
prerequisites) and the records behind each KPI. `EngineSource` is the real one; tests inject a
small fake with the same shape."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from audit_export.pack.manifest import Indicators
from audit_export.period import Period

RecordBatches = AsyncIterator[Sequence[Sequence[Any]]]
DEFAULT_PARTS = ("numerator", "denominator")
BATCH = 5000


@dataclass(frozen=True)
class PrerequisiteLine:
    code: str
    title: str
    """Untranslated message id."""
    met: bool


@dataclass(frozen=True)
class PackFigures:
    indicators: Indicators
    prerequisites: tuple[PrerequisiteLine, ...]


class FigureSource(Protocol):
    async def figures(self, period: Period, as_of: datetime) -> PackFigures: ...

    def record_parts(self, code: str) -> Sequence[str]: ...

    def record_columns(self, code: str) -> Sequence[str]: ...

    def records(self, code: str, period: Period, as_of: datetime, part: str) -> RecordBatches: ...


class EngineSource:
    """The KPI engine, its drill-down and the scoring (imported when a pack is built)."""

    async def figures(self, period: Period, as_of: datetime) -> PackFigures:
        from audit_export.scoring.score import assess

        assessment = await assess(period, as_of)
        return PackFigures(
            indicators=Indicators(
                rubric_version=assessment.rubric_version,
                kpis=assessment.kpis_json(),
                items=assessment.items_json(),
                score=assessment.score_text,
                grade=assessment.grade,
            ),
            prerequisites=tuple(
                PrerequisiteLine(check.code, check.title, check.met) for check in assessment.prerequisites
            ),
        )

    def record_parts(self, code: str) -> Sequence[str]:
        """Numerator and denominator records; none for a figure without a drill-down."""
        from audit_export.kpis import drilldown
        from service_ops.errors import NotFound

        try:
            drilldown.record_columns(code)
        except NotFound:
            return ()
        return tuple(getattr(drilldown, "PARTS", DEFAULT_PARTS))

    def record_columns(self, code: str) -> Sequence[str]:
        from audit_export.kpis.drilldown import record_columns

        columns: Sequence[str] = record_columns(code)
        return columns

    def records(self, code: str, period: Period, as_of: datetime, part: str) -> RecordBatches:
        from piccolo.engine.postgres import PostgresEngine

        from audit_export.kpis.drilldown import iter_kpi_records
        from service_ops.db import engine

        if isinstance(engine(), PostgresEngine):
            return _cursor_records(code, period, as_of, part)
        batches: RecordBatches = iter_kpi_records(code, period, as_of, part, batch=BATCH)
        return batches


async def _cursor_records(code: str, period: Period, as_of: datetime, part: str) -> RecordBatches:
    """The part's records through one server-side cursor (PostgreSQL), BATCH rows at a time.

    Keyset pages (drilldown.iter_kpi_records) re-run the record set for every page: fine for a
    screen, quadratic for an export when the record set groups (first_time_fix_rate,
    repeat_repair_rate_30d: ~100 pages of a 2-3 s statement each). One cursor runs it once, in one
    snapshot, in the same order by the stable key, and still holds one batch in memory."""
    from audit_export.kpis.drilldown import _row, _select, _source
    from service_ops.db import engine

    sql = f"SELECT {_select(code)} {await _source(code, period, as_of, part, None)} ORDER BY r.k"
    db = engine()
    pool = db.pool
    connection = await (pool.acquire() if pool is not None else db.get_new_connection())
    try:
        async with connection.transaction(readonly=True):
            cursor = await connection.cursor(sql)
            while rows := await cursor.fetch(BATCH):
                yield [_row(code, row) for row in rows]  # asyncpg records read by column name
    finally:
        if pool is not None:
            await pool.release(connection)
        else:
            await connection.close()
