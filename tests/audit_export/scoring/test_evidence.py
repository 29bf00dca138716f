"""The facts the assessment reads from the database, each as it stood at as_of."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from audit_export.period import Period
from audit_export.rubric import load_rubric
from audit_export.scoring.evidence import (
    documents_in_force,
    latest_samples,
    register_counts,
    service_targets,
)
from audit_export.scoring.model import SampleResult
from audit_export.tables import AuditSample, AuditSampleCase
from service_ops import clock
from service_ops.documents import services as document_services
from service_ops.documents.choices import DocumentKind
from tests.service_ops.documents.factories import register, target_data
from tickets.choices import CapaSource
from tickets.loop_schemas import CorrectiveActionCreate
from tickets.services import corrective_actions

RUBRIC = load_rubric()
LONG_AGO = Period(date(1999, 1, 1), date(1999, 2, 1))


async def test_registers_count_records_in_the_period_and_unkept_ones_are_none(make_user: Any) -> None:
    manager = await make_user("service_manager")
    assert manager.user_id is not None
    await corrective_actions.open_corrective_action(
        manager,
        CorrectiveActionCreate(
            source=CapaSource.OTHER,
            description="Evidence test",
            owner_id=manager.user_id,
            due_on=clock.today(),
        ),
    )
    now = await register_counts(RUBRIC, Period.month(clock.today()), clock.now())
    past = await register_counts(RUBRIC, LONG_AGO, clock.now())
    assert set(now) == set(RUBRIC.registers)
    assert now["corrective_action"] >= 1 and past["corrective_action"] == 0
    for name in ("spare_parts_stock", "product_model_documents", "delivery_record", "takeback_record"):
        assert now[name] is None
    assert past["customer_database"] == 0


async def test_documents_count_from_their_effective_day(make_user: Any) -> None:
    manager = await make_user("service_manager")
    document_id = await register(manager, DocumentKind.LEGAL_REGISTER)
    kinds = frozenset({"legal_register"})
    assert (await documents_in_force(kinds, clock.now()))["legal_register"] == document_id
    assert (await documents_in_force(kinds, clock.now() - timedelta(days=2)))["legal_register"] != document_id


async def test_the_target_register_is_read_for_the_period(make_user: Any) -> None:
    manager = await make_user("service_manager")
    assert manager.user_id is not None
    data = target_data(manager.user_id, "first_time_fix_rate", target=">=0.85")
    await document_services.create_service_target(manager, data)
    period = Period(data.period_from, data.period_from + timedelta(days=31))
    assert (await service_targets(period))["first_time_fix_rate"] == ">=0.85"
    assert (await register_counts(RUBRIC, period, clock.now()))["service_target"] >= 1


async def test_the_latest_sample_counts_cases_checked_by_as_of(make_user: Any) -> None:
    auditor = await make_user("auditor")
    drawn = clock.now()
    sample = AuditSample(
        entity="complaint",
        item_code="5.3.2.2",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 2, 1),
        seed=1,
        size=3,
        population=3,
        drawn_at=drawn,
        drawn_by=auditor.user_id,
    )
    await sample.save()
    for position, result in enumerate(["pass", "fail", None], start=1):
        await AuditSampleCase(
            sample=sample.id,
            position=position,
            entity_id=position,
            result=result,
            checked_at=drawn if result else None,
            checked_by=auditor.user_id if result else None,
        ).save()
    assert (await latest_samples(clock.now()))["5.3.2.2"] == SampleResult(sample.id, 1, 2)
    assert "5.3.2.2" not in await latest_samples(drawn - timedelta(seconds=1)) or (
        (await latest_samples(drawn - timedelta(seconds=1)))["5.3.2.2"].sample_id != sample.id
    )
