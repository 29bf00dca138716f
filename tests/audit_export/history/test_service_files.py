"""History import of the service records: tickets, calls, work orders, fund entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from audit_export.history.services import HistoryImportInvalid, import_history
from service_ops.audit import verify_chain
from service_ops.fund.tables import FundEntry
from service_ops.tables import AuditEvent
from tests.audit_export.history.bundles import edit, example_bundle, snapshot, table_counts
from tickets.tables import Call, Ticket, WorkOrder


async def _problems(system: Any, bundle: Path) -> list[str]:
    counts = await table_counts()
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, bundle)
    assert await table_counts() == counts
    return [str(problem) for problem in raised.value.problems]


async def test_service_records_import_as_history_and_reimport_unchanged(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    first = await import_history(system, bundle)
    tickets = {
        row["number"]: row
        for row in await Ticket.select().where(Ticket.number.like(f"{prefix}%")).order_by(Ticket.id)
    }
    resolved, open_one, cancelled = (tickets[f"{prefix}T000{n}"] for n in (1, 2, 3))
    assert (resolved["status"], resolved["channel"], resolved["priority"]) == ("resolved", "phone", "normal")
    assert resolved["resolved_at"] is not None and resolved["origin"] == f"import:{first.sha256}"
    assert (open_one["status"], open_one["channel"]) == ("new", "web")
    assert cancelled["status"] == "cancelled" and cancelled["resolved_at"] is None
    assert cancelled["cancelled_at"] is not None and cancelled["channel"] == "other"
    call = await Call.objects().get(Call.external_id == f"{prefix}CALL-1")
    assert call is not None and call.direction == "inbound" and resolved["call"] == call.id
    visits = await WorkOrder.select(WorkOrder.number, WorkOrder.status, WorkOrder.result).where(
        WorkOrder.number.like(f"{prefix}%")
    )
    assert {(v["number"][-1], v["status"], v["result"]) for v in visits} == {
        ("1", "completed", "not_fixed"),
        ("2", "completed", "fixed"),
        ("3", "cancelled", None),
    }
    amounts = await FundEntry.select(FundEntry.amount_fen, FundEntry.origin).where(
        FundEntry.external_id.like(f"{prefix}%")
    )
    assert sorted(row["amount_fen"] for row in amounts) == [-35050, 35050, 12000000]
    before = await snapshot(prefix)
    second = await import_history(system, bundle)
    assert not second.changed and second.corrections == []
    assert await snapshot(prefix) == before
    assert (await verify_chain()).ok


async def test_a_changed_ticket_is_a_correction(system: Any, tmp_path: Path) -> None:
    bundle, prefix = example_bundle(tmp_path)
    await import_history(system, bundle)
    edit(
        bundle,
        "tickets.csv",
        "2026-03-05T10:00:00+08:00,2026-03-05T10:30:00+08:00,,",
        "2026-03-05T10:00:00+08:00,2026-03-05T10:30:00+08:00,2026-03-05T10:20:00+08:00,",
    )
    edit(bundle, "tickets.csv", ",,,open", ",2026-03-05T18:00:00+08:00,,resolved")
    last = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    report = await import_history(system, bundle)
    assert report.files["tickets.csv"] == {"inserted": 0, "updated": 1, "unchanged": 2}
    events = await AuditEvent.select().where(AuditEvent.seq > last["seq"])
    assert [event["action"] for event in events] == ["audit_export.history_imported"]
    [correction] = json.loads(events[0]["after"])["corrections"]
    assert correction["key"] == f"{prefix}T0002"
    assert sorted(correction["after"]) == ["first_response_at", "resolved_at", "status"]
    ticket = await Ticket.objects().get(Ticket.number == f"{prefix}T0002")
    assert ticket is not None and ticket.status == "resolved" and ticket.resolved_at is not None
    assert not (await import_history(system, bundle)).changed
    assert (await verify_chain()).ok


async def test_malformed_and_out_of_order_times_and_dangling_tickets(system: Any, tmp_path: Path) -> None:
    bundle, _ = example_bundle(tmp_path)
    edit(bundle, "tickets.csv", "2026-03-06 11:00", "6 March")
    edit(bundle, "tickets.csv", "2026-03-03T16:00:00+08:00", "2026-03-01T16:00:00+08:00")
    edit(bundle, "calls.csv", "2026-03-02T08:58:20+08:00", "2026-03-02T08:50:00+08:00")
    edit(bundle, "calls.csv", "_agent01,\n", "_agent01,NO-TICKET\n")
    edit(bundle, "work_orders.csv", "2026-03-02T15:00:00+08:00", "2026-03-02T13:00:00+08:00")
    problems = await _problems(system, bundle)
    expected = [
        "tickets.csv:4: created_at: “6 March” is not an ISO 8601 timestamp",
        "tickets.csv:2: resolved_at: Must not be before created_at",
        "calls.csv:2: answered_at: Must not be before received_at",
        "calls.csv:3: ticket_number: “NO-TICKET” is not in tickets.csv",
        "work_orders.csv:2: completed_at: Must not be before arrived_at",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in problems), (start, problems)


async def test_visit_numbers_are_unique_per_ticket_among_live_work_orders(
    system: Any, tmp_path: Path
) -> None:
    bundle, prefix = example_bundle(tmp_path)
    edit(bundle, "work_orders.csv", ",2,2026-03-03T14:00", ",1,2026-03-03T14:00")
    problems = await _problems(system, bundle)
    assert problems == [
        f"work_orders.csv:3: visit_no: Visit 1 of ticket {prefix}T0001 is already work order {prefix}W0001-1."
    ]
    edit(bundle, "work_orders.csv", ",1,2026-03-03T14:00", ",2,2026-03-03T14:00")
    await import_history(system, bundle)
    (bundle / "work_orders.csv").write_text(
        "number,ticket_number,kind,outlet_code,technician_code,visit_no,arrival_due,arrived_at,"
        f"completed_at,result\n{prefix}W0009,{prefix}T0001,repair,{prefix}O01,x{prefix}_tech01,2,,,,\n",
        encoding="utf-8",
    )
    problems = await _problems(system, bundle)
    assert problems == [
        f"work_orders.csv:2: visit_no: Visit 2 of ticket {prefix}T0001 is already work order {prefix}W0001-2."
    ]


async def test_a_changed_fund_entry_is_an_error(system: Any, tmp_path: Path) -> None:
    bundle, _ = example_bundle(tmp_path)
    await import_history(system, bundle)
    edit(bundle, "fund_entries.csv", "350.50,exparts", "360.50,exparts")
    problems = await _problems(system, bundle)
    assert problems == [
        "fund_entries.csv:3: amount: A fund entry is never changed: post a reversing entry instead."
    ]
