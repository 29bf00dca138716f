"""Service targets, management reviews, rewards and penalties: validated, audited, amended with a reason."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from service_ops import clock
from service_ops.actor import Actor
from service_ops.audit import verify_chain
from service_ops.documents import kpi_codes, queries, services
from service_ops.documents.choices import Horizon, RewardKind
from service_ops.documents.schemas import ManagementReviewWrite, RewardPenaltyWrite
from service_ops.errors import Conflict, Invalid, NotFound, PermissionDenied
from service_ops.queries import audit_events_for
from tests.conftest import ROOT
from tests.service_ops.documents.factories import target_data

SHARED_KPIS = ROOT.parent / "shared" / "gbt27922" / "kpis.md"


def test_the_kpi_codes_are_those_of_kpis_md() -> None:
    if not SHARED_KPIS.exists():
        pytest.skip("the shared KPI contract is not on this machine")
    import re

    documented = set(
        re.findall(r"^\| ([a-z0-9_]+) \|", SHARED_KPIS.read_text(encoding="utf-8"), re.MULTILINE)
    )
    documented.discard("code")
    assert set(kpi_codes.BY_CODE) == documented


async def test_a_target_names_a_kpi_code_and_a_comparison(manager: Actor) -> None:
    assert manager.user_id is not None
    target_id = await services.create_service_target(
        manager, target_data(manager.user_id, " First_Time_Fix_Rate ", target=">= 0.80")
    )
    target = await queries.get_target(target_id)
    assert (target.kpi_code, target.target, target.owner_id) == (
        "first_time_fix_rate",
        ">=0.80",
        manager.user_id,
    )

    for code in ("first_fix", "", "hotline_answer_rate; drop"):
        with pytest.raises(Invalid) as refused:
            await services.create_service_target(manager, target_data(manager.user_id, code))
        assert refused.value.field == "kpi_code"
    for target in ("95%", ">=95", "about 0.9", "=>0.9", "<=-1", ">=0.9.1"):
        with pytest.raises(Invalid) as refused:
            await services.create_service_target(manager, target_data(manager.user_id, target=target))
        assert refused.value.field == "target"
    hours = await services.create_service_target(
        manager, target_data(manager.user_id, "training_hours_per_staff", target=">=16")
    )
    assert (await queries.get_target(hours)).target == ">=16"


async def test_periods_fit_their_horizon_and_do_not_overlap(manager: Actor) -> None:
    assert manager.user_id is not None
    data = target_data(manager.user_id, "csat_mean", target=">=4.5")
    await services.create_service_target(manager, data)
    with pytest.raises(Conflict):
        await services.create_service_target(manager, msgspec.structs.replace(data, target=">=4.6"))
    longer = msgspec.structs.replace(data, period_to=data.period_from + timedelta(days=400))
    with pytest.raises(Invalid):
        await services.create_service_target(manager, longer)
    await services.create_service_target(manager, msgspec.structs.replace(longer, horizon=Horizon.MEDIUM))
    backwards = msgspec.structs.replace(data, period_to=data.period_from - timedelta(days=1))
    with pytest.raises(Invalid):
        await services.create_service_target(manager, backwards)
    for start, end in ((date(9999, 1, 1), date(9999, 12, 31)), (date(2000, 1, 1), date(2030, 1, 1))):
        with pytest.raises(Invalid):
            await services.create_service_target(
                manager, msgspec.structs.replace(data, horizon=Horizon.LONG, period_from=start, period_to=end)
            )


async def test_amending_a_target_needs_a_reason_and_keeps_the_old_value(manager: Actor) -> None:
    assert manager.user_id is not None
    data = target_data(manager.user_id, "repeat_repair_rate_30d", target="<=0.02")
    target_id = await services.create_service_target(manager, data)
    with pytest.raises(Invalid):
        await services.amend_service_target(manager, target_id, data, "")
    await services.amend_service_target(
        manager, target_id, msgspec.structs.replace(data, target="<=0.01"), "管理评审要求"
    )
    assert (await queries.get_target(target_id)).target == "<=0.01"
    events = await audit_events_for("service_target", target_id)
    assert [e["action"] for e in events][-1] == "documents.service_target_amended"
    assert events[-1]["reason"] == "管理评审要求"
    assert (await queries.targets_covering(data.period_from))["repeat_repair_rate_30d"].id == target_id
    with pytest.raises(NotFound):
        await services.amend_service_target(manager, 2_000_000_000, data, "x")


async def test_a_management_review_is_recorded_and_amended(manager: Actor) -> None:
    data = ManagementReviewWrite(
        held_on=clock.today() - timedelta(days=3),
        attendees=["张总", " 李代表 ", ""],
        inputs="投诉、回访满意度",
        decisions="加强培训",
        actions="人事部 12 月前完成",
    )
    review_id = await services.record_management_review(manager, data)
    assert (await queries.get_review(review_id)).attendees == ["张总", "李代表"]
    await services.amend_management_review(
        manager,
        review_id,
        msgspec.structs.replace(data, attendees=["张总", "李代表", "王经理"]),
        "漏记出席人",
    )
    assert (await queries.get_review(review_id)).attendees == ["张总", "李代表", "王经理"]
    for bad in (
        {"held_on": clock.today() + timedelta(days=1)},
        {"attendees": [" "]},
        {"decisions": ""},
        {"attendees": ["a" * 101]},
    ):
        with pytest.raises(Invalid):
            await services.record_management_review(manager, msgspec.structs.replace(data, **bad))


async def test_a_reward_goes_to_a_person_or_an_outlet_and_is_corrected_by_a_new_record(
    manager: Actor, make_user: Any
) -> None:
    technician = await make_user("technician")
    data = RewardPenaltyWrite(
        decided_on=clock.today(),
        kind=RewardKind.REWARD,
        reason="客户表扬",
        person_id=technician.user_id,
        amount=Decimal("200"),
    )
    record_id = await services.record_reward_penalty(manager, data)
    record = await queries.get_reward(record_id)
    assert record.subject_name == technician.display_name and record.amount == Decimal("200.00")

    fixed = msgspec.structs.replace(data, amount=Decimal("300.50"))
    new_id = await services.correct_reward_penalty(manager, record_id, fixed, "金额录入错误")
    assert (await queries.get_reward(record_id)).corrected_by_id == new_id
    assert (await queries.get_reward(new_id)).corrects_id == record_id
    with pytest.raises(Conflict):
        await services.correct_reward_penalty(manager, record_id, fixed, "again")

    for bad in (
        {"person_id": None},
        {"outlet_id": 1},
        {"amount": Decimal("-1")},
        {"amount": Decimal("1.234")},
        {"amount": Decimal("NaN")},
        {"decided_on": clock.today() + timedelta(days=1)},
        {"reason": " "},
    ):
        with pytest.raises(Invalid):
            await services.record_reward_penalty(manager, msgspec.structs.replace(data, **bad))
    with pytest.raises(Invalid) as unknown:
        await services.record_reward_penalty(
            manager, msgspec.structs.replace(data, person_id=None, outlet_id=2_000_000_000)
        )
    assert unknown.value.field == "outlet_id"
    assert (await verify_chain()).ok


async def test_an_outlet_penalty_names_the_outlet(
    manager: Actor, system: Actor, world: dict[str, Any]
) -> None:
    from outlets import services as outlet_services
    from outlets.schemas import OutletCreate
    from tests.conftest import unique

    code = unique("O")[-12:]
    outlet_id = await outlet_services.create_outlet(
        system,
        OutletCreate(code=code, name="南山服务站", address="南山路 1 号", region_code=world["region_code"]),
    )
    record_id = await services.record_reward_penalty(
        manager,
        RewardPenaltyWrite(
            decided_on=clock.today(), kind=RewardKind.PENALTY, reason="上门超时", outlet_id=outlet_id
        ),
    )
    assert (await queries.get_reward(record_id)).subject_name == f"{code} 南山服务站"


async def test_registers_are_kept_by_managers_only(make_user: Any) -> None:
    auditor = await make_user("auditor")
    assert auditor.user_id is not None
    with pytest.raises(PermissionDenied):
        await services.create_service_target(auditor, target_data(auditor.user_id))
    with pytest.raises(PermissionDenied):
        await services.record_management_review(
            await make_user("dispatcher"),
            ManagementReviewWrite(
                held_on=clock.today(), attendees=["a"], inputs="i", decisions="d", actions="a"
            ),
        )
