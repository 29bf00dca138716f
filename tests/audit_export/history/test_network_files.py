"""The network and training files: outlets, memberships, courses, sessions, attendance, certificates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from audit_export.history.services import HistoryImportInvalid, import_history
from outlets.tables import Outlet, OutletMembership
from service_ops.audit import verify_chain
from service_ops.tables import AuditEvent
from tests.audit_export.history.bundles import edit, example_bundle, snapshot, table_counts
from training.tables import Certificate, Course, TrainingSession


async def test_network_and_training_rows_are_stored_as_given(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    await import_history(system, bundle)
    rows = await snapshot(prefix)
    outlets = {row["code"]: row for row in rows["outlet"]}
    authorised = outlets[f"{prefix}O02"]
    assert authorised["kind"] == "authorised" and authorised["agreement_expires"] == date(2027, 6, 30)
    assert authorised["daily_capacity"] == 10 and authorised["name"] == "杭州授权网点"
    coverage = {(row["outlet"], row["region"]) for row in rows["outlet_coverage"]}
    assert len(coverage) == 3  # O01: R03; O02: R02, R03
    assert {row["category"] for row in rows["outlet_category"]} == {"air_conditioner", "washing_machine"}
    memberships = await OutletMembership.select(
        OutletMembership.outlet.code,
        OutletMembership.user.username,
        OutletMembership.since,
        OutletMembership.until,
    ).where(OutletMembership.outlet.code.like(f"{prefix}%"))
    assert sorted((m["outlet.code"], m["user.username"], m["since"], m["until"]) for m in memberships) == [
        (f"{prefix}O01", f"x{prefix}_tech01", date(2025, 3, 1), None),
        (f"{prefix}O02", f"x{prefix}_agent01", date(2025, 6, 1), date(2026, 5, 31)),
    ]
    course = await Course.objects().get(Course.code == f"{prefix}K-AC")
    assert course is not None and course.category == "air_conditioner" and course.validity_months == 24
    # roles no other test qualifies people for (the test database is shared by the whole run)
    assert {row["role"] for row in rows["course_role"]} == {"finance", "auditor"}
    session = await TrainingSession.objects().get(TrainingSession.code == f"{prefix}S01")
    assert session is not None and session.trainer is None and Decimal(session.hours) == 16
    assert session.starts_at == datetime(2026, 3, 2, 1, tzinfo=UTC)
    scores = {(row["attended"], row["passed"]): row["score"] for row in rows["attendance"]}
    assert len(rows["attendance"]) == 3 and scores[(True, False)] == 52
    certificate = await Certificate.objects().get(Certificate.number == f"{prefix}CERT002")
    assert certificate is not None and certificate.expires_on is None and certificate.attendance is None


async def test_a_changed_outlet_is_a_correction(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    await import_history(system, bundle)
    edit(bundle, "outlets.csv", "杭州授权网点,authorised,", "杭州授权服务网点,own,")
    edit(bundle, "outlets.csv", f"{prefix}R02;{prefix}R03,air_conditioner,10", f"{prefix}R02,,12")
    edit(bundle, "staff.csv", f"technician,{prefix}O01", f"technician,{prefix}O02")
    last = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    report = await import_history(system, bundle)
    assert report.files["outlets.csv"] == {"inserted": 0, "updated": 1, "unchanged": 1}
    assert report.files["staff.csv"] == {"inserted": 0, "updated": 1, "unchanged": 2}
    events = await AuditEvent.select().where(AuditEvent.seq > last["seq"])
    assert [event["action"] for event in events] == ["audit_export.history_imported"]
    corrections = json.loads(events[0]["after"])["corrections"]
    assert corrections == [
        {
            "file": "outlets.csv",
            "line": 3,
            "key": f"{prefix}O02",
            "before": {
                "categories": ["air_conditioner"],
                "daily_capacity": 10,
                "kind": "authorised",
                "name": "杭州授权网点",
                "region_codes": [f"{prefix}R02", f"{prefix}R03"],
            },
            "after": {
                "categories": [],
                "daily_capacity": 12,
                "kind": "own",
                "name": "杭州授权服务网点",
                "region_codes": [f"{prefix}R02"],
            },
        },
        {
            "file": "staff.csv",
            "line": 2,
            "key": f"x{prefix}_tech01",
            "before": {"outlet_code": f"{prefix}O01"},
            "after": {"outlet_code": f"{prefix}O02"},
        },
    ]
    outlet = await Outlet.objects().get(Outlet.code == f"{prefix}O02")
    assert outlet is not None and outlet.kind == "own" and outlet.daily_capacity == 12
    rows = await snapshot(prefix)
    assert [row["outlet"] for row in rows["outlet_coverage"] if row["outlet"] == outlet.id] == [outlet.id]
    assert not [row for row in rows["outlet_category"] if row["outlet"] == outlet.id]
    assert {row["outlet"] for row in rows["outlet_membership"]} == {outlet.id}
    again = await import_history(system, bundle)
    assert not again.changed and await snapshot(prefix) == rows
    assert (await verify_chain()).ok


async def test_a_changed_attendance_line_and_course_are_corrections(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    await import_history(system, bundle)
    edit(bundle, "attendance.csv", "true,52,false", "true,61,true")
    edit(bundle, "courses.csv", "40.5,auditor;finance", "40.5,finance")
    report = await import_history(system, bundle)
    assert report.files["attendance.csv"] == {"inserted": 0, "updated": 1, "unchanged": 2}
    changed = {c["file"]: (c["before"], c["after"]) for c in report.corrections}
    assert changed["attendance.csv"] == (
        {"exam_score": 52, "passed": False},
        {"exam_score": 61, "passed": True},
    )
    assert changed["courses.csv"] == (
        {"required_for_roles": ["auditor", "finance"]},
        {"required_for_roles": ["finance"]},
    )
    rows = await snapshot(prefix)
    assert sorted(row["role"] for row in rows["course_role"]) == ["finance", "finance"]
    assert (await verify_chain()).ok


async def test_dangling_references_and_wrong_values_write_nothing(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    edit(bundle, "training_sessions.csv", f"{prefix}S02,{prefix}K-SM", f"{prefix}S02,NO-COURSE")
    edit(bundle, "attendance.csv", f"x{prefix}_agent01", "nobody")
    edit(bundle, "outlets.csv", ",authorised,", ",partner,")
    edit(bundle, "outlets.csv", f"{prefix}R02;{prefix}R03", f"{prefix}R02;NO-REGION")
    edit(bundle, "courses.csv", "24,false,air_conditioner", "24,false,air_conditioner;washing_machine")
    edit(bundle, "certificates.csv", "2026-03-05,2028-03-04", "2026-03-05,2026-03-04")
    edit(bundle, "training_sessions.csv", "16\n", "16.25\n")
    counts = await table_counts()
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, bundle)
    problems = [str(problem) for problem in raised.value.problems]
    expected_starts = [
        "training_sessions.csv:3: course_code: “NO-COURSE” is not in courses.csv",
        "training_sessions.csv:2: hours: Hours have at most one decimal place.",
        "attendance.csv:3: staff_code: “nobody” is not in staff.csv",
        "outlets.csv:3: kind: “partner” is not one of: own, authorised.",
        "courses.csv:2: categories: A course qualifies for one product category at most.",
        "certificates.csv:2: expires_on: A certificate cannot expire before it is issued.",
    ]
    for start in expected_starts:
        assert any(problem.startswith(start) for problem in problems), (start, problems)
    assert await table_counts() == counts
    assert await Outlet.count().where(Outlet.code.like(f"{prefix}%")) == 0


async def test_references_resolve_to_records_already_in_the_database(system: Any, tmp_path: Path) -> None:
    bundle, _ = example_bundle(tmp_path)
    await import_history(system, bundle)
    for name in ("outlets.csv", "courses.csv", "staff.csv"):
        (bundle / name).unlink()
    edit(bundle, "attendance.csv", "true,86,true", "false,,false")
    report = await import_history(system, bundle)
    assert report.files["attendance.csv"] == {"inserted": 0, "updated": 1, "unchanged": 2}
    assert "outlets.csv" not in report.files
    assert (await verify_chain()).ok
