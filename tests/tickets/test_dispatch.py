"""Dispatch: ranking with reasons, offer, refusal and automatic re-dispatch, acceptance, assignment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from service_ops import clock
from service_ops.audit import verify_chain
from service_ops.errors import Conflict, Invalid, PermissionDenied
from service_ops.tables import AuditEvent, Notification
from tests.conftest import run_jobs
from tests.outlets.network import (
    join,
    qualified_technician,
    retire_course,
)
from tests.tickets.field import build_network, new_field_ticket
from tickets import services
from tickets.dispatch_controllers import candidates
from tickets.tables import Ticket, TicketDispatch


@pytest.fixture
async def network(system: Any, make_user: Any, world: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    built = await build_network(system, make_user)
    yield built
    await retire_course(system, built["course_id"])


async def _manager_actor(network: dict[str, Any], name: str) -> Any:
    from service_ops.auth import load_actor

    return await load_actor(network[f"{name}_manager"].user_id)


async def test_ranking_explains_every_outlet(make_user: Any, network: dict[str, Any]) -> None:
    ticket_id = await new_field_ticket(make_user, network)
    ranking = await candidates(ticket_id)
    ours = {c.outlet_id: c for c in ranking if c.outlet_id in (network["near"], network["far"])}
    assert set(ours) == {network["near"], network["far"]}
    assert all(c.eligible and c.reasons for c in ours.values())
    assert sum(c.suggested for c in ranking) == 1
    assert [c.eligible for c in ranking] == sorted((c.eligible for c in ranking), reverse=True)
    assert all(c.reasons for c in ranking if not c.eligible), "an outlet left out says why"


async def test_refusal_redispatches_to_the_next_outlet_then_accept_and_assign(
    make_user: Any, network: dict[str, Any]
) -> None:
    dispatcher = await make_user("dispatcher")
    ticket_id = await new_field_ticket(make_user, network)
    await services.dispatch_ticket(dispatcher, ticket_id, network["near"])
    ticket = await Ticket.objects().get(Ticket.id == ticket_id)
    assert (ticket.status, ticket.outlet) == ("dispatched", network["near"])
    assert ticket.dispatched_at is not None and ticket.accept_due > ticket.dispatched_at

    near = await _manager_actor(network, "near")
    with pytest.raises(Invalid):
        await services.refuse_dispatch(near, ticket_id, "  ")
    await services.refuse_dispatch(near, ticket_id, "师傅都在外地")
    ticket = await Ticket.objects().get(Ticket.id == ticket_id)
    assert (ticket.status, ticket.outlet) == ("dispatched", network["far"]), (
        "re-dispatched, not to the refuser"
    )
    assert network["near"] not in {c.outlet_id for c in await candidates(ticket_id) if c.eligible}

    far = await _manager_actor(network, "far")
    with pytest.raises(PermissionDenied):
        await services.accept_dispatch(near, ticket_id)
    await services.accept_dispatch(far, ticket_id)
    with pytest.raises(Conflict):
        await services.accept_dispatch(far, ticket_id)

    with pytest.raises(Invalid):
        await services.assign_technician(far, ticket_id, network["unqualified"].user_id)
    await services.assign_technician(far, ticket_id, network["far_tech"].user_id)
    ticket = await Ticket.objects().get(Ticket.id == ticket_id)
    assert (ticket.status, ticket.technician) == ("accepted", network["far_tech"].user_id)
    assert ticket.accepted_at is not None and ticket.assigned_at is not None

    offers = (
        await TicketDispatch.select().where(TicketDispatch.ticket == ticket_id).order_by(TicketDispatch.id)
    )
    assert [(o["outlet"], o["decision"], o["mode"]) for o in offers] == [
        (network["near"], "refused", "suggested" if offers[0]["rank"] == 1 else "chosen"),
        (network["far"], "accepted", "redispatch"),
    ]
    actions = [
        r["action"]
        for r in await AuditEvent.select(AuditEvent.action)
        .where((AuditEvent.entity == "ticket") & (AuditEvent.entity_id == str(ticket_id)))
        .order_by(AuditEvent.seq)
    ]
    assert actions == [
        "tickets.ticket_created",
        "tickets.ticket_dispatched",
        "tickets.dispatch_refused",
        "tickets.ticket_dispatched",
        "tickets.dispatch_accepted",
        "tickets.technician_assigned",
    ]
    assert (await verify_chain()).ok


async def test_refused_by_everyone_returns_to_the_queue_and_tells_dispatchers(
    make_user: Any, network: dict[str, Any]
) -> None:
    dispatcher = await make_user("dispatcher")
    ticket_id = await new_field_ticket(make_user, network)
    await services.dispatch_ticket(dispatcher, ticket_id, network["far"])
    await services.refuse_dispatch(await _manager_actor(network, "far"), ticket_id, "满负荷")
    await services.refuse_dispatch(await _manager_actor(network, "near"), ticket_id, "无备件")
    assert [c for c in await candidates(ticket_id) if c.eligible] == [], "both covering outlets refused"
    ticket = await Ticket.objects().get(Ticket.id == ticket_id)
    assert (ticket.status, ticket.outlet) == ("new", None)
    assert await Notification.exists().where(
        (Notification.user == dispatcher.user_id) & (Notification.entity_id == str(ticket_id))
    )


async def test_two_managers_accepting_at_once_one_wins(make_user: Any, network: dict[str, Any]) -> None:
    dispatcher = await make_user("dispatcher")
    ticket_id = await new_field_ticket(make_user, network)
    await services.dispatch_ticket(dispatcher, ticket_id, network["near"])
    near = await _manager_actor(network, "near")
    second = await join(network_system(), make_user, network["near"], role="outlet_manager", is_manager=True)
    from service_ops.auth import load_actor

    results = await asyncio.gather(
        services.accept_dispatch(near, ticket_id),
        services.accept_dispatch(await load_actor(second.user_id), ticket_id),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]


async def test_double_assignment_one_wins(make_user: Any, network: dict[str, Any], system: Any) -> None:
    dispatcher = await make_user("dispatcher")
    ticket_id = await new_field_ticket(make_user, network)
    await services.dispatch_ticket(dispatcher, ticket_id, network["near"])
    near = await _manager_actor(network, "near")
    await services.accept_dispatch(near, ticket_id)
    other = await qualified_technician(system, make_user, network["near"])
    results = await asyncio.gather(
        services.assign_technician(near, ticket_id, network["near_tech"].user_id),
        services.assign_technician(near, ticket_id, other.user_id),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]


async def test_service_manager_override_is_flagged(make_user: Any, network: dict[str, Any]) -> None:
    dispatcher = await make_user("dispatcher")
    manager = await make_user("service_manager")
    ticket_id = await new_field_ticket(make_user, network)
    await services.dispatch_ticket(dispatcher, ticket_id, network["near"])
    await services.accept_dispatch(await _manager_actor(network, "near"), ticket_id)
    with pytest.raises(Invalid, match="override"):
        await services.assign_technician(manager, ticket_id, network["unqualified"].user_id)
    await services.assign_technician(
        manager, ticket_id, network["unqualified"].user_id, "客户指定师傅，已现场指导"
    )
    event = (
        await AuditEvent.select()
        .where(
            (AuditEvent.entity_id == str(ticket_id)) & (AuditEvent.action == "tickets.technician_assigned")
        )
        .first()
    )
    assert '"qualification_override":true' in event["after"] and event["reason"].startswith("客户指定")


async def test_dispatch_to_an_inactive_outlet_is_refused(
    make_user: Any, network: dict[str, Any], system: Any
) -> None:
    from outlets import services as outlet_services

    dispatcher = await make_user("dispatcher")
    ticket_id = await new_field_ticket(make_user, network)
    await outlet_services.deactivate_outlet(system, network["far"], "停业整顿")
    await run_jobs()  # the ticket's confirmation job writes its own event; let it finish first
    events = await AuditEvent.count()
    with pytest.raises(Invalid):
        await services.dispatch_ticket(dispatcher, ticket_id, network["far"])
    assert await AuditEvent.count() == events
    await outlet_services.activate_outlet(system, network["far"], "恢复营业")


async def test_expiring_certificate_drops_the_outlet_the_next_day(
    make_user: Any, network: dict[str, Any], system: Any
) -> None:
    """The far outlet's only technician's certificate ends today: eligible today, not tomorrow."""
    from training import services as training_services
    from training.tables import Certificate

    far_tech = network["far_tech"].user_id
    for row in await Certificate.select(Certificate.id).where(Certificate.user == far_tech):
        await training_services.revoke_certificate(system, row["id"], "换发短期证书")
    from tests.outlets.network import certify

    await certify(system, far_tech, expires_on=clock.today())
    ticket_id = await new_field_ticket(make_user, network)
    assert network["far"] in {c.outlet_id for c in await candidates(ticket_id) if c.eligible}
    with clock.frozen_at(clock.now() + timedelta(days=1)):
        tomorrow = {c.outlet_id: c for c in await candidates(ticket_id)}
    assert not tomorrow[network["far"]].eligible
    assert tomorrow[network["near"]].eligible


def network_system() -> Any:
    from service_ops.actor import system_actor

    return system_actor("tests")


async def test_dispatch_api_flow(api_client: Any, make_user: Any, network: dict[str, Any]) -> None:
    ticket_id = await new_field_ticket(make_user, network)
    client = await api_client("dispatcher")
    ranking = (await client.get(f"/api/tickets/{ticket_id}/candidates")).json()
    suggested = next(c for c in ranking if c["suggested"])
    dispatched = await client.post(
        f"/api/tickets/{ticket_id}/dispatch", json={"outlet_id": suggested["outlet_id"]}
    )
    assert dispatched.status_code == 201, dispatched.text
    assert dispatched.json()["status"] == "dispatched"
    assert dispatched.json()["acceptance"]["state"] in ("running", "near_breach")
    again = await client.post(
        f"/api/tickets/{ticket_id}/dispatch", json={"outlet_id": suggested["outlet_id"]}
    )
    assert again.status_code == 409
    queue = (await client.get("/api/dispatch/queue")).json()
    assert ticket_id not in {t["id"] for t in queue}


async def test_on_time_rate_counts_answers_by_their_deadline(make_user: Any, network: dict[str, Any]) -> None:
    """An offer answered in time counts as met; one answered after its deadline does not."""
    from tickets.dispatch_queries import on_time_rates

    dispatcher = await make_user("dispatcher")
    start = clock.now() - timedelta(days=2)
    with clock.frozen_at(start):
        on_time = await new_field_ticket(make_user, network)
        late = await new_field_ticket(make_user, network)
        await services.dispatch_ticket(dispatcher, on_time, network["near"])
        await services.dispatch_ticket(dispatcher, late, network["near"])
        await services.accept_dispatch(await _manager_actor(network, "near"), on_time)
    with clock.frozen_at(start + timedelta(days=1)):
        await services.accept_dispatch(await _manager_actor(network, "near"), late)
    assert (await on_time_rates(since=start - timedelta(minutes=1)))[network["near"]] == 0.5


async def test_outlet_jobs_page_lists_the_outlets_open_jobs(
    as_browser: Any, make_user: Any, network: dict[str, Any]
) -> None:
    from tests.conftest import PASSWORD

    dispatcher = await make_user("dispatcher")
    ticket_id = await new_field_ticket(make_user, network)
    await services.dispatch_ticket(dispatcher, ticket_id, network["near"])
    number = (await Ticket.select(Ticket.number).where(Ticket.id == ticket_id).first())["number"]
    await as_browser.login(dispatcher.username, PASSWORD)
    page = await as_browser.client.get(f"/outlets/{network['near']}/jobs")
    assert page.status_code == 200 and number in page.text
    assert 'data-action="accept"' not in page.text, "read-only for a dispatcher"
