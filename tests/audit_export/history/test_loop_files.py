"""History import of the closing loop: follow-ups, complaints, 三包 requests, corrective actions."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from audit_export.history.services import HistoryImportInvalid, import_history
from service_ops.audit import verify_chain
from service_ops.bulk_load import IMPORT_USERNAME
from service_ops.tables import AuditEvent, User
from tests.audit_export.history.bundles import edit, example_bundle, table_counts
from tickets.tables import Complaint, CorrectiveAction, Followup, GuaranteeRequest, Ticket

LOOP_FILES = ("followups.csv", "complaints.csv", "guarantee_requests.csv", "corrective_actions.csv")
LOOP_TABLES = {
    "followup": "SELECT f.* FROM followup f JOIN ticket t ON t.id = f.ticket WHERE t.number LIKE {} "
    "ORDER BY f.id",
    "complaint": "SELECT * FROM complaint WHERE number LIKE {} ORDER BY id",
    "guarantee_request": "SELECT * FROM guarantee_request WHERE number LIKE {} ORDER BY id",
    "corrective_action": "SELECT * FROM corrective_action WHERE number LIKE {} ORDER BY id",
}


async def _loop_snapshot(prefix: str) -> dict[str, list[dict[str, Any]]]:
    """Every column of every closing-loop row the bundle with `prefix` imported."""
    return {table: await AuditEvent.raw(sql, f"{prefix}%") for table, sql in LOOP_TABLES.items()}


async def _loop_counts() -> dict[str, int]:
    counts = await table_counts()
    for table in LOOP_TABLES:
        counts[table] = int((await AuditEvent.raw(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"])
    return counts


async def _problems(system: Any, bundle: Path) -> list[str]:
    counts = await _loop_counts()
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, bundle)
    assert await _loop_counts() == counts
    return [str(problem) for problem in raised.value.problems]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_the_loop_imports_as_history_with_honest_defaults_and_reimports_unchanged(
    system: Any, tmp_path: Path
) -> None:
    bundle, prefix = example_bundle(tmp_path)
    first = await import_history(system, bundle)
    for name in LOOP_FILES:
        assert first.files[name] == {"inserted": 2, "updated": 0, "unchanged": 0}, name
    origin = f"import:{first.sha256}"
    importer = await User.objects().get(User.username == IMPORT_USERNAME)
    assert importer is not None and importer.is_active is False

    tickets = {
        row["id"]: row
        for row in await Ticket.select(Ticket.id, Ticket.number, Ticket.unit).where(
            Ticket.number.like(f"{prefix}%")
        )
    }
    followups = {
        tickets[row["ticket"]]["number"][-1]: row
        for row in await Followup.select().where(Followup.ticket.is_in(list(tickets)))
    }
    done, cancelled_ticket = followups["1"], followups["3"]
    assert (done["reached"], done["score"], done["comment"], done["agent"]) == (True, 5, "师傅很专业", None)
    assert done["created_at"] == _at("2026-03-03T16:00:00+08:00")  # the ticket's resolution
    assert cancelled_ticket["created_at"] == _at("2026-03-13T12:00:00+08:00") - timedelta(days=7)
    assert (cancelled_ticket["reached"], cancelled_ticket["score"], cancelled_ticket["comment"]) == (
        False,
        None,
        "",
    )
    assert {row["origin"] for row in followups.values()} == {origin}

    complaints = {
        row["number"][-1]: row for row in await Complaint.select().where(Complaint.number.like(f"{prefix}%"))
    }
    resolved, acknowledged = complaints["1"], complaints["2"]
    assert (resolved["status"], resolved["severity"], resolved["category"]) == (
        "resolved",
        "major",
        "timeliness",
    )
    assert resolved["ack_due"] == _at("2026-03-02T22:00:00+08:00")
    assert resolved["resolve_due"] == _at("2026-03-03T20:00:00+08:00")
    assert (acknowledged["status"], acknowledged["ticket"], acknowledged["channel"]) == (
        "acknowledged",
        None,
        "other",
    )
    assert {(row["created_by"], row["handler"], row["origin"]) for row in complaints.values()} == {
        (importer.id, None, origin)
    }

    requests = {
        row["number"][-1]: row
        for row in await GuaranteeRequest.select().where(GuaranteeRequest.number.like(f"{prefix}%"))
    }
    refused, pending = requests["1"], requests["2"]
    assert (refused["decision"], refused["decided_by"], refused["kind"]) == ("refused", None, "replace")
    assert refused["unit"] == tickets[refused["ticket"]]["unit"] is not None
    assert (pending["decision"], pending["decided_at"]) == (None, None)
    assert {(row["created_by"], row["origin"]) for row in requests.values()} == {(importer.id, origin)}

    actions = {
        row["number"][-1]: row
        for row in await CorrectiveAction.select().where(CorrectiveAction.number.like(f"{prefix}%"))
    }
    assert (actions["1"]["closed_on"], actions["1"]["effective"]) == (date(2026, 3, 20), None)
    assert actions["2"]["closed_on"] is None and actions["2"]["source"] == "inspection"
    assert {(row["owner"], row["created_by"], row["origin"]) for row in actions.values()} == {
        (importer.id, importer.id, origin)
    }

    before = await _loop_snapshot(prefix)
    second = await import_history(system, bundle)
    assert not second.changed and second.corrections == []
    for name in LOOP_FILES:
        assert second.files[name] == {"inserted": 0, "updated": 0, "unchanged": 2}, name
    assert await _loop_snapshot(prefix) == before
    assert (await verify_chain()).ok


async def test_a_changed_complaint_is_a_correction_in_the_audit_event(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    await import_history(system, bundle)
    edit(
        bundle,
        "complaints.csv",
        "2026-03-06T13:00:00+08:00,2026-03-06T13:30:00+08:00,,normal",
        "2026-03-06T12:00:00+08:00,2026-03-06T13:30:00+08:00,2026-03-07T09:00:00+08:00,major",
    )
    last = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    report = await import_history(system, bundle)
    assert report.files["complaints.csv"] == {"inserted": 0, "updated": 1, "unchanged": 1}
    events = await AuditEvent.select().where(AuditEvent.seq > last["seq"])
    assert [event["action"] for event in events] == ["audit_export.history_imported"]
    assert events[0]["reason"] == f"import:{report.sha256}"
    [correction] = json.loads(events[0]["after"])["corrections"]
    assert (correction["file"], correction["line"], correction["key"]) == (
        "complaints.csv",
        3,
        f"{prefix}CP002",
    )
    before, after = correction["before"], correction["after"]
    assert sorted(after) == ["received_at", "resolved_at", "severity"]
    assert (before["severity"], before["resolved_at"], after["severity"]) == ("normal", None, "major")
    assert _at(before["received_at"]) == _at("2026-03-06T13:00:00+08:00")
    assert _at(after["received_at"]) == _at("2026-03-06T12:00:00+08:00")
    assert _at(after["resolved_at"]) == _at("2026-03-07T09:00:00+08:00")
    complaint = await Complaint.objects().get(Complaint.number == f"{prefix}CP002")
    assert complaint is not None and complaint.status == "resolved" and complaint.severity == "major"
    assert complaint.ack_due == _at("2026-03-06T14:00:00+08:00")  # moved with received_at
    assert complaint.resolve_due == _at("2026-03-07T12:00:00+08:00")
    assert not (await import_history(system, bundle)).changed
    assert (await verify_chain()).ok


async def test_every_bad_input_is_named_by_file_line_and_column(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    edit(bundle, "followups.csv", f"{prefix}T0003,", "NO-TICKET,")
    edit(bundle, "followups.csv", "true,5,", "true,6,")
    edit(bundle, "complaints.csv", "2026-03-02T20:00:00+08:00", "2 March 20:00")
    edit(bundle, "complaints.csv", ",normal,attitude", ",normal,rudeness")
    edit(
        bundle,
        "guarantee_requests.csv",
        "2026-03-05T10:00:00+08:00,refused",
        "2026-03-03T10:00:00+08:00,refused",
    )
    edit(bundle, "guarantee_requests.csv", ",refund,", ",swap,")
    edit(bundle, "corrective_actions.csv", f"{prefix}CA002,", f"{prefix}CA001,")
    problems = await _problems(system, bundle)
    assert sorted(problems) == [
        "complaints.csv:2: received_at: “2 March 20:00” is not an ISO 8601 timestamp.",
        "complaints.csv:3: category: “rudeness” is not one of: attitude, timeliness, workmanship, product, "
        "fees, other.",
        "corrective_actions.csv:3: number: Duplicate key (first on line 2).",
        "followups.csv:2: score: Must be at most 5.",
        "followups.csv:3: ticket_number: “NO-TICKET” is not in tickets.csv nor in the database.",
        "guarantee_requests.csv:2: decided_at: Must not be before requested_at.",
        "guarantee_requests.csv:3: kind: “swap” is not one of: repair, replace, refund.",
    ]


async def test_a_decision_and_its_time_go_together_and_the_ticket_needs_a_unit(
    system: Any, tmp_path: Path
) -> None:
    bundle, prefix = example_bundle(tmp_path)
    edit(bundle, "guarantee_requests.csv", "2026-03-05T10:00:00+08:00,refused", ",refused")
    edit(bundle, "guarantee_requests.csv", f"{prefix}T0003,refund", f"{prefix}T0002,refund")
    edit(
        bundle, "guarantee_requests.csv", "2026-03-13T12:30:00+08:00,,", "2026-03-13T12:30:00+08:00,,granted"
    )
    problems = await _problems(system, bundle)
    assert problems == [
        "guarantee_requests.csv:2: decided_at: A decision needs the time it was made.",
        "guarantee_requests.csv:3: decided_at: A decision needs the time it was made.",
    ]
    edit(bundle, "guarantee_requests.csv", ",refused", "2026-03-05T10:00:00+08:00,")
    edit(
        bundle, "guarantee_requests.csv", "2026-03-13T12:30:00+08:00,,granted", "2026-03-13T12:30:00+08:00,,"
    )
    problems = await _problems(system, bundle)
    assert problems == [
        "guarantee_requests.csv:2: decision: A decided request needs its decision (granted or refused).",
        f"guarantee_requests.csv:3: ticket_number: Ticket {prefix}T0002 names no unit (serial_no); "
        "a 三包 request needs one.",
    ]


async def test_one_follow_up_per_ticket(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    edit(bundle, "followups.csv", f"{prefix}T0003,", f"{prefix}T0001,")
    problems = await _problems(system, bundle)
    assert problems == [
        f"followups.csv:3: due_at: One follow-up per ticket: ticket {prefix}T0001 has one on line 2 already."
    ]
    edit(bundle, "followups.csv", f"{prefix}T0001,2026-03-13", f"{prefix}T0003,2026-03-13")
    await import_history(system, bundle)
    edit(bundle, "followups.csv", "2026-03-10T16:00:00+08:00", "2026-03-11T16:00:00+08:00")
    problems = await _problems(system, bundle)
    assert problems == [
        f"followups.csv:2: due_at: One follow-up per ticket: ticket {prefix}T0001 already has one, "
        "due 2026-03-10T16:00:00+08:00."
    ]
