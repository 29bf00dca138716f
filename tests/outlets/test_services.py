"""Outlet services: bad input is a clear 4xx with nothing written; roles; each change is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from outlets import queries, services
from outlets.schemas import InspectionCreate, MembershipCreate, OutletCreate, OutletUpdate
from outlets.tables import Outlet, OutletCategory, OutletCoverage, OutletInspection
from service_ops import clock
from service_ops.errors import Conflict, Invalid, InvalidTransition, PermissionDenied
from service_ops.tables import AuditEvent
from tests.conftest import unique
from tests.outlets.network import new_outlet, region_tree


async def _counts() -> tuple[int, ...]:
    return (
        await Outlet.count(),
        await OutletCoverage.count(),
        await OutletCategory.count(),
        await OutletInspection.count(),
        await AuditEvent.count(),
    )


def _create(region_code: str, **extra: Any) -> OutletCreate:
    values: dict[str, Any] = {
        "code": unique("ot"),
        "name": "测试网点",
        "address": "测试路 1 号",
        "region_code": region_code,
        **extra,
    }
    return OutletCreate(**values)


async def test_create_outlet_with_coverage_and_categories(system: Any) -> None:
    tree = await region_tree(system)
    data = _create(
        tree["city"][1],
        contact_name=" 张经理 ",
        phone="0755-8888 6666",
        region_codes=[tree["city"][1], tree["county"][1], tree["city"][1]],
        categories=["television", "refrigerator"],
    )
    outlet = await queries.get_outlet(await services.create_outlet(system, data))
    assert outlet.code == data.code.upper()
    assert outlet.coverage == sorted([tree["city"][1], tree["county"][1]])
    assert outlet.categories == ["refrigerator", "television"]
    assert outlet.contact_name == "张经理" and outlet.phone == "075588886666"
    assert outlet.is_active and outlet.staff_count == 0


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"region_codes": ["NOPE-REGION"]}, "region_codes"),
        ({"categories": ["spaceship"]}, "categories"),
        ({"kind": "franchise"}, "kind"),
        ({"kind": "authorised"}, "agreement_number"),
    ],
)
async def test_bad_outlet_is_refused_and_nothing_written(
    system: Any, extra: dict[str, Any], field: str
) -> None:
    tree = await region_tree(system)
    before = await _counts()
    with pytest.raises(Invalid) as refused:
        await services.create_outlet(system, _create(tree["county"][1], **extra))
    assert refused.value.status_code == 400 and refused.value.field == field
    assert await _counts() == before


async def test_unknown_region_in_coverage_leaves_the_old_coverage(system: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    before = await _counts()
    with pytest.raises(Invalid):
        await services.set_coverage(system, outlet_id, [tree["city"][1], "NOPE-REGION"])
    assert await _counts() == before
    assert (await queries.get_outlet(outlet_id)).coverage == [tree["county"][1]]


async def test_set_coverage_and_categories_replace_the_lists(system: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    await services.set_coverage(system, outlet_id, [tree["other_county"][1], tree["city"][1]])
    await services.set_categories(system, outlet_id, ["washing_machine"])
    outlet = await queries.get_outlet(outlet_id)
    assert outlet.coverage == sorted([tree["other_county"][1], tree["city"][1]])
    assert outlet.categories == ["washing_machine"]
    event = await AuditEvent.select().order_by(AuditEvent.seq, ascending=False).first()
    assert event["action"] == "outlets.categories_set"
    assert '"television"' in event["before"] and '"washing_machine"' in event["after"]


async def test_update_outlet_changes_only_given_fields(system: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    await services.update_outlet(system, outlet_id, OutletUpdate(daily_capacity=25, contact_name="李主管"))
    outlet = await queries.get_outlet(outlet_id)
    assert (outlet.daily_capacity, outlet.contact_name, outlet.kind) == (25, "李主管", "own")
    with pytest.raises(Invalid):
        await services.update_outlet(system, outlet_id, OutletUpdate(kind="authorised"))
    with pytest.raises(Invalid):
        await services.update_outlet(system, outlet_id, OutletUpdate(daily_capacity=25))
    assert (await queries.get_outlet(outlet_id)).kind == "own"


async def test_deactivate_and_activate_need_a_reason_and_a_change(system: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    with pytest.raises(Invalid):
        await services.deactivate_outlet(system, outlet_id, "  ")
    await services.deactivate_outlet(system, outlet_id, "暂停合作")
    with pytest.raises(InvalidTransition):
        await services.deactivate_outlet(system, outlet_id, "再次停用")
    assert not (await queries.get_outlet(outlet_id)).is_active
    await services.activate_outlet(system, outlet_id, "恢复合作")
    assert (await queries.get_outlet(outlet_id)).is_active
    event = await AuditEvent.select().order_by(AuditEvent.seq, ascending=False).first()
    assert (event["action"], event["reason"]) == ("outlets.outlet_activated", "恢复合作")


@pytest.mark.parametrize("score", [-1, 101])
async def test_inspection_score_outside_0_to_100_is_refused(system: Any, score: int) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    before = await _counts()
    with pytest.raises(Invalid) as refused:
        await services.record_inspection(
            system,
            outlet_id,
            InspectionCreate(inspected_on=clock.today(), score=score, inspector_username=None),
        )
    assert refused.value.field == "score"
    assert await _counts() == before


async def test_inspection_is_recorded_with_its_inspector(system: Any, make_user: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    manager = await make_user("service_manager")
    with pytest.raises(Invalid):
        await services.record_inspection(
            system, outlet_id, InspectionCreate(inspected_on=clock.today() + timedelta(days=1), score=80)
        )
    await services.record_inspection(
        manager, outlet_id, InspectionCreate(inspected_on=clock.today(), score=88, findings=" 良好 ")
    )
    [inspection] = await queries.inspections_of(outlet_id)
    assert (inspection.inspector_id, inspection.score, inspection.findings) == (manager.user_id, 88, "良好")


@pytest.mark.parametrize("role", ["agent", "technician", "outlet_manager", "dispatcher", "auditor"])
async def test_roles_without_network_rights_change_nothing(system: Any, make_user: Any, role: str) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    actor = await make_user(role)
    before = await _counts()
    attempts = [
        services.create_outlet(actor, _create(tree["county"][1])),
        services.set_coverage(actor, outlet_id, [tree["city"][1]]),
        services.deactivate_outlet(actor, outlet_id, "无权"),
        services.record_inspection(actor, outlet_id, InspectionCreate(inspected_on=clock.today(), score=50)),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            await attempt
    assert await _counts() == before


async def test_memberships_start_once_and_end_after_they_start(system: Any, make_user: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    person = await make_user("technician")
    membership_id = await services.add_member(
        system,
        outlet_id,
        MembershipCreate(username=person.username, since=clock.today() - timedelta(days=10)),
    )
    with pytest.raises(Conflict):
        await services.add_member(system, outlet_id, MembershipCreate(username=person.username))
    with pytest.raises(Invalid):
        await services.end_membership(system, membership_id, clock.today() - timedelta(days=11))
    await services.end_membership(system, membership_id)
    with pytest.raises(InvalidTransition):
        await services.end_membership(system, membership_id)
    assert await queries.members_of(outlet_id, clock.today() + timedelta(days=1)) == []
    assert [m.user_id for m in await queries.members_of(outlet_id)] == [person.user_id]
