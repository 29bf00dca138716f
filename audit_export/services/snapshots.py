"""KPI and score snapshots: a live one of the current month every SERVICE_OPS_SNAPSHOT_MINUTES
(audit_export.tasks), and a frozen one per month at month close, never rewritten.

A snapshot records the audit watermark its figures saw: the last audit event that is not
bookkeeping. Bookkeeping = pack exports and downloads (`audit_export.pack_…`) and snapshots
themselves (`audit_export.snapshot_…`): a snapshot's own event changes no figure, so it must not
move the watermark, or two snapshots of an unchanged state would differ for no reason.

A correction after month close shows as a difference (`snapshot_differences`): the frozen
period is recomputed now and compared with the frozen figures.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from audit_export.kpis import engine
from audit_export.kpis.figures import KpiFigure
from audit_export.period import Period, checked_as_of
from audit_export.scoring import score
from audit_export.scoring.model import Assessment
from audit_export.scoring.writes import lock
from audit_export.tables import KpiSnapshot
from audit_export.watermark import audit_watermark
from service_ops import clock
from service_ops.actor import Actor
from service_ops.audit import canonical_json
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import N_, Conflict, Invalid
from service_ops.uow import unit_of_work

__all__ = ["close_month", "take_snapshot"]

TAKEN = "audit_export.snapshot_taken"
FROZEN = "audit_export.snapshot_frozen"
LIVE, FROZEN_KIND = "live", "frozen"
ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER)
ATTEMPTS = 3
S = KpiSnapshot


def _figures_json(figures: dict[str, KpiFigure]) -> dict[str, Any]:
    return {code: figure.as_json() for code, figure in sorted(figures.items())}


async def _computed(period: Period, as_of: datetime) -> tuple[Assessment, dict[str, Any], tuple[int, str]]:
    """The assessment and outlet figures with the watermark they saw: computed again when an
    event landed meanwhile (a few times at most; then the later watermark is kept)."""
    for _ in range(ATTEMPTS):
        before = await audit_watermark()
        assessment = await score.assess(period, as_of)
        by_outlet = await engine.compute_kpis_by(period, as_of, "outlet")
        after = await audit_watermark()
        if after == before:
            break
    outlets = {key: _figures_json(figures) for key, figures in sorted(by_outlet.items())}
    return assessment, outlets, after


async def _save(actor: Actor, kind: str, period: Period, as_of: datetime) -> KpiSnapshot:
    assessment, by_outlet, (seq, hash_) = await _computed(period, as_of)
    async with unit_of_work(actor) as uow:
        if kind == FROZEN_KIND:
            await lock(f"frozen:{period.start}:{period.end}")
            await _check_not_frozen(period)
        snapshot = S(
            kind=kind,
            period_from=period.start,
            period_to=period.end,
            as_of=as_of,
            rubric_version=assessment.rubric_version,
            score_sheet_version=assessment.score_sheet_version,
            audit_seq=seq,
            audit_hash=hash_,
            kpis=canonical_json(assessment.kpis_json()),
            by_outlet=canonical_json(by_outlet),
            items=canonical_json(assessment.items_json()),
            score=assessment.score_text,
            grade=assessment.grade,
            created_at=clock.now(),
            created_by=actor.user_id,
        )
        await snapshot.save()
        after = {
            "kind": kind,
            "period": period.as_json(),
            "as_of": as_of,
            "audit_seq": seq,
            "score": snapshot.score,
            "grade": snapshot.grade,
        }
        uow.record(FROZEN if kind == FROZEN_KIND else TAKEN, "kpi_snapshot", snapshot.id, after=after)
        return snapshot


async def take_snapshot(actor: Actor, period: Period, as_of: datetime | None = None) -> KpiSnapshot:
    """A live snapshot of a period as of a moment (now when absent; never in the future)."""
    check_role(actor, ROLES)
    return await _save(actor, LIVE, period, checked_as_of(as_of))


async def _check_not_frozen(period: Period) -> None:
    if await S.exists().where(
        (S.kind == FROZEN_KIND) & (S.period_from == period.start) & (S.period_to == period.end)
    ):
        raise Conflict(
            N_("The month starting {month} is already closed: a frozen snapshot is never taken twice."),
            field="month",
            month=period.start.isoformat(),
        )


async def close_month(actor: Actor, month: date) -> KpiSnapshot:
    """Freeze a month that has ended (any day of it names it): its figures as of now, once."""
    check_role(actor, ROLES)
    period = Period.month(month)
    if period.end > clock.today():
        raise Invalid(
            N_("The month starting {month} has not ended yet: close it from {day} on."),
            field="month",
            month=period.start.isoformat(),
            day=period.end.isoformat(),
        )
    await _check_not_frozen(period)
    return await _save(actor, FROZEN_KIND, period, clock.now())


async def frozen_snapshot(period: Period) -> KpiSnapshot | None:
    return (
        await S.objects()
        .where((S.kind == FROZEN_KIND) & (S.period_from == period.start) & (S.period_to == period.end))
        .first()
    )


async def latest_live_snapshot(period: Period) -> KpiSnapshot | None:
    return (
        await S.objects()
        .where((S.kind == LIVE) & (S.period_from == period.start) & (S.period_to == period.end))
        .order_by(S.id, ascending=False)
        .first()
    )


async def snapshot_differences(
    frozen: KpiSnapshot,
) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
    """(KPI code, frozen figure, figure recomputed now) for every KPI that moved since the close:
    a correction made later shows here; the frozen row itself is never updated."""
    period = Period(frozen.period_from, frozen.period_to)
    current = _figures_json(await engine.compute_kpis(period, clock.now()))
    kept: dict[str, Any] = json.loads(frozen.kpis)
    return [
        (code, kept.get(code), current.get(code))
        for code in sorted(set(kept) | set(current))
        if kept.get(code) != current.get(code)
    ]
