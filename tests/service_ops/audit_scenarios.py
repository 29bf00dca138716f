"""Audit scenarios for service_ops.services (see tests/audit_scenarios.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from service_ops import queries, services
from service_ops.choices import ProductCategory, Role
from service_ops.schemas import (
    CustomerCreate,
    CustomerRegistration,
    NewUnit,
    ProductModelCreate,
    RegionCreate,
    UnitCreate,
    UserCreate,
)
from tests.audit_scenarios import Scenarios, agent, as_agent
from tests.conftest import unique


async def _revoke(ctx: dict[str, Any]) -> None:
    holder = await agent(ctx)
    issued = await services.issue_api_token(holder, "x")
    await services.revoke_api_token(holder, issued.id)


async def _mark_read(ctx: dict[str, Any]) -> int:
    reader = await agent(ctx)
    assert reader.user_id is not None
    await services.notify(ctx["system"], reader.user_id, "Hello", "test", unique("n"))
    unread = await queries.unread_notifications(reader.user_id)
    return await services.mark_notifications_read(reader, [row["id"] for row in unread])


async def _notify(ctx: dict[str, Any]) -> bool:
    reader = await agent(ctx)
    assert reader.user_id is not None
    return await services.notify(
        ctx["system"],
        reader.user_id,
        "Certificate {number} expires on {day}.",
        "certificate",
        unique("c"),
        number="C-1",
        day="2026-12-01",
    )


def _customer(ctx: dict[str, Any], phone: str) -> CustomerCreate:
    return CustomerCreate(name="客", address="路", region_code=ctx["world"]["region_code"], phones=[phone])


SCENARIOS: Scenarios = {
    "service_ops.services.create_user": (
        "service_ops.user_created",
        lambda ctx: services.create_user(
            ctx["system"],
            UserCreate(username=unique("u"), display_name="u", password="long-enough-1", role=Role.AGENT),
        ),
    ),
    "service_ops.services.set_user_locale": (
        "service_ops.user_locale_set",
        lambda ctx: as_agent(ctx, lambda a: services.set_user_locale(a, "en")),
    ),
    "service_ops.services.issue_api_token": (
        "service_ops.api_token_issued",
        lambda ctx: as_agent(ctx, lambda a: services.issue_api_token(a, "t")),
    ),
    "service_ops.services.revoke_api_token": ("service_ops.api_token_revoked", _revoke),
    "service_ops.services.create_region": (
        "service_ops.region_created",
        lambda ctx: services.create_region(
            ctx["system"], RegionCreate(code=unique("G")[-12:], name="区", level="county")
        ),
    ),
    "service_ops.services.create_customer": (
        "service_ops.customer_created",
        lambda ctx: services.create_customer(ctx["system"], _customer(ctx, "13700000001")),
    ),
    "service_ops.services.create_product_model": (
        "service_ops.product_model_created",
        lambda ctx: services.create_product_model(
            ctx["system"],
            ProductModelCreate(code=unique("P"), name="机", category=ProductCategory.TELEVISION),
        ),
    ),
    "service_ops.services.register_unit": (
        "service_ops.unit_registered",
        lambda ctx: services.register_unit(
            ctx["system"],
            UnitCreate(
                serial_number=unique("SN"),
                model_code=ctx["world"]["model_code"],
                customer_id=ctx["world"]["customer_id"],
                purchase_date=date(2025, 1, 1),
            ),
        ),
    ),
    "service_ops.services.register_customer": (
        "service_ops.unit_registered",
        lambda ctx: services.register_customer(
            ctx["system"],
            CustomerRegistration(
                customer=_customer(ctx, "13700000002"),
                unit=NewUnit(
                    serial_number=unique("SN"),
                    model_code=ctx["world"]["model_code"],
                    purchase_date=date(2025, 1, 1),
                ),
            ),
        ),
    ),
    "service_ops.services.queue_customer_message": (
        "service_ops.message_queued",
        lambda ctx: services.queue_customer_message(
            ctx["system"], "13700000001", "hello", "test", unique("e")
        ),
    ),
    "service_ops.services.notify": ("service_ops.notification_sent", _notify),
    "service_ops.services.mark_notifications_read": ("service_ops.notifications_read", _mark_read),
}
