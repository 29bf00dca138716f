"""Read-only queries over people and master data, used by pages, the API and other domains."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from service_ops import clock
from service_ops.choices import WarrantyState
from service_ops.errors import Invalid, NotFound
from service_ops.schemas import CustomerRead, ProductModelRead, RegionRead, UnitRead, UserRead
from service_ops.tables import (
    AuditEvent,
    Customer,
    CustomerPhone,
    Notification,
    ProductModel,
    Region,
    Unit,
    User,
)
from service_ops.validation import phone_search_digits

SEARCH_LIMIT = 20


def warranty_end(purchase_date: date, warranty_months: int) -> date:
    """The last day covered: purchase date plus the model's warranty months."""
    return clock.add_months(purchase_date, warranty_months)


def warranty_state(end: date, on: date | None = None) -> WarrantyState:
    return WarrantyState.IN_WARRANTY if (on or clock.today()) <= end else WarrantyState.OUT_OF_WARRANTY


async def find_customer_ids(term: str) -> list[int]:
    """Customers matching a phone (full or leading digits), a serial number, or a name prefix."""
    term = term.strip()
    if not term:
        return []
    ids: list[int] = []
    digits = phone_search_digits(term)
    if digits:
        phone_match = (
            CustomerPhone.phone == digits if len(digits) >= 11 else (CustomerPhone.phone.like(digits + "%"))
        )
        rows = await CustomerPhone.select(CustomerPhone.customer).where(phone_match).limit(SEARCH_LIMIT)
        ids += [row["customer"] for row in rows]
    serial_rows = (
        await Unit.select(Unit.customer).where(Unit.serial_number == term.upper()).limit(SEARCH_LIMIT)
    )
    ids += [row["customer"] for row in serial_rows]
    if not ids and not digits:
        name_rows = (
            await Customer.select(Customer.id).where(Customer.name.like(term + "%")).limit(SEARCH_LIMIT)
        )
        ids += [row["id"] for row in name_rows]
    return list(dict.fromkeys(ids))[:SEARCH_LIMIT]


async def customers_by_ids(ids: list[int]) -> list[CustomerRead]:
    if not ids:
        return []
    rows = await Customer.select(
        Customer.id, Customer.name, Customer.address, Customer.region, Customer.region.name
    ).where(Customer.id.is_in(ids))
    phones = (
        await CustomerPhone.select(CustomerPhone.customer, CustomerPhone.phone)
        .where(CustomerPhone.customer.is_in(ids))
        .order_by(CustomerPhone.id)
    )
    by_customer: dict[int, list[str]] = {}
    for phone in phones:
        by_customer.setdefault(phone["customer"], []).append(phone["phone"])
    order = {customer_id: index for index, customer_id in enumerate(ids)}
    return sorted(
        (
            CustomerRead(
                id=row["id"],
                name=row["name"],
                address=row["address"],
                region_id=row["region"],
                region_name=row["region.name"],
                phones=by_customer.get(row["id"], []),
            )
            for row in rows
        ),
        key=lambda customer: order[customer.id],
    )


async def get_customer(customer_id: int) -> CustomerRead:
    found = await customers_by_ids([customer_id])
    if not found:
        raise NotFound("Customer {id} not found.", id=customer_id)
    return found[0]


async def search_customers(term: str) -> list[CustomerRead]:
    return await customers_by_ids(await find_customer_ids(term))


def _unit_read(row: dict[str, Any]) -> UnitRead:
    end = warranty_end(row["purchase_date"], row["model.warranty_months"])
    return UnitRead(
        id=row["id"],
        serial_number=row["serial_number"],
        model_code=row["model.code"],
        model_name=row["model.name"],
        category=row["model.category"],
        customer_id=row["customer"],
        purchase_date=row["purchase_date"],
        install_date=row["install_date"],
        warranty_end=end,
        warranty_state=warranty_state(end),
    )


_UNIT_COLUMNS = (
    Unit.id,
    Unit.serial_number,
    Unit.customer,
    Unit.purchase_date,
    Unit.install_date,
    Unit.model.code,
    Unit.model.name,
    Unit.model.category,
    Unit.model.warranty_months,
)


async def units_of_customer(customer_id: int) -> list[UnitRead]:
    rows = await Unit.select(*_UNIT_COLUMNS).where(Unit.customer == customer_id).order_by(Unit.id)
    return [_unit_read(row) for row in rows]


async def get_unit(unit_id: int) -> UnitRead:
    row = await Unit.select(*_UNIT_COLUMNS).where(Unit.id == unit_id).first()
    if row is None:
        raise NotFound("Unit {id} not found.", id=unit_id)
    return _unit_read(row)


async def get_unit_by_serial(serial: str) -> UnitRead:
    row = await Unit.select(*_UNIT_COLUMNS).where(Unit.serial_number == serial.strip().upper()).first()
    if row is None:
        raise NotFound("No unit with serial number “{serial}”.", serial=serial[:40])
    return _unit_read(row)


def region_read(row: dict[str, Any]) -> RegionRead:
    """A region row (columns named as on the region table) at the HTTP edge."""
    return RegionRead(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        level=row["level"],
        parent_id=row["parent"],
        is_sales_region=row["is_sales_region"],
        service_class=row["service_class"],
    )


async def list_regions() -> list[RegionRead]:
    return [region_read(row) for row in await Region.select().order_by(Region.code)]


async def region_service_class(region_id: int) -> str:
    row = await Region.select(Region.service_class).where(Region.id == region_id).first()
    if row is None:
        raise NotFound("Region {id} not found.", id=region_id)
    return str(row["service_class"])


async def active_user_ids(*roles: str) -> list[int]:
    """Ids of the active users holding any of these roles (who to notify, who may be chosen)."""
    rows = (
        await User.select(User.id)
        .where(User.role.is_in(list(roles)) & User.is_active.eq(True))
        .order_by(User.id)
    )
    return [row["id"] for row in rows]


async def list_users() -> list[UserRead]:
    rows = await User.select().order_by(User.username)
    return [
        UserRead(
            id=r["id"],
            username=r["username"],
            display_name=r["display_name"],
            role=r["role"],
            locale=r["locale"],
            is_active=r["is_active"],
        )
        for r in rows
    ]


async def audit_events_for(entity: str, entity_id: object) -> list[dict[str, Any]]:
    """The audit trail of one record, oldest first (shown on detail pages)."""
    return list(
        await AuditEvent.select(
            AuditEvent.seq, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.reason
        )
        .where((AuditEvent.entity == entity) & (AuditEvent.entity_id == str(entity_id)))
        .order_by(AuditEvent.seq)
    )


async def region_id_for_code(code: str) -> int:
    row = await Region.select(Region.id).where(Region.code == code.strip()).first()
    if row is None:
        raise Invalid("Unknown region code “{code}”.", field="region_code", code=code[:20])
    return int(row["id"])


async def list_product_models() -> list[ProductModelRead]:
    rows = await ProductModel.select().order_by(ProductModel.code)
    return [
        ProductModelRead(
            id=r["id"],
            code=r["code"],
            name=r["name"],
            category=r["category"],
            warranty_months=r["warranty_months"],
        )
        for r in rows
    ]


async def unread_notifications(user_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The user's unread notifications, newest first (message ids untranslated, params parsed)."""
    rows = await (
        Notification.select()
        .where((Notification.user == user_id) & Notification.read_at.is_null())
        .order_by(Notification.id, ascending=False)
        .limit(limit)
    )
    return [{**row, "params": json.loads(row["params"])} for row in rows]
