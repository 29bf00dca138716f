"""The trainer's pages: catalogue, scheduling, one-post roll call, matrix, record, upload, revoke."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from service_ops import clock
from service_ops.tables import AuditEvent
from tests.conftest import PASSWORD, unique
from tests.training.factories import SCAN, new_course, new_session, retire_course
from training import catalogue
from training.tables import Certificate, Course

CATEGORY = "washing_machine"


async def _log_in(as_browser: Any, make_user: Any, role: str) -> Any:
    person = await make_user(role, locale="en")
    response = await as_browser.login(person.username, PASSWORD)
    assert response.status_code in (302, 303), response.text[:300]
    return person


async def _new_course_by_form(as_browser: Any) -> int:
    code = unique("WM-")
    response = await as_browser.post_form(
        "/training/courses",
        {
            "code": code,
            "title": "洗衣机维修上岗证",
            "hours": "6",
            "category": CATEGORY,
            "validity_months": "24",
            "pass_mark": "60",
            "role_technician": "on",
        },
    )
    assert response.status_code in (302, 303), response.text[:500]
    course_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert (await catalogue.get_course(course_id)).code == code
    return course_id


async def test_trainer_schedules_a_session_and_records_the_roll_call_in_one_post(
    as_browser: Any, make_user: Any, system: Any
) -> None:
    trainer = await _log_in(as_browser, make_user, "trainer")
    people = [await make_user("technician") for _ in range(4)]
    course_id = await _new_course_by_form(as_browser)
    try:
        catalogue_page = await as_browser.client.get("/training/courses")
        assert catalogue_page.status_code == 200 and "Course catalogue" in catalogue_page.text
        course_page = await as_browser.client.get(f"/training/courses/{course_id}")
        key = re.search(r'name="idempotency_key" value="([^"]+)"', course_page.text).group(1)
        starts = (clock.now() - timedelta(hours=2)).astimezone(clock.org_zone()).strftime("%Y-%m-%dT%H:%M")
        form = {
            "starts_at": starts,
            "hours": "6",
            "trainer_id": trainer.user_id,
            "place": "南山培训室",
            "idempotency_key": key,
        }
        scheduled = await as_browser.post_form(f"/training/courses/{course_id}/sessions", form)
        assert scheduled.status_code in (302, 303), scheduled.text[:500]
        again = await as_browser.post_form(f"/training/courses/{course_id}/sessions", form)
        assert again.headers["location"] == scheduled.headers["location"]
        session_path = scheduled.headers["location"]

        usernames = ",".join(p.username for p in people)
        roll_call_page = await as_browser.client.get(session_path, params={"add": usernames})
        for person in people:
            assert f'name="row_{person.user_id}"' in roll_call_page.text
        rows = {f"row_{p.user_id}": "1" for p in people}
        marks = {
            f"attended_{people[0].user_id}": "on",
            f"score_{people[0].user_id}": "91",
            f"attended_{people[1].user_id}": "on",
            f"score_{people[1].user_id}": "59,5",
            f"attended_{people[2].user_id}": "on",
            f"score_{people[2].user_id}": "60",
        }
        saved = await as_browser.post_form(session_path, {**rows, **marks})
        assert saved.status_code in (302, 303), saved.text[:500]
        session = await catalogue.get_session(int(session_path.rsplit("/", 1)[1]))
        lines = {line.user_id: line for line in session.attendance}
        assert set(lines) == {p.user_id for p in people[:3]}  # the untouched row is not recorded
        assert [lines[p.user_id].passed for p in people[:3]] == [True, False, True]
        assert lines[people[1].user_id].score == 59.5
        shown = await as_browser.client.get(session_path)
        assert lines[people[0].user_id].certificate_number in shown.text

        record = await as_browser.client.get(f"/training/people/{people[0].user_id}")
        assert lines[people[0].user_id].certificate_number in record.text
        matrix = await as_browser.client.get(
            "/training/matrix", params={"user_ids": ",".join(str(p.user_id) for p in people)}
        )
        assert matrix.status_code == 200
        assert matrix.text.count('data-state="valid"') == 2 and matrix.text.count('data-state="missing"') == 2
    finally:
        await retire_course(system, course_id)


async def test_a_bad_score_in_the_form_writes_nothing(as_browser: Any, make_user: Any, system: Any) -> None:
    trainer = await _log_in(as_browser, make_user, "trainer")
    people = [await make_user("technician") for _ in range(2)]
    course_id = await _new_course_by_form(as_browser)
    try:
        starts = (clock.now() - timedelta(hours=2)).astimezone(clock.org_zone()).strftime("%Y-%m-%dT%H:%M")
        scheduled = await as_browser.post_form(
            f"/training/courses/{course_id}/sessions",
            {"starts_at": starts, "hours": "6", "trainer_id": trainer.user_id, "place": "教室"},
        )
        events = await AuditEvent.count()
        form = {f"row_{p.user_id}": "1" for p in people}
        for bad in ("101", "-5", "abc"):
            response = await as_browser.post_form(
                scheduled.headers["location"],
                {
                    **form,
                    f"attended_{people[0].user_id}": "on",
                    f"score_{people[0].user_id}": "80",
                    f"attended_{people[1].user_id}": "on",
                    f"score_{people[1].user_id}": bad,
                },
            )
            assert response.status_code == 400, response.text[:300]
            assert "Go back and correct" in response.text
        negative = await as_browser.post_form(
            f"/training/courses/{course_id}/sessions",
            {"starts_at": starts, "hours": "-1", "trainer_id": trainer.user_id, "place": "教室"},
        )
        assert negative.status_code == 400
        assert await AuditEvent.count() == events
    finally:
        await retire_course(system, course_id)


async def test_external_certificate_upload_and_revocation_by_form(
    as_browser: Any, make_user: Any, system: Any
) -> None:
    await _log_in(as_browser, make_user, "service_manager")
    technician = await make_user("technician")
    course_id = await _new_course_by_form(as_browser)
    try:
        page = await as_browser.client.get(f"/training/people/{technician.user_id}")
        assert 'enctype="multipart/form-data"' in page.text
        number = unique("EXT-")
        fields = {
            "course_id": str(course_id),
            "number": number,
            "issuer": "中国家用电器服务维修协会",
            "issued_on": (clock.today() - timedelta(days=5)).isoformat(),
            "expires_on": "",
            "_csrf_token": await as_browser.csrf(),
        }
        uploaded = await as_browser.client.post(
            f"/training/people/{technician.user_id}/certificates",
            data=fields,
            files={"scan": ("证书.pdf", SCAN, "application/pdf")},
        )
        assert uploaded.status_code in (302, 303), uploaded.text[:500]
        row = await Certificate.select().where(Certificate.number == number).first()
        assert row["is_external"] and row["expires_on"] == clock.add_months(row["issued_on"], 24)
        scan = await as_browser.client.get(f"/training/certificates/{row['id']}/scan")
        assert scan.status_code == 200 and scan.content == SCAN

        missing = await as_browser.client.post(
            f"/training/people/{technician.user_id}/certificates",
            data={**fields, "number": unique("EXT-"), "_csrf_token": await as_browser.csrf()},
        )
        assert missing.status_code == 400

        revoked = await as_browser.post_form(
            f"/training/certificates/{row['id']}/revoke", {"reason": "信息有误"}
        )
        assert revoked.status_code in (302, 303)
        after = await as_browser.client.get(f"/training/people/{technician.user_id}")
        assert "Revoked" in after.text and "信息有误" in after.text
    finally:
        await retire_course(system, course_id)


async def test_an_auditor_reads_every_page_and_changes_nothing(
    as_browser: Any, make_user: Any, system: Any
) -> None:
    course_id = await new_course(system, category=CATEGORY)
    session_id = await new_session(system, course_id, (await make_user("trainer")).user_id)
    try:
        auditor = await _log_in(as_browser, make_user, "auditor")
        for path in (
            "/training/courses",
            f"/training/courses/{course_id}",
            f"/training/sessions/{session_id}",
            "/training/matrix",
            "/training/matrix?role=outlet_manager",
            f"/training/people/{auditor.user_id}",
        ):
            response = await as_browser.client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            assert '<form method="post" action="/training' not in response.text, path
        refused = await as_browser.post_form("/training/courses", {"code": "NO", "title": "x", "hours": "1"})
        assert refused.status_code == 403
        assert not await Course.exists().where(Course.code == "NO")
    finally:
        await retire_course(system, course_id)


async def test_pages_need_a_login(client: Any) -> None:
    response = await client.get("/training/courses", follow_redirects=False)
    assert response.status_code in (302, 303) and response.headers["location"].startswith("/login")
