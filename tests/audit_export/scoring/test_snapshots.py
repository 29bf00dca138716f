"""Snapshots with the real KPI engine: live snapshots keep the audit watermark still, the periodic
job takes one, a month closes once, and a later correction shows as a difference against the
frozen figures (the frozen row itself never changes)."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from audit_export import tasks
from audit_export.period import Period
from audit_export.services import snapshots
from audit_export.tables import KpiSnapshot
from service_ops import clock
from service_ops.errors import Conflict, Invalid
from service_ops.settings import get_settings
from service_ops.tables import AuditEvent
from tickets.choices import CapaSource
from tickets.loop_schemas import CorrectiveActionCreate
from tickets.services import corrective_actions
from tickets.tables import CorrectiveAction


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.org_zone())


async def test_a_snapshots_own_event_does_not_move_the_watermark(make_user: Any) -> None:
    manager = await make_user("service_manager")
    period, as_of = Period.month(clock.today()), clock.now()
    first = await snapshots.take_snapshot(manager, period, as_of)
    second = await snapshots.take_snapshot(manager, period, as_of)
    assert (first.kind, first.period_from, first.period_to) == ("live", period.start, period.end)
    assert (second.audit_seq, second.audit_hash) == (first.audit_seq, first.audit_hash)
    assert (second.kpis, second.items, second.by_outlet, second.score) == (
        first.kpis,
        first.items,
        first.by_outlet,
        first.score,
    )
    watermark = await AuditEvent.select(AuditEvent.hash).where(AuditEvent.seq == first.audit_seq).first()
    assert watermark["hash"] == first.audit_hash
    own = await AuditEvent.select(AuditEvent.seq, AuditEvent.action).where(
        (AuditEvent.entity == "kpi_snapshot") & (AuditEvent.entity_id == str(first.id))
    )
    assert [row["action"] for row in own] == ["audit_export.snapshot_taken"] and own[0][
        "seq"
    ] > first.audit_seq
    kpis, items = json.loads(first.kpis), json.loads(first.items)
    assert set(kpis["capa_on_time_rate"]) == {"value", "numerator", "denominator"}
    assert set(items["5.1.2.2"]) == {"weight", "earned", "applicable", "evidence"}
    assert first.grade in ("none", "qualified", "three_star", "four_star", "five_star")


async def test_the_future_is_refused(make_user: Any) -> None:
    manager = await make_user("service_manager")
    with pytest.raises(Invalid, match="future"):
        await snapshots.take_snapshot(manager, Period.month(clock.today()), clock.now() + timedelta(hours=1))


async def test_the_periodic_job_takes_a_live_snapshot_of_this_month() -> None:
    minutes = {job.function.__name__: job.minutes for job in tasks.PERIODIC}
    assert minutes["take_live_snapshot"] == get_settings().snapshot_minutes == 60
    snapshot_id = await tasks.take_live_snapshot({})
    row = await KpiSnapshot.select().where(KpiSnapshot.id == snapshot_id).first()
    assert (row["kind"], row["period_from"]) == ("live", Period.month(clock.today()).start)


async def test_month_close_freezes_once_and_shows_later_corrections(make_user: Any) -> None:
    manager = await make_user("service_manager")
    march = date(2025, 3, 1)
    with clock.frozen_at(_at(date(2025, 3, 10))):
        action_id = await corrective_actions.open_corrective_action(
            manager,
            CorrectiveActionCreate(
                source=CapaSource.OTHER,
                description="Fix the spare-parts shelf",
                owner_id=manager.user_id or 0,
                due_on=date(2025, 3, 20),
            ),
        )
        with pytest.raises(Invalid, match="not ended yet"):
            await snapshots.close_month(manager, march)
    with clock.frozen_at(_at(date(2025, 4, 2))):
        frozen = await snapshots.close_month(manager, date(2025, 3, 31))
        assert (frozen.kind, frozen.period_from, frozen.period_to) == ("frozen", march, date(2025, 4, 1))
        with pytest.raises(Conflict, match="already closed"):
            await snapshots.close_month(manager, march)
        assert await snapshots.snapshot_differences(frozen) == []
        late = json.loads(frozen.kpis)["capa_on_time_rate"]
        # a correction: the action was in fact closed on time (as a history re-import would set it)
        await CorrectiveAction.update({CorrectiveAction.closed_on: date(2025, 3, 18)}).where(
            CorrectiveAction.id == action_id
        )
        differences = await snapshots.snapshot_differences(frozen)
    assert [code for code, _, _ in differences] == ["capa_on_time_rate"]
    _, was, now = differences[0]
    assert was == late and now is not None
    assert now["numerator"] == late["numerator"] + 1 and now["denominator"] == late["denominator"]
    kept = await KpiSnapshot.select(KpiSnapshot.kpis).where(KpiSnapshot.id == frozen.id).first()
    assert kept["kpis"] == frozen.kpis
    assert (await snapshots.frozen_snapshot(Period.month(march))) is not None


async def test_two_closes_at_once_freeze_one_snapshot(make_user: Any) -> None:
    manager = await make_user("service_manager")
    results = await asyncio.gather(
        snapshots.close_month(manager, date(2024, 6, 1)),
        snapshots.close_month(manager, date(2024, 6, 15)),
        return_exceptions=True,
    )
    assert sorted(type(result).__name__ for result in results) == ["Conflict", "KpiSnapshot"]
    frozen = await KpiSnapshot.count().where(
        (KpiSnapshot.kind == "frozen") & (KpiSnapshot.period_from == date(2024, 6, 1))
    )
    assert frozen == 1
