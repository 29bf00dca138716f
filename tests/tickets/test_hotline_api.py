"""The hotline flow through the JSON API: search the caller, log the call, open a repair ticket."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from service_ops.tables import AuditEvent, OutboxMessage
from tests.conftest import run_jobs
from tickets.tables import Ticket


async def test_agent_takes_call_and_opens_repair_ticket(api_client: Any, world: dict[str, Any]) -> None:
    client = await api_client("agent")

    screen = await client.get("/api/call-screen", params={"q": world["phone"]})
    assert screen.status_code == 200, screen.text
    [caller] = screen.json()
    assert caller["customer_id"] == world["customer_id"]
    assert caller["units"][0]["serial_number"] == world["serial"]
    assert caller["units"][0]["warranty_state"] == "in_warranty"

    call = await client.post(
        "/api/calls", json={"phone": world["phone"], "customer_id": world["customer_id"]}
    )
    assert call.status_code == 201, call.text
    call_id = call.json()["id"]
    assert call.json()["answered_at"] is not None

    created = await client.post(
        "/api/tickets",
        json={
            "kind": "repair",
            "customer_id": world["customer_id"],
            "unit_id": world["unit_id"],
            "call_id": call_id,
            "description": "空调不制冷",
        },
    )
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert ticket["number"].startswith("T")
    assert ticket["status"] == "new"
    created_at = datetime.fromisoformat(ticket["created_at"])
    assert datetime.fromisoformat(ticket["response"]["due"]) > created_at
    assert datetime.fromisoformat(ticket["arrival"]["due"]) > created_at
    assert datetime.fromisoformat(ticket["resolution"]["due"]) >= datetime.fromisoformat(
        ticket["arrival"]["due"]
    )

    responded = await client.post(f"/api/tickets/{ticket['id']}/first-response")
    assert responded.status_code == 201, responded.text
    assert responded.json()["response"]["state"] == "met"

    ended = await client.post(f"/api/calls/{call_id}/end")
    assert ended.json()["ended_at"] is not None

    history = (await client.get("/api/call-screen", params={"q": world["serial"]})).json()
    assert history[0]["tickets"][0]["number"] == ticket["number"]

    actions = [
        row["action"]
        for row in await AuditEvent.select(AuditEvent.action).where(
            (AuditEvent.entity == "ticket") & (AuditEvent.entity_id == str(ticket["id"]))
        )
    ]
    assert actions == ["tickets.ticket_created", "tickets.first_response_recorded"]

    await run_jobs()
    assert await OutboxMessage.exists().where(
        (OutboxMessage.entity == "ticket") & (OutboxMessage.entity_id == str(ticket["id"]))
    )


async def test_replayed_create_returns_the_same_ticket(api_client: Any, world: dict[str, Any]) -> None:
    client = await api_client("agent")
    body = {
        "kind": "repair",
        "customer_id": world["customer_id"],
        "unit_id": world["unit_id"],
        "description": "异响",
    }
    headers = {"Idempotency-Key": "retry-key-0001-" + world["serial"]}
    first = await client.post("/api/tickets", json=body, headers=headers)
    second = await client.post("/api/tickets", json=body, headers=headers)
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert await Ticket.count().where(Ticket.customer == world["customer_id"]) == 1


async def test_bad_input_gets_a_clear_4xx_and_writes_nothing(api_client: Any, world: dict[str, Any]) -> None:
    client = await api_client("agent")
    before = await Ticket.count()
    events_before = await AuditEvent.count()
    cases: list[tuple[dict[str, Any], int, str]] = [
        (
            {"kind": "repair", "customer_id": 999999, "unit_id": world["unit_id"], "description": "x"},
            400,
            "customer",
        ),
        ({"kind": "repair", "customer_id": world["customer_id"], "description": "x"}, 400, "unit"),
        (
            {
                "kind": "repair",
                "customer_id": world["customer_id"],
                "unit_id": world["unit_id"],
                "description": " ",
            },
            400,
            "description",
        ),
        (
            {
                "kind": "repair",
                "customer_id": world["customer_id"],
                "unit_id": world["unit_id"],
                "description": "x",
                "arrival_due": (datetime.now().astimezone() - timedelta(hours=1)).isoformat(),
            },
            400,
            "arrival",
        ),
        ({"kind": "teleport", "customer_id": world["customer_id"], "description": "x"}, 400, "kind"),
    ]
    for body, status, word in cases:
        response = await client.post("/api/tickets", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert word in response.text.lower(), response.text
    assert await Ticket.count() == before
    assert await AuditEvent.count() == events_before


async def test_duplicate_external_ticket_number_is_a_conflict(api_client: Any, world: dict[str, Any]) -> None:
    client = await api_client("agent")
    number = "EXT-" + world["serial"][-8:]
    body = {
        "kind": "consult",
        "customer_id": world["customer_id"],
        "description": "保修咨询",
        "number": number,
    }
    assert (await client.post("/api/tickets", json=body)).status_code == 201
    again = await client.post("/api/tickets", json=body)
    assert again.status_code == 409
    assert number in again.json()["detail"]


async def test_malformed_phone_is_rejected(api_client: Any, world: dict[str, Any]) -> None:
    client = await api_client("agent")
    response = await client.post("/api/calls", json={"phone": "12345"})
    assert response.status_code == 400
    assert "12345" in response.json()["detail"]


async def test_role_without_rights_gets_403(api_client: Any, world: dict[str, Any]) -> None:
    client = await api_client("technician")
    response = await client.post(
        "/api/tickets", json={"kind": "consult", "customer_id": world["customer_id"], "description": "x"}
    )
    assert response.status_code == 403
    auditor = await api_client("auditor")
    assert (await auditor.get("/api/tickets")).status_code == 200
    assert (await auditor.post("/api/calls", json={"phone": world["phone"]})).status_code == 403


async def test_nul_characters_are_refused_on_every_engine(api_client: Any, world: dict[str, Any]) -> None:
    """PostgreSQL cannot store NUL in text; the API refuses it with a 400 everywhere instead of failing."""
    client = await api_client("agent")
    events = await AuditEvent.count()
    body = {"kind": "consult", "customer_id": world["customer_id"], "description": "a\u0000b"}
    assert (await client.post("/api/tickets", json=body)).status_code == 400
    assert (await client.get("/api/customers", params={"q": "13\x00"})).status_code == 400
    assert (await client.post("/api/tokens", json={"name": "x\u0000"})).status_code == 400
    assert await AuditEvent.count() == events


async def test_cancelled_ticket_clocks_stop(api_client: Any, world: dict[str, Any]) -> None:
    client = await api_client("agent")
    body = {
        "kind": "repair",
        "customer_id": world["customer_id"],
        "unit_id": world["unit_id"],
        "description": "x",
    }
    ticket = (await client.post("/api/tickets", json=body)).json()
    assert ticket["resolution"]["state"] == "running"
    cancelled = (await client.post(f"/api/tickets/{ticket['id']}/cancel", json={"reason": "重复报修"})).json()
    assert cancelled["status"] == "cancelled"
    assert {cancelled[name]["state"] for name in ("response", "arrival", "resolution")} == {"stopped"}
    again = await client.post(f"/api/tickets/{ticket['id']}/cancel", json={"reason": "再次"})
    assert again.status_code == 409
