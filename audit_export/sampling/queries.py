"""Read side of the auditor's sample register: samples, their cases and verdicts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec

from audit_export.sampling.frame import SampleEntity, Stratify
from audit_export.tables import AuditSample, AuditSampleCase
from service_ops.errors import N_, NotFound
from tickets.tables import Complaint, Ticket, WorkOrder

LIST_LIMIT = 200
NUMBERED = {
    SampleEntity.TICKET: Ticket,
    SampleEntity.WORK_ORDER: WorkOrder,
    SampleEntity.COMPLAINT: Complaint,
}


class CaseRead(msgspec.Struct, kw_only=True):
    id: int
    sample_id: int
    position: int
    entity: SampleEntity
    entity_id: int
    reference: str
    """The record's number (ticket, work order or complaint number)."""
    stratum: str
    result: str | None
    note: str
    checked_at: datetime | None
    checked_by: str | None


class SampleSummary(msgspec.Struct, kw_only=True):
    id: int
    entity: SampleEntity
    item_code: str | None
    period_from: date
    period_to: date
    seed: int
    stratify_by: Stratify
    size: int
    population: int
    drawn_at: datetime
    drawn_by: str
    cases: int
    passed: int
    failed: int

    @property
    def unchecked(self) -> int:
        return self.cases - self.passed - self.failed


class SampleRead(SampleSummary, kw_only=True):
    case_list: list[CaseRead]


SAMPLE_COLUMNS = (*AuditSample.all_columns(), AuditSample.drawn_by._.display_name.as_alias("drawn_by_name"))


async def _tallies(sample_ids: list[int]) -> dict[int, dict[str, int]]:
    """Cases, passed and failed per sample (one grouped query)."""
    tallies: dict[int, dict[str, int]] = {sid: {"cases": 0, "passed": 0, "failed": 0} for sid in sample_ids}
    if not sample_ids:
        return tallies
    rows = await AuditSampleCase.select(AuditSampleCase.sample, AuditSampleCase.result).where(
        AuditSampleCase.sample.is_in(sample_ids)
    )
    for row in rows:
        tally = tallies[row["sample"]]
        tally["cases"] += 1
        if row["result"] == "pass":
            tally["passed"] += 1
        elif row["result"] == "fail":
            tally["failed"] += 1
    return tallies


def _summary_fields(row: dict[str, Any], tally: dict[str, int]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "entity": SampleEntity(row["entity"]),
        "item_code": row["item_code"],
        "period_from": row["period_from"],
        "period_to": row["period_to"],
        "seed": row["seed"],
        "stratify_by": Stratify(row["stratify_by"]),
        "size": row["size"],
        "population": row["population"],
        "drawn_at": row["drawn_at"],
        "drawn_by": row["drawn_by_name"] or "",
        **tally,
    }


async def list_samples() -> list[SampleSummary]:
    """The newest samples first."""
    rows = (
        await AuditSample.select(*SAMPLE_COLUMNS).order_by(AuditSample.id, ascending=False).limit(LIST_LIMIT)
    )
    tallies = await _tallies([row["id"] for row in rows])
    return [SampleSummary(**_summary_fields(row, tallies[row["id"]])) for row in rows]


async def references(entity: SampleEntity, ids: list[int]) -> dict[int, str]:
    """The number of each drawn record."""
    if not ids:
        return {}
    table: Any = NUMBERED[entity]
    rows = await table.select(table.id, table.number).where(table.id.is_in(ids))
    return {row["id"]: row["number"] for row in rows}


CASE_COLUMNS = (
    *AuditSampleCase.all_columns(),
    AuditSampleCase.checked_by._.display_name.as_alias("checked_by_name"),
)


def _case_read(row: dict[str, Any], entity: SampleEntity, reference: str) -> CaseRead:
    return CaseRead(
        id=row["id"],
        sample_id=row["sample"],
        position=row["position"],
        entity=entity,
        entity_id=row["entity_id"],
        reference=reference,
        stratum=row["stratum"],
        result=row["result"],
        note=row["note"],
        checked_at=row["checked_at"],
        checked_by=row["checked_by_name"],
    )


async def get_sample(sample_id: int) -> SampleRead:
    row = await AuditSample.select(*SAMPLE_COLUMNS).where(AuditSample.id == sample_id).first()
    if row is None:
        raise NotFound(N_("Sample {id} not found."), id=sample_id)
    entity = SampleEntity(row["entity"])
    cases = await (
        AuditSampleCase.select(*CASE_COLUMNS)
        .where(AuditSampleCase.sample == sample_id)
        .order_by(AuditSampleCase.position)
    )
    numbers = await references(entity, [case["entity_id"] for case in cases])
    tally = (await _tallies([sample_id]))[sample_id]
    return SampleRead(
        **_summary_fields(row, tally),
        case_list=[_case_read(case, entity, numbers.get(case["entity_id"], "")) for case in cases],
    )


async def get_case(sample_id: int, case_id: int) -> CaseRead:
    """One case of one sample (a case id under another sample is not found)."""
    sample = await get_sample(sample_id)
    for case in sample.case_list:
        if case.id == case_id:
            return case
    raise NotFound(
        N_("Case {case_id} of sample {sample_id} not found."), case_id=case_id, sample_id=sample_id
    )
