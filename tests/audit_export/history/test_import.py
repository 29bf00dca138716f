"""The history import: idempotent, all or nothing, corrections audited, every problem listed."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from audit_export.history.csvfile import CellError, typed_cell
from audit_export.history.services import HistoryImportInvalid, import_history
from audit_export.history.spec import Column
from service_ops.audit import verify_chain
from service_ops.tables import AuditEvent, Customer, Region, User
from tests.audit_export.history.bundles import edit, example_bundle, snapshot, table_counts
from tests.conftest import ROOT

FILES = ["product_models.csv", "regions.csv", "customers.csv", "staff.csv", "units.csv"]


async def test_importing_the_same_bundle_twice_changes_nothing(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    first = await import_history(system, bundle)
    assert first.files == {
        "regions.csv": {"inserted": 3, "updated": 0, "unchanged": 0},
        "product_models.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "customers.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "units.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "staff.csv": {"inserted": 3, "updated": 0, "unchanged": 0},
        "outlets.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "courses.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "training_sessions.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "attendance.csv": {"inserted": 3, "updated": 0, "unchanged": 0},
        "certificates.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "tickets.csv": {"inserted": 3, "updated": 0, "unchanged": 0},
        "calls.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "work_orders.csv": {"inserted": 3, "updated": 0, "unchanged": 0},
        "fund_entries.csv": {"inserted": 3, "updated": 0, "unchanged": 0},
        "followups.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "complaints.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "guarantee_requests.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
        "corrective_actions.csv": {"inserted": 2, "updated": 0, "unchanged": 0},
    }
    before = await snapshot(prefix)
    assert all(before[table] for table in before)
    imported = ("region", "unit", "app_user", "outlet", "outlet_membership", "course", "training_session")
    assert {row["origin"] for table in (*imported, "attendance", "certificate") for row in before[table]} == {
        f"import:{first.sha256}"
    }
    levels = {row["code"]: row["level"] for row in before["region"]}
    assert levels == {f"{prefix}R01": "province", f"{prefix}R02": "city", f"{prefix}R03": "county"}
    second = await import_history(system, bundle)
    assert not second.changed and second.corrections == []
    assert {counts["unchanged"] for counts in second.files.values()} == {2, 3}
    assert await snapshot(prefix) == before
    assert (await verify_chain()).ok


async def test_imported_staff_cannot_log_in_until_given_a_password(system: Any, tmp_path: Path) -> None:
    from service_ops.auth import password_matches

    bundle, prefix = example_bundle(tmp_path)
    await import_history(system, bundle)
    agent = await User.objects().get(User.username == f"x{prefix}_agent01")
    assert agent is not None and agent.left_on == date(2026, 5, 31) and agent.is_active is False
    assert not password_matches(agent.password_hash, "")


async def test_a_changed_record_is_a_correction_in_one_audit_event(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    await import_history(system, bundle)
    edit(bundle, "customers.csv", "张三,13800000001", "张三丰,13900000009")
    last = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    report = await import_history(system, bundle)
    assert report.files["customers.csv"] == {"inserted": 0, "updated": 1, "unchanged": 1}
    events = await AuditEvent.select().where(AuditEvent.seq > last["seq"])
    assert [event["action"] for event in events] == ["audit_export.history_imported"]
    after = json.loads(events[0]["after"])
    assert after["corrections"] == [
        {
            "file": "customers.csv",
            "line": 2,
            "key": f"{prefix}C001",
            "before": {"name": "张三", "phone": "13800000001"},
            "after": {"name": "张三丰", "phone": "13900000009"},
        }
    ]
    assert events[0]["reason"] == f"import:{report.sha256}" and after["bundle_sha256"] == report.sha256
    customer = await Customer.objects().get(Customer.code == f"{prefix}C001")
    assert customer is not None and customer.name == "张三丰"
    rows = await snapshot(prefix)
    phones = {row["phone"] for row in rows["customer_phone"] if row["customer"] == customer.id}
    assert phones == {"13900000009"}
    assert (await verify_chain()).ok


async def test_a_broken_bundle_writes_nothing_and_names_every_problem(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    edit(bundle, "product_models.csv", ",36", ",-1")
    edit(bundle, "customers.csv", f"{prefix}R02", "NOPE")
    edit(bundle, "units.csv", "2026-01-05", "2026-13-05")
    edit(bundle, "staff.csv", f"x{prefix}_agent01", f"x{prefix}_tech01")
    edit(bundle, "staff.csv", ",,2024-01-01", ",NO-OUTLET,2024-01-01")
    edit(bundle, "regions.csv", f"{prefix}R03,西湖区,{prefix}R02,1", f"{prefix}R03,西湖区,{prefix}R02,maybe")
    (bundle / "notes.txt").write_text("not a csv", encoding="utf-8")
    counts = await table_counts()
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, bundle)
    problems = [str(problem) for problem in raised.value.problems]
    expected_starts = [
        "notes.txt:0: *: Not a CSV file",
        "product_models.csv:2: warranty_months: Must be at least 0",
        "customers.csv:3: region_code: “NOPE” is not in regions.csv",
        "units.csv:2: purchased_on: “2026-13-05” is not a date",
        "staff.csv:3: code: Duplicate key (first on line 2)",
        "staff.csv:4: outlet_code: “NO-OUTLET” is not in outlets.csv",
        "regions.csv:4: is_sales_region: “maybe” is not true/false",
    ]
    for start in expected_starts:
        assert any(problem.startswith(start) for problem in problems), (start, problems)
    assert await table_counts() == counts
    assert await Region.count().where(Region.code.like(f"{prefix}%")) == 0


async def test_wrong_headers_are_named_by_column(system: Any, tmp_path: Path) -> None:
    bundle, _ = example_bundle(tmp_path)
    edit(bundle, "regions.csv", "code,name,parent_code,is_sales_region", "code,name,is_sales_region,colour")
    counts = await table_counts()
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, bundle)
    problems = [str(problem) for problem in raised.value.problems]
    assert "regions.csv:1: colour: Unknown column." in problems
    assert "regions.csv:1: parent_code: Required column missing from the header." in problems
    assert await table_counts() == counts


async def test_a_zip_with_a_path_outside_the_bundle_is_refused(system: Any, tmp_path: Path) -> None:
    bundle, _ = example_bundle(tmp_path)
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(bundle.iterdir()):
            zipped.write(path, path.name)
        zipped.writestr("../evil.csv", "code\nx\n")
    counts = await table_counts()
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, archive)
    assert [str(p) for p in raised.value.problems] == [
        "../evil.csv:0: *: Unsafe path in the zip (absolute or with “..”)."
    ]
    assert await table_counts() == counts


async def test_a_zip_of_the_folder_is_the_same_bundle(system: Any, tmp_path: Path) -> None:
    bundle, _ = example_bundle(tmp_path)
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(bundle.iterdir()):
            zipped.write(path, f"bundle/{path.name}")
    from_zip = await import_history(system, archive)
    from_folder = await import_history(system, bundle)
    assert from_zip.sha256 == from_folder.sha256 and not from_folder.changed


def test_typed_cells() -> None:
    from service_ops.clock import org_zone

    moment = typed_cell(Column("at", "ts"), "2026-03-01T08:30:00+08:00")
    assert moment.utcoffset() == timedelta(hours=8)
    assert typed_cell(Column("at", "ts"), "2026-03-01 08:30") == datetime(
        2026, 3, 1, 8, 30, tzinfo=org_zone()
    )
    assert typed_cell(Column("tags", "list"), "a; b;;c") == ["a", "b", "c"]
    assert str(typed_cell(Column("amount", "money"), "-12.50")) == "-12.50"
    assert typed_cell(Column("n", "int"), "") is None
    for column, raw in [
        (Column("at", "ts"), "yesterday"),
        (Column("amount", "money"), "1.005"),
        (Column("n", "int"), "1.5"),
        (Column("n", "int", minimum=0), "-3"),
        (Column("flag", "bool"), "y"),
        (Column("day", "date"), "2026-3-1"),
        (Column("name", required=True), "  "),
    ]:
        with pytest.raises(CellError):
            typed_cell(column, raw)


async def _cli(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service_ops.cli",
        *args,
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_cli_imports_then_lists_problems_with_exit_status_1(tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    status, output = await _cli("import-history", str(bundle))
    assert status == 0, output
    assert "regions.csv: 3 inserted, 0 updated, 0 unchanged" in output
    edit(bundle, "units.csv", "2026-02-10", "soon")
    status, output = await _cli("import-history", str(bundle))
    assert status == 1, output
    assert "units.csv:3: purchased_on: " in output
    assert await Customer.count().where(Customer.code.like(f"{prefix}%")) == 2
