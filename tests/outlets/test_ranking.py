"""Dispatch ranking: every check has its reason, parents cover children, expiry days, `exclude`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from outlets import queries, services
from outlets.queries import OutletCandidate
from service_ops import clock
from service_ops.errors import Invalid, NotFound
from tests.outlets.network import (
    CATEGORY,
    join,
    new_outlet,
    qualified_technician,
    region_tree,
)

pytestmark = pytest.mark.usefixtures("tv_course")


def mine(ranking: list[OutletCandidate], *outlet_ids: int) -> dict[int, OutletCandidate]:
    return {c.outlet_id: c for c in ranking if c.outlet_id in outlet_ids}


def messages(candidate: OutletCandidate) -> list[str]:
    return [reason.message for reason in candidate.reasons]


async def test_eligible_outlets_come_first_ranked_by_load_and_on_time_rate(
    system: Any, make_user: Any
) -> None:
    tree = await region_tree(system)
    county_id, county = tree["county"]
    busy, _ = await new_outlet(system, [county], capacity=10)
    free, _ = await new_outlet(system, [county], capacity=10)
    late, _ = await new_outlet(system, [county], capacity=10)
    for outlet_id in (busy, free, late):
        await qualified_technician(system, make_user, outlet_id)

    ranking = await queries.rank_outlets(
        county_id, CATEGORY, clock.today(), {busy: 8, free: 1, late: 1}, {busy: 0.9, free: 0.9, late: 0.2}
    )

    eligible = [c.outlet_id for c in ranking if c.eligible]
    assert [o for o in eligible if o in (busy, free, late)] == [free, late, busy]
    assert ranking[: len(eligible)] == [c for c in ranking if c.eligible]
    top = mine(ranking, free)[free]
    assert top.load == 1 and top.capacity == 10 and top.qualified_technicians == 1
    assert top.score > mine(ranking, late)[late].score > 0
    assert top.reasons[0].message == "Load {load}/{capacity}, on-time rate {rate}%."
    assert top.reasons[0].params == {"load": 1, "capacity": 10, "rate": 90}


async def test_ties_go_to_the_lower_load_then_the_code(system: Any, make_user: Any) -> None:
    tree = await region_tree(system)
    county_id, county = tree["county"]
    first, _ = await new_outlet(system, [county], capacity=4)
    second, _ = await new_outlet(system, [county], capacity=8)
    third, _ = await new_outlet(system, [county], capacity=8)
    for outlet_id in (first, second, third):
        await qualified_technician(system, make_user, outlet_id)
    ranking = await queries.rank_outlets(
        county_id, CATEGORY, clock.today(), {first: 2, second: 4, third: 4}, {}
    )
    order = [c.outlet_id for c in ranking if c.outlet_id in (first, second, third)]
    assert order == [first, second, third]  # same score (half free, no history): load, then code
    assert (
        mine(ranking, first)[first].reasons[0].message == "Load {load}/{capacity}, no recent on-time record."
    )


async def test_each_failed_check_is_a_reason(system: Any, make_user: Any) -> None:
    today = clock.today()
    tree = await region_tree(system)
    county_id, county = tree["county"]
    good, _ = await new_outlet(system, [county])
    inactive, _ = await new_outlet(system, [county])
    elsewhere, _ = await new_outlet(system, [tree["other_county"][1]])
    washers, _ = await new_outlet(system, [county], categories=["washing_machine"])
    expired, _ = await new_outlet(system, [county], kind="authorised", expires=today - timedelta(days=1))
    unqualified, _ = await new_outlet(system, [county])
    refused, _ = await new_outlet(system, [county])
    for outlet_id in (good, inactive, elsewhere, washers, expired, refused):
        await qualified_technician(system, make_user, outlet_id)
    await join(system, make_user, unqualified)
    await services.deactivate_outlet(system, inactive, "装修停业")

    ranking = mine(
        await queries.rank_outlets(county_id, CATEGORY, today, {}, {}, exclude=[refused]),
        good,
        inactive,
        elsewhere,
        washers,
        expired,
        unqualified,
        refused,
    )

    assert ranking[good].eligible
    assert messages(ranking[inactive]) == ["The outlet is inactive."]
    assert messages(ranking[elsewhere]) == ["Does not cover the ticket's region."]
    assert messages(ranking[washers]) == ["Does not serve this product category."]
    assert messages(ranking[expired]) == ["Agreement expired on {day}."]
    assert ranking[expired].reasons[0].params == {"day": (today - timedelta(days=1)).isoformat()}
    assert messages(ranking[unqualified]) == ["No technician qualified for this product category."]
    assert messages(ranking[refused]) == ["Refused this ticket before."]
    for outlet_id in (inactive, elsewhere, washers, expired, unqualified, refused):
        assert not ranking[outlet_id].eligible and ranking[outlet_id].score == 0


async def test_an_outlet_failing_several_checks_lists_them_all(system: Any, make_user: Any) -> None:
    tree = await region_tree(system)
    county_id, county = tree["county"]
    outlet_id, _ = await new_outlet(
        system,
        [county],
        categories=["refrigerator"],
        kind="authorised",
        expires=clock.today() - timedelta(days=3),
    )
    await services.deactivate_outlet(system, outlet_id, "协议到期")
    [candidate] = mine(
        await queries.rank_outlets(county_id, CATEGORY, clock.today(), {}, {}, exclude=[outlet_id]), outlet_id
    ).values()
    assert messages(candidate) == [
        "The outlet is inactive.",
        "Does not serve this product category.",
        "Agreement expired on {day}.",
        "No technician qualified for this product category.",
        "Refused this ticket before.",
    ]


async def test_a_listed_region_covers_all_its_descendants(system: Any, make_user: Any) -> None:
    tree = await region_tree(system)
    by_province, _ = await new_outlet(system, [tree["province"][1]])
    by_city, _ = await new_outlet(system, [tree["city"][1]])
    by_other_county, _ = await new_outlet(system, [tree["other_county"][1]])
    for outlet_id in (by_province, by_city, by_other_county):
        await qualified_technician(system, make_user, outlet_id)

    in_county = mine(
        await queries.rank_outlets(tree["county"][0], CATEGORY, clock.today(), {}, {}),
        by_province,
        by_city,
        by_other_county,
    )
    assert in_county[by_province].eligible and in_county[by_city].eligible
    assert messages(in_county[by_other_county]) == ["Does not cover the ticket's region."]
    in_city = mine(
        await queries.rank_outlets(tree["city"][0], CATEGORY, clock.today(), {}, {}), by_city, by_other_county
    )
    assert in_city[by_city].eligible and not in_city[by_other_county].eligible


async def test_an_agreement_is_current_through_its_expiry_day(system: Any, make_user: Any) -> None:
    tree = await region_tree(system)
    expires = clock.today() + timedelta(days=5)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]], kind="authorised", expires=expires)
    await qualified_technician(system, make_user, outlet_id)

    on_expiry = await queries.rank_outlets(tree["county"][0], CATEGORY, expires, {}, {})
    day_after = await queries.rank_outlets(tree["county"][0], CATEGORY, expires + timedelta(days=1), {}, {})
    assert mine(on_expiry, outlet_id)[outlet_id].eligible
    assert messages(mine(day_after, outlet_id)[outlet_id]) == ["Agreement expired on {day}."]


async def test_an_expiring_certificate_drops_the_outlet_the_next_day(system: Any, make_user: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    expires = clock.today() + timedelta(days=3)
    await qualified_technician(system, make_user, outlet_id, expires_on=expires)

    on_last_day = mine(await queries.rank_outlets(tree["county"][0], CATEGORY, expires, {}, {}), outlet_id)
    next_day = mine(
        await queries.rank_outlets(tree["county"][0], CATEGORY, expires + timedelta(days=1), {}, {}),
        outlet_id,
    )
    assert on_last_day[outlet_id].eligible and on_last_day[outlet_id].qualified_technicians == 1
    assert messages(next_day[outlet_id]) == ["No technician qualified for this product category."]
    assert next_day[outlet_id].qualified_technicians == 0


async def test_only_current_technicians_count(system: Any, make_user: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    technician = await qualified_technician(system, make_user, outlet_id)
    manager = await join(system, make_user, outlet_id, role="outlet_manager", is_manager=True)
    [member] = [m for m in await queries.members_of(outlet_id) if m.user_id == technician.user_id]
    await services.end_membership(system, member.membership_id, clock.today() - timedelta(days=1))

    ranking = mine(await queries.rank_outlets(tree["county"][0], CATEGORY, clock.today(), {}, {}), outlet_id)
    assert messages(ranking[outlet_id]) == ["No technician qualified for this product category."]
    assert await queries.outlet_manager_ids(outlet_id) == [manager.user_id]


async def test_unknown_region_or_category_is_refused(system: Any) -> None:
    tree = await region_tree(system)
    with pytest.raises(NotFound):
        await queries.rank_outlets(2_000_000_000, CATEGORY, clock.today(), {}, {})
    with pytest.raises(Invalid):
        await queries.rank_outlets(tree["county"][0], "spaceship", clock.today(), {}, {})


async def test_technicians_for_offers_qualified_people_first(system: Any, make_user: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    qualified = await qualified_technician(system, make_user, outlet_id)
    unqualified = await join(system, make_user, outlet_id)
    await join(system, make_user, outlet_id, role="outlet_manager", is_manager=True)

    options = await queries.technicians_for(outlet_id, CATEGORY, clock.today())
    assert [o.user_id for o in options] == [qualified.user_id, unqualified.user_id]
    assert options[0].qualified and options[0].missing == []
    assert not options[1].qualified and options[1].missing


async def test_uncovered_sales_regions_follow_the_tree_and_agreements(system: Any) -> None:
    today = clock.today()
    tree = await region_tree(system)
    county, other = tree["county"], tree["other_county"]
    codes = lambda regions: {r.code for r in regions}  # noqa: E731

    uncovered = codes(await queries.uncovered_sales_regions(today))
    assert {tree["city"][1], county[1], other[1]} <= uncovered
    assert tree["province"][1] not in uncovered  # not a sales region

    await new_outlet(system, [county[1]], kind="authorised", expires=today - timedelta(days=1))
    assert county[1] in codes(await queries.uncovered_sales_regions(today))

    await new_outlet(system, [tree["city"][1]])
    uncovered = codes(await queries.uncovered_sales_regions(today))
    assert not {tree["city"][1], county[1], other[1]} & uncovered
