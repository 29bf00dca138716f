"""Drawing samples from the records and recording verdicts: reproducible for a seed, stratified
in proportion, audited, and refused (writing nothing) for bad input or the wrong role."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from audit_export.period import Period
from audit_export.sampling import events
from audit_export.sampling.queries import get_sample
from audit_export.services import samples
from audit_export.tables import AuditSample, AuditSampleCase
from service_ops import clock
from service_ops.actor import Actor
from service_ops.choices import ProductCategory
from service_ops.errors import Invalid, PermissionDenied
from service_ops.tables import AuditEvent
from tests.audit_export.sampling.helpers import lonely_period, tickets_in, unit_of
from tickets import services as tickets
from tickets.choices import ComplaintCategory
from tickets.loop_schemas import ComplaintCreate
from tickets.tables import Complaint


@pytest.fixture
async def auditor(make_user: Any) -> Actor:
    made: Actor = await make_user("auditor")
    return made


async def test_the_same_seed_draws_the_same_cases_and_another_seed_others(
    auditor: Actor, make_user: Any, world: dict[str, Any]
) -> None:
    period = await lonely_period()
    agent = await make_user("agent")
    made = await tickets_in(period, agent, world["customer_id"], world["unit_id"], 13)
    await tickets.cancel_ticket(agent, made[-1], "客户取消")

    first = await samples.draw_sample(auditor, "ticket", period, 4, seed=11)
    again = await samples.draw_sample(auditor, "ticket", period, 4, seed=11)
    other = await samples.draw_sample(auditor, "ticket", period, 4, seed=12)

    drawn = [case.entity_id for case in first.case_list]
    assert drawn == [case.entity_id for case in again.case_list]
    assert drawn != [case.entity_id for case in other.case_list]
    assert set(drawn) <= set(made[:-1]), "a cancelled ticket is not in the frame"
    assert (first.population, first.size, first.seed, first.cases) == (12, 4, 11, 4)
    assert [case.position for case in first.case_list] == [1, 2, 3, 4]
    assert all(case.reference for case in first.case_list), "each case names its ticket number"


async def test_without_a_seed_one_is_drawn_and_recorded(
    auditor: Actor, make_user: Any, world: dict[str, Any]
) -> None:
    period = await lonely_period()
    await tickets_in(period, await make_user("agent"), world["customer_id"], world["unit_id"], 6)
    sample = await samples.draw_sample(auditor, "ticket", period, 3)
    assert sample.seed > 0
    redrawn = await samples.draw_sample(auditor, "ticket", period, 3, seed=sample.seed)
    assert [c.entity_id for c in redrawn.case_list] == [c.entity_id for c in sample.case_list]
    event = (
        await AuditEvent.select()
        .where((AuditEvent.entity == "audit_sample") & (AuditEvent.entity_id == str(sample.id)))
        .first()
    )
    assert event is not None and event["action"] == events.SAMPLE_DRAWN
    after = json.loads(event["after"])
    assert after["seed"] == sample.seed and after["entity_ids"] == [c.entity_id for c in sample.case_list]


async def test_a_size_above_the_population_takes_every_record(
    auditor: Actor, make_user: Any, world: dict[str, Any]
) -> None:
    period = await lonely_period()
    made = await tickets_in(period, await make_user("agent"), world["customer_id"], world["unit_id"], 3)
    sample = await samples.draw_sample(auditor, "ticket", period, 50, seed=1)
    assert [case.entity_id for case in sample.case_list] == sorted(made)
    empty = await samples.draw_sample(auditor, "work_order", period, 5, seed=1)
    assert (empty.population, empty.cases) == (0, 0)


async def test_a_stratified_sample_is_proportional_by_category(
    system: Actor, auditor: Actor, make_user: Any, world: dict[str, Any]
) -> None:
    period = await lonely_period()
    agent = await make_user("agent")
    conditioner = await unit_of(system, world["customer_id"], ProductCategory.AIR_CONDITIONER)
    fridge = await unit_of(system, world["customer_id"], ProductCategory.REFRIGERATOR)
    cold = await tickets_in(period, agent, world["customer_id"], conditioner, 6)
    frozen = await tickets_in(period, agent, world["customer_id"], fridge, 2)

    sample = await samples.draw_sample(auditor, "ticket", period, 4, seed=3, stratify_by="category")

    strata = [case.stratum for case in sample.case_list]
    assert strata.count("air_conditioner") == 3 and strata.count("refrigerator") == 1
    for case in sample.case_list:
        assert case.entity_id in (cold if case.stratum == "air_conditioner" else frozen)
    again = await samples.draw_sample(auditor, "ticket", period, 4, seed=3, stratify_by="category")
    assert [c.entity_id for c in again.case_list] == [c.entity_id for c in sample.case_list]


async def test_complaints_received_in_the_period_are_the_frame(
    auditor: Actor, make_user: Any, world: dict[str, Any]
) -> None:
    period = await lonely_period()
    agent = await make_user("agent")
    complaint_id = await tickets.open_complaint(
        agent,
        ComplaintCreate(
            customer_id=world["customer_id"], category=ComplaintCategory.OTHER, description="抽样投诉"
        ),
    )
    await Complaint.update({Complaint.received_at: period.start_at + timedelta(hours=2)}).where(
        Complaint.id == complaint_id
    )
    sample = await samples.draw_sample(auditor, "complaint", period, 2, item_code="5.2.4.1")
    assert [case.entity_id for case in sample.case_list] == [complaint_id]
    assert sample.item_code == "5.2.4.1"


async def test_recording_a_verdict_is_audited_and_can_be_corrected(
    auditor: Actor, make_user: Any, world: dict[str, Any]
) -> None:
    period = await lonely_period()
    await tickets_in(period, await make_user("agent"), world["customer_id"], world["unit_id"], 2)
    sample = await samples.draw_sample(auditor, "ticket", period, 2, seed=8)
    case = sample.case_list[0]

    await samples.record_case_result(auditor, case.id, "pass", "记录完整")
    await samples.record_case_result(auditor, case.id, "fail", "缺少签名")

    row = await AuditSampleCase.objects().get(AuditSampleCase.id == case.id)
    assert (row.result, row.note, row.checked_by) == ("fail", "缺少签名", auditor.user_id)
    trail = (
        await AuditEvent.select()
        .where((AuditEvent.entity == "audit_sample_case") & (AuditEvent.entity_id == str(case.id)))
        .order_by(AuditEvent.seq)
    )
    assert [event["action"] for event in trail] == [events.SAMPLE_CASE_CHECKED] * 2
    assert json.loads(trail[1]["before"]) == {"result": "pass", "note": "记录完整"}
    assert json.loads(trail[1]["after"])["result"] == "fail"
    tally = await get_sample(sample.id)
    assert (tally.passed, tally.failed, tally.unchecked) == (0, 1, 1)


async def test_a_failed_case_needs_a_note_and_bad_verdicts_write_nothing(
    auditor: Actor, make_user: Any, world: dict[str, Any]
) -> None:
    period = await lonely_period()
    await tickets_in(period, await make_user("agent"), world["customer_id"], world["unit_id"], 1)
    case = (await samples.draw_sample(auditor, "ticket", period, 1, seed=1)).case_list[0]
    events_before = await AuditEvent.count()
    with pytest.raises(Invalid) as no_note:
        await samples.record_case_result(auditor, case.id, "fail", "  ")
    assert no_note.value.field == "note"
    with pytest.raises(Invalid):
        await samples.record_case_result(auditor, case.id, "maybe", "")
    assert await AuditEvent.count() == events_before
    assert (await AuditSampleCase.objects().get(AuditSampleCase.id == case.id)).result is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"size": 0}, "size"),
        ({"size": -3}, "size"),
        ({"size": 5000}, "size"),
        ({"entity": "customer"}, "entity"),
        ({"stratify_by": "region"}, "stratify_by"),
        ({"seed": -1}, "seed"),
        ({"item_code": "5.1.1.1"}, "item_code"),
        ({"item_code": "9.9.9"}, "item_code"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    auditor: Actor, changes: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {
        "entity": "ticket",
        "period": Period.month(clock.today()),
        "size": 5,
        **changes,
    }
    count = await AuditSample.count()
    with pytest.raises(Invalid) as refused:
        await samples.draw_sample(auditor, **arguments)
    assert refused.value.field == field
    assert await AuditSample.count() == count


@pytest.mark.parametrize("role", ["agent", "hq_manager", "service_manager"])
async def test_only_an_auditor_draws_or_checks(
    make_user: Any, auditor: Actor, role: str, system: Actor
) -> None:
    other = await make_user(role)
    period = Period.month(clock.today())
    with pytest.raises(PermissionDenied):
        await samples.draw_sample(other, "ticket", period, 1)
    with pytest.raises(PermissionDenied):
        await samples.draw_sample(system, "ticket", period, 1)
    with pytest.raises(PermissionDenied):
        await samples.record_case_result(other, 1, "pass", "")
