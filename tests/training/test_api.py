"""The training JSON API: a trainer's day through HTTP, bad input as problem details, guards."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from service_ops import clock
from service_ops.tables import AuditEvent
from tests.conftest import unique
from tests.training.factories import SCAN, retire_course
from training.tables import Certificate

CATEGORY = "refrigerator"


async def _course(client: Any, **extra: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/training/courses",
        json={
            "code": unique("api-"),
            "title": "冰箱维修上岗证",
            "hours": 12,
            "category": CATEGORY,
            "required_roles": ["technician"],
            "validity_months": 12,
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_trainer_runs_a_session_and_dispatch_asks_who_is_qualified(
    api_client: Any, make_user: Any, system: Any
) -> None:
    people = [await make_user("technician") for _ in range(3)]
    client = await api_client("trainer")
    course = await _course(client)
    try:
        me = (await client.get("/api/training/courses")).json()
        assert course["code"] in {c["code"] for c in me}
        trainer_id = (await make_user("trainer")).user_id
        starts = (clock.now() - timedelta(hours=4)).isoformat()
        session = await client.post(
            "/api/training/sessions",
            json={
                "course_id": course["id"],
                "starts_at": starts,
                "trainer_id": trainer_id,
                "place": "二楼教室",
            },
            headers={"Idempotency-Key": "session-" + unique("k")},
        )
        assert session.status_code == 201, session.text
        assert session.json()["hours"] == 12
        entries = [
            {"user_id": people[0].user_id, "attended": True, "score": 88},
            {"user_id": people[1].user_id, "attended": True, "score": 42.5},
            {"user_id": people[2].user_id, "attended": False},
        ]
        roll_call = await client.post(
            f"/api/training/sessions/{session.json()['id']}/roll-call", json={"entries": entries}
        )
        assert roll_call.status_code == 201, roll_call.text
        lines = {line["user_id"]: line for line in roll_call.json()["attendance"]}
        assert lines[people[0].user_id]["certificate_number"].startswith("C")
        assert lines[people[1].user_id]["score"] == 42.5 and not lines[people[1].user_id]["passed"]

        verdicts = []
        for person in people:
            answer = await client.get(
                "/api/training/qualification", params={"user_id": person.user_id, "category": CATEGORY}
            )
            assert answer.status_code == 200, answer.text
            verdicts.append(answer.json())
        assert [v["qualified"] for v in verdicts] == [True, False, False]
        assert verdicts[1]["missing"] == [course["code"]]

        matrix = await client.get(
            "/api/training/matrix", params={"user_ids": ",".join(str(p.user_id) for p in people)}
        )
        assert matrix.status_code == 200, matrix.text
        column = [c["code"] for c in matrix.json()["courses"]].index(course["code"])
        states = {row["user_id"]: row["cells"][column]["state"] for row in matrix.json()["rows"]}
        assert states == {
            people[0].user_id: "valid",
            people[1].user_id: "missing",
            people[2].user_id: "missing",
        }

        record = (await client.get(f"/api/training/people/{people[0].user_id}")).json()
        assert record["qualified_categories"] == [CATEGORY] and record["hours_attended"] == 12
    finally:
        await retire_course(system, course["id"])


async def test_the_qualification_check_follows_the_clock(
    api_client: Any, make_user: Any, system: Any
) -> None:
    technician = await make_user("technician")
    client = await api_client("trainer")
    course = await _course(client)
    try:
        expires_on = clock.today() + timedelta(days=3)
        posted = await client.post(
            "/api/training/certificates/external",
            data={
                "user_id": str(technician.user_id),
                "course_id": str(course["id"]),
                "number": unique("EXT-"),
                "issuer": "外部机构",
                "issued_on": (clock.today() - timedelta(days=10)).isoformat(),
                "expires_on": expires_on.isoformat(),
            },
            files={"scan": ("scan.pdf", SCAN, "application/pdf")},
        )
        assert posted.status_code == 201, posted.text
        assert posted.json()["is_external"] and posted.json()["has_scan"]
        params = {"user_id": technician.user_id, "category": CATEGORY}
        last_day = datetime.combine(expires_on, time(20, 0), tzinfo=clock.org_zone())
        with clock.frozen_at(last_day):
            assert (await client.get("/api/training/qualification", params=params)).json()["qualified"]
            expiring = await client.get("/api/training/certificates/expiring")
            assert posted.json()["id"] in {item["certificate_id"] for item in expiring.json()}
        with clock.frozen_at(last_day + timedelta(days=1)):
            assert not (await client.get("/api/training/qualification", params=params)).json()["qualified"]
    finally:
        await retire_course(system, course["id"])


async def test_bad_input_is_a_clear_4xx_and_writes_nothing(
    api_client: Any, make_user: Any, system: Any
) -> None:
    technician = await make_user("technician")
    client = await api_client("service_manager")
    course = await _course(client)
    try:
        trainer_id = (await make_user("trainer")).user_id
        session_id = (
            await client.post(
                "/api/training/sessions",
                json={
                    "course_id": course["id"],
                    "starts_at": (clock.now() - timedelta(hours=1)).isoformat(),
                    "trainer_id": trainer_id,
                    "place": "教室",
                },
            )
        ).json()["id"]
        events = await AuditEvent.count()
        bad_requests = [
            ("/api/training/courses", {"code": course["code"], "title": "重复", "hours": 1}, 409),
            ("/api/training/courses", {"code": unique("x-"), "title": "负时长", "hours": -3}, 400),
            (
                "/api/training/sessions",
                {
                    "course_id": course["id"],
                    "starts_at": clock.now().isoformat(),
                    "trainer_id": trainer_id,
                    "place": "教室",
                    "hours": -2,
                },
                400,
            ),
            (
                f"/api/training/sessions/{session_id}/roll-call",
                {"entries": [{"user_id": technician.user_id, "attended": True, "score": 150}]},
                400,
            ),
            (
                f"/api/training/sessions/{session_id}/roll-call",
                {"entries": [{"user_id": 99_999_999_999, "attended": True}]},
                400,
            ),
            ("/api/training/certificates/1/revoke", {"reason": ""}, 400),
        ]
        for path, body, status in bad_requests:
            response = await client.post(path, json=body)
            assert response.status_code == status, (path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["detail"]
        no_scan = await client.post(
            "/api/training/certificates/external",
            data={
                "user_id": str(technician.user_id),
                "course_id": str(course["id"]),
                "number": unique("EXT-"),
                "issuer": "机构",
                "issued_on": clock.today().isoformat(),
            },
            files={"scan": ("scan.txt", b"just text", "text/plain")},
        )
        assert no_scan.status_code == 400, no_scan.text
        assert await AuditEvent.count() == events
        assert not await Certificate.exists().where(Certificate.user == technician.user_id)
    finally:
        await retire_course(system, course["id"])


async def test_guards_let_everyone_read_and_only_training_roles_write(api_client: Any, client: Any) -> None:
    assert (await client.get("/api/training/courses")).status_code == 401
    technician = await api_client("technician")
    assert (await technician.get("/api/training/courses")).status_code == 200
    refused = await technician.post("/api/training/courses", json={"code": "NOPE", "title": "x", "hours": 1})
    assert refused.status_code == 403
    auditor = await api_client("auditor")
    assert (await auditor.get("/api/training/certificates")).status_code == 200
    assert (
        await auditor.post("/api/training/courses", json={"code": "NOPE", "title": "x", "hours": 1})
    ).status_code == 403


async def test_bounded_ids_and_unknown_records(api_client: Any) -> None:
    client = await api_client("agent")
    assert (await client.get("/api/training/sessions/99999999999")).status_code == 400
    assert (await client.get("/api/training/courses/2000000000")).status_code == 404
    assert (
        await client.get("/api/training/qualification", params={"user_id": 0, "category": CATEGORY})
    ).status_code == 400
    assert (
        await client.get("/api/training/qualification", params={"user_id": 1, "category": "spaceship"})
    ).status_code == 400
    assert (
        await client.get(
            "/api/training/qualification", params={"user_id": 2_000_000_000, "category": CATEGORY}
        )
    ).status_code == 404
    assert (await client.get("/api/training/matrix", params={"user_ids": "1,abc"})).status_code == 400
