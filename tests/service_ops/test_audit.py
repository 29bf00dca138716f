"""The audit trail is append-only, hash-chained, and verification names the first altered event."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from service_ops import services
from service_ops.audit import GENESIS_HASH, PendingEvent, append_events, verify_chain
from service_ops.errors import Invalid
from service_ops.schemas import CustomerCreate
from service_ops.tables import AuditEvent, Customer
from service_ops.uow import unit_of_work
from tests.conftest import engine_name


async def _raw(sql: str) -> Any:
    return await AuditEvent.raw(sql)


async def test_chain_links_every_event_to_the_previous_one(world: dict[str, Any]) -> None:
    rows = await AuditEvent.select().order_by(AuditEvent.seq)
    assert rows[0]["prev_hash"] == GENESIS_HASH
    for previous, current in itertools.pairwise(rows):
        assert current["prev_hash"] == previous["hash"]
    assert (await verify_chain()).ok


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"])
async def test_database_rejects_update_and_delete(world: dict[str, Any], statement: str) -> None:
    with pytest.raises(Exception, match="append-only"):
        await _raw(statement)
    assert (await verify_chain()).ok


async def _bypass_trigger_and_set_action(seq: int, action: str) -> None:
    """Edit one row the way a superuser could, with the protection switched off for a moment."""
    if engine_name() == "postgres":
        await _raw("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete")
        await AuditEvent.raw("UPDATE audit_event SET action = {} WHERE seq = {}", action, seq)
        await _raw("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete")
    else:
        await _raw("DROP TRIGGER audit_event_no_update")
        await AuditEvent.raw("UPDATE audit_event SET action = {} WHERE seq = {}", action, seq)
        await _raw(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only (UPDATE rejected)'); END"
        )


async def test_verify_names_the_tampered_row(world: dict[str, Any]) -> None:
    target = (
        await AuditEvent.select(AuditEvent.seq, AuditEvent.action).order_by(AuditEvent.seq).offset(2).first()
    )
    assert target is not None
    await _bypass_trigger_and_set_action(target["seq"], "service_ops.nothing_to_see_here")
    try:
        result = await verify_chain()
        assert not result.ok
        assert result.broken_seq == target["seq"]
    finally:
        await _bypass_trigger_and_set_action(target["seq"], target["action"])
    assert (await verify_chain()).ok


async def test_events_are_written_only_inside_a_transaction() -> None:
    from datetime import UTC, datetime

    event = PendingEvent(
        at=datetime.now(UTC),
        actor="x",
        action="x",
        entity="x",
        entity_id="1",
        before=None,
        after=None,
        reason=None,
        request_id=None,
    )
    with pytest.raises(RuntimeError, match="inside a transaction"):
        await append_events([event])


async def test_a_failed_service_call_writes_neither_record_nor_event(
    system: Any, world: dict[str, Any]
) -> None:
    customers, events = await Customer.count(), await AuditEvent.count()
    with pytest.raises(Invalid):
        await services.create_customer(
            system,
            CustomerCreate(
                name="半截", address="某路", region_code=world["region_code"], phones=["13900000000", "bad"]
            ),
        )
    assert await Customer.count() == customers
    assert await AuditEvent.count() == events


async def test_unit_of_work_without_an_event_is_refused(system: Any) -> None:
    events = await AuditEvent.count()
    with pytest.raises(RuntimeError, match="at least one audit event"):
        async with unit_of_work(system):
            pass
    assert await AuditEvent.count() == events


async def test_event_carries_actor_time_and_before_after(api_client: Any, world: dict[str, Any]) -> None:
    client = await api_client("agent")
    created = (
        await client.post(
            "/api/tickets",
            json={"kind": "consult", "customer_id": world["customer_id"], "description": "咨询"},
        )
    ).json()
    await client.post(f"/api/tickets/{created['id']}/cancel", json={"reason": "客户挂断"})
    event = (
        await AuditEvent.select()
        .where(
            (AuditEvent.entity == "ticket")
            & (AuditEvent.entity_id == str(created["id"]))
            & (AuditEvent.action == "tickets.ticket_cancelled")
        )
        .first()
    )
    assert event is not None
    assert event["actor"].startswith("agent")
    assert '"status":"new"' in event["before"] and '"status":"cancelled"' in event["after"]
    assert event["reason"] == "客户挂断"
    assert event["request_id"]


async def test_cli_verify_reports_ok_then_names_the_altered_row(world: dict[str, Any]) -> None:
    """`service-ops audit verify` as an operator runs it, against this run's database."""
    import asyncio
    import os
    import sys
    from pathlib import Path

    command = [str(Path(sys.executable).parent / "service-ops"), "audit", "verify"]

    async def run() -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            *command, env=os.environ.copy(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
        )
        output, _ = await process.communicate()
        return process.returncode or 0, output.decode()

    code, output = await run()
    assert code == 0 and output.startswith("OK"), output
    target = (
        await AuditEvent.select(AuditEvent.seq, AuditEvent.action).order_by(AuditEvent.seq).offset(1).first()
    )
    assert target is not None
    await _bypass_trigger_and_set_action(target["seq"], "service_ops.forged")
    try:
        code, output = await run()
    finally:
        await _bypass_trigger_and_set_action(target["seq"], target["action"])
    assert code == 1
    assert f"seq {target['seq']}" in output
