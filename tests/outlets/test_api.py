"""The outlet JSON API: create with coverage, change, inspect, rank; guards and 4xx with nothing written."""

from __future__ import annotations

from typing import Any

from outlets.tables import Outlet
from service_ops import clock
from service_ops.tables import AuditEvent
from tests.conftest import unique
from tests.outlets.network import CATEGORY, new_outlet, qualified_technician, region_tree


def _outlet_json(region_code: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": unique("API"),
        "name": "接口网点",
        "address": "接口路 2 号",
        "region_code": region_code,
        "region_codes": [region_code],
        "categories": [CATEGORY],
        **extra,
    }


async def test_service_manager_manages_an_outlet_through_the_api(api_client: Any, system: Any) -> None:
    tree = await region_tree(system)
    client = await api_client("service_manager")

    created = await client.post("/api/outlets", json=_outlet_json(tree["county"][1], contact_name="王经理"))
    assert created.status_code == 201, created.text
    outlet = created.json()
    assert outlet["coverage"] == [tree["county"][1]] and outlet["categories"] == [CATEGORY]
    path = f"/api/outlets/{outlet['id']}"

    changed = await client.patch(path, json={"daily_capacity": 30, "phone": None})
    assert changed.status_code == 200, changed.text
    assert changed.json()["daily_capacity"] == 30

    coverage = await client.put(f"{path}/coverage", json={"region_codes": [tree["city"][1]]})
    assert coverage.json()["coverage"] == [tree["city"][1]]
    categories = await client.put(f"{path}/categories", json={"categories": ["refrigerator", CATEGORY]})
    assert categories.json()["categories"] == ["refrigerator", CATEGORY]

    inspection = await client.post(
        f"{path}/inspections",
        json={"inspected_on": clock.today().isoformat(), "score": 91, "findings": "整洁"},
    )
    assert inspection.status_code == 201, inspection.text
    assert inspection.json()["score"] == 91
    assert [i["score"] for i in (await client.get(f"{path}/inspections")).json()] == [91]

    stopped = await client.post(f"{path}/deactivate", json={"reason": "整改期间暂停派单"})
    assert stopped.json()["is_active"] is False
    assert (await client.get(path)).json()["is_active"] is False
    assert any(o["id"] == outlet["id"] for o in (await client.get("/api/outlets")).json())


async def test_bad_input_is_a_4xx_with_nothing_written(api_client: Any, system: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    client = await api_client("service_manager")
    outlets, events = await Outlet.count(), await AuditEvent.count()

    unknown_region = await client.post(
        "/api/outlets", json=_outlet_json(tree["county"][1], region_codes=["NOPE-REGION"])
    )
    assert unknown_region.status_code == 400
    assert unknown_region.json()["field"] == "region_codes"
    assert "NOPE-REGION" in unknown_region.json()["detail"]
    score = await client.post(
        f"/api/outlets/{outlet_id}/inspections",
        json={"inspected_on": clock.today().isoformat(), "score": 101},
    )
    assert score.status_code == 400 and score.json()["field"] == "score"
    missing = await client.get("/api/outlets/2000000000")
    assert missing.status_code == 404
    assert (await client.post("/api/outlets/2000000000/activate", json={"reason": "x"})).status_code == 404
    assert (await Outlet.count(), await AuditEvent.count()) == (outlets, events)


async def test_roles_without_rights_get_403_and_auditors_read(api_client: Any, system: Any) -> None:
    tree = await region_tree(system)
    outlet_id, _ = await new_outlet(system, [tree["county"][1]])
    for role in ("agent", "outlet_manager", "technician", "auditor"):
        client = await api_client(role)
        refused = await client.post("/api/outlets", json=_outlet_json(tree["county"][1]))
        assert refused.status_code == 403, role
        coverage = await client.put(f"/api/outlets/{outlet_id}/coverage", json={"region_codes": []})
        assert coverage.status_code == 403, role
        assert (await client.get(f"/api/outlets/{outlet_id}")).status_code == 200


async def test_ranking_endpoint_explains_every_outlet(
    api_client: Any, system: Any, make_user: Any, tv_course: int
) -> None:
    tree = await region_tree(system)
    good, _ = await new_outlet(system, [tree["city"][1]])
    await qualified_technician(system, make_user, good)
    other, _ = await new_outlet(system, [tree["other_county"][1]])
    client = await api_client("dispatcher")

    response = await client.get(
        "/api/outlets/ranking", params={"region_id": tree["county"][0], "category": CATEGORY}
    )
    assert response.status_code == 200, response.text
    rows = {row["outlet_id"]: row for row in response.json()}
    assert rows[good]["eligible"] is True and rows[good]["load"] == 0
    assert rows[other]["reasons"][0]["message"] == "Does not cover the ticket's region."

    bad_category = await client.get(
        "/api/outlets/ranking", params={"region_id": tree["county"][0], "category": "spaceship"}
    )
    assert bad_category.status_code == 400
    unknown_region = await client.get(
        "/api/outlets/ranking", params={"region_id": 2_000_000_000, "category": CATEGORY}
    )
    assert unknown_region.status_code == 404

    technicians = await client.get(f"/api/outlets/{good}/technicians", params={"category": CATEGORY})
    assert [t["qualified"] for t in technicians.json()] == [True]
    uncovered = await client.get("/api/outlets/uncovered-regions")
    codes = {region["code"] for region in uncovered.json()}
    assert tree["county"][1] not in codes and tree["other_county"][1] not in codes
