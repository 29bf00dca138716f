"""A small figure source with the real one's shape, so the pack machinery is tested on its own."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from audit_export.kpis.figures import ratio
from audit_export.pack.manifest import Indicators
from audit_export.pack.sources import PackFigures, PrerequisiteLine, RecordBatches
from audit_export.period import Period
from audit_export.rubric import load_rubric
from audit_export.tables import EvidencePack

AS_OF = datetime(2026, 3, 5, 9, 30, 15, tzinfo=UTC)
COLUMNS = ("id", "opened_at", "outlet", "amount")
_periods = itertools.count(1)


def unique_period() -> Period:
    """A period no other test uses (one pack per period may be in flight)."""
    start = date(2001, 1, 1) + timedelta(days=3 * (next(_periods) + os.getpid() % 2000))
    return Period(start, start + timedelta(days=2))


class FakeSource:
    """Two KPIs, three rubric items, 7 records per part in batches of 3; `fail` raises mid-way."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    async def figures(self, period: Period, as_of: datetime) -> PackFigures:
        items = load_rubric().items[:3]
        return PackFigures(
            indicators=Indicators(
                rubric_version="test-rubric",
                kpis={"HOTLINE_ANSWER_RATE": ratio(3, 4).as_json(), "COMPLAINT_RATE": ratio(0, 0).as_json()},
                items={
                    item.code: {"weight": 2.0, "earned": 1.5, "applicable": True, "evidence": []}
                    for item in items
                },
                score="85.00",
                grade="four_star",
            ),
            prerequisites=(PrerequisiteLine("P1", "Service manual", True),),
        )

    def record_parts(self, code: str) -> Sequence[str]:
        return ("numerator", "denominator")

    def record_columns(self, code: str) -> Sequence[str]:
        return COLUMNS

    async def records(self, code: str, period: Period, as_of: datetime, part: str) -> RecordBatches:  # type: ignore[override]
        rows: list[tuple[Any, ...]] = [
            (index, period.start_at + timedelta(hours=index), "北京网点", f"{index}.50")
            for index in range(1, 8)
        ]
        for start in range(0, len(rows), 3):
            if self.fail and start:
                raise RuntimeError("the records could not be read")
            yield rows[start : start + 3]


async def queued_pack(actor_id: int, period: Period, as_of: datetime = AS_OF) -> int:
    """A queued pack row as request_pack leaves it, without queuing the job (tests run it)."""
    pack = EvidencePack(
        period_from=period.start, period_to=period.end, as_of=as_of, status="queued", requested_by=actor_id
    )
    await pack.save()
    return int(pack.id)
