"""The facts the self-assessment reads, each as it stood at `as_of` (so a pack or snapshot made
later for the same period and moment gives the same answer): the score sheet in force, the
service-target register, current documents, register records in the period, the latest sample
per item, and the auditor's findings in force.

Registers the system does not keep (spare parts, product model documents, deliveries, take-back)
are `None`: shown as "not kept in the system" and scored as missing (the rubric never flatters).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from audit_export import prerequisites
from audit_export.period import Period, local_date
from audit_export.rubric import Rubric
from audit_export.scoring.model import Facts, Finding, SampleResult
from audit_export.scoring.weights import rubric_weights
from audit_export.tables import AuditFinding, AuditSample, AuditSampleCase, ScoreSheet
from outlets.tables import OutletInspection
from service_ops.documents import queries as documents
from service_ops.documents.tables import ControlledDocument, ManagementReview, RewardPenalty, ServiceTarget
from service_ops.tables import Customer
from tickets.tables import CorrectiveAction
from training.tables import Attendance

D = ControlledDocument
Counter = Callable[[Period, datetime], Awaitable[int]]


def _day_window(period: Period, as_of: datetime) -> tuple[date, date]:
    """[first, last] days of the period that have happened by as_of."""
    return period.start, min(period.last_day, local_date(as_of))


async def _inspections(period: Period, as_of: datetime) -> int:
    first, last = _day_window(period, as_of)
    return await OutletInspection.count().where(
        (OutletInspection.inspected_on >= first) & (OutletInspection.inspected_on <= last)
    )


async def _corrective_actions(period: Period, as_of: datetime) -> int:
    first, last = _day_window(period, as_of)
    return await CorrectiveAction.count().where(
        (CorrectiveAction.opened_on >= first) & (CorrectiveAction.opened_on <= last)
    )


async def _reviews(period: Period, as_of: datetime) -> int:
    first, last = _day_window(period, as_of)
    return await ManagementReview.count().where(
        (ManagementReview.held_on >= first) & (ManagementReview.held_on <= last)
    )


async def _targets(period: Period, as_of: datetime) -> int:
    """Service targets whose own period overlaps the period, recorded by as_of."""
    return await ServiceTarget.count().where(
        (ServiceTarget.period_from <= period.last_day)
        & (ServiceTarget.period_to >= period.start)
        & (ServiceTarget.created_at <= as_of)
    )


async def _rewards(period: Period, as_of: datetime) -> int:
    first, last = _day_window(period, as_of)
    return await RewardPenalty.count().where(
        (RewardPenalty.decided_on >= first) & (RewardPenalty.decided_on <= last)
    )


async def _attendance(period: Period, as_of: datetime) -> int:
    starts = Attendance.session._.starts_at
    return await Attendance.count().where(
        Attendance.attended.eq(True) & (starts >= period.start_at) & (starts < min(period.end_at, as_of))
    )


async def _customers(period: Period, as_of: datetime) -> int:
    """The customer database exists: customers recorded before the period ends (and by as_of)."""
    return await Customer.count().where(Customer.created_at < min(period.end_at, as_of))


REGISTERS: dict[str, Counter | None] = {
    "outlet_inspection": _inspections,
    "corrective_action": _corrective_actions,
    "management_review": _reviews,
    "service_target": _targets,
    "reward_record": _rewards,
    "training_attendance": _attendance,
    "customer_database": _customers,
    "spare_parts_stock": None,
    "product_model_documents": None,
    "delivery_record": None,
    "takeback_record": None,
}
"""Each register the rubric names → how its records in the period are counted; None: not kept."""


async def register_counts(rubric: Rubric, period: Period, as_of: datetime) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    for name in sorted(rubric.registers):
        counter = REGISTERS.get(name)
        counts[name] = None if counter is None else await counter(period, as_of)
    return counts


async def documents_in_force(kinds: frozenset[str], as_of: datetime) -> dict[str, int | None]:
    """Kind → the version in force on as_of's day (effective, not yet superseded or retired)."""
    day = local_date(as_of)
    rows = (
        await D.select(D.id, D.kind)
        .where(
            D.kind.is_in(sorted(kinds) or [""])
            & (D.effective_on <= day)
            & (D.created_at <= as_of)
            & (D.superseded_on.is_null() | (D.superseded_on > day))
            & (D.retired_on.is_null() | (D.retired_on > day))
        )
        .order_by(D.effective_on, ascending=False)
        .order_by(D.id, ascending=False)
    )
    found: dict[str, int | None] = dict.fromkeys(sorted(kinds))
    for row in rows:
        if found.get(row["kind"]) is None:
            found[row["kind"]] = int(row["id"])
    return found


async def latest_samples(as_of: datetime) -> dict[str, SampleResult]:
    """Item code → its latest sample drawn by as_of, counting the cases checked by as_of."""
    samples = (
        await AuditSample.select(AuditSample.id, AuditSample.item_code)
        .where(AuditSample.item_code.is_not_null() & (AuditSample.drawn_at <= as_of))
        .order_by(AuditSample.drawn_at, ascending=False)
        .order_by(AuditSample.id, ascending=False)
    )
    latest: dict[str, int] = {}
    for row in samples:
        latest.setdefault(row["item_code"], int(row["id"]))
    if not latest:
        return {}
    cases = await AuditSampleCase.select(AuditSampleCase.sample, AuditSampleCase.result).where(
        AuditSampleCase.sample.is_in(list(latest.values()))
        & AuditSampleCase.result.is_in(["pass", "fail"])
        & (AuditSampleCase.checked_at <= as_of)
    )
    results = {}
    for code, sample_id in latest.items():
        verdicts = [case["result"] for case in cases if case["sample"] == sample_id]
        results[code] = SampleResult(sample_id, verdicts.count("pass"), len(verdicts))
    return results


async def findings_in_force(as_of: datetime) -> tuple[Finding, ...]:
    """Findings recorded by as_of and not withdrawn by then, oldest first."""
    rows = (
        await AuditFinding.select(
            AuditFinding.id, AuditFinding.kind, AuditFinding.item_code, AuditFinding.note
        )
        .where(
            (AuditFinding.recorded_at <= as_of)
            & (AuditFinding.withdrawn_at.is_null() | (AuditFinding.withdrawn_at > as_of))
        )
        .order_by(AuditFinding.id)
    )
    return tuple(Finding(int(r["id"]), r["kind"], r["item_code"], r["note"]) for r in rows)


async def sheet_in_force(as_of: datetime) -> dict[str, object] | None:
    """The highest score-sheet version loaded by as_of, or None (the rubric's own weights)."""
    row: dict[str, object] | None = (
        await ScoreSheet.select(ScoreSheet.version, ScoreSheet.weights, ScoreSheet.grade_scheme)
        .where(ScoreSheet.loaded_at <= as_of)
        .order_by(ScoreSheet.version, ascending=False)
        .first()
    )
    return row


async def service_targets(period: Period) -> dict[str, str]:
    """The register's annual targets covering the period's last day (they win over the rubric's)."""
    return {
        code: target.target for code, target in (await documents.targets_covering(period.last_day)).items()
    }


async def gather_facts(rubric: Rubric, period: Period, as_of: datetime) -> Facts:
    sheet = await sheet_in_force(as_of)
    weights = rubric_weights(rubric) if sheet is None else json.loads(str(sheet["weights"]))
    return Facts(
        weights={code: float(weight) for code, weight in weights.items()},
        grade_scheme=rubric.scoring.default_scheme if sheet is None else str(sheet["grade_scheme"]),
        score_sheet_version=None if sheet is None else int(str(sheet["version"])),
        targets=await service_targets(period),
        documents=await documents_in_force(rubric.document_kinds, as_of),
        registers=await register_counts(rubric, period, as_of),
        samples=await latest_samples(as_of),
        findings=await findings_in_force(as_of),
        prerequisites=tuple(await prerequisites.check_all(local_date(as_of))),
    )
