"""Shapes at the HTTP edge for people and master data (msgspec Structs, never ORM rows)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from service_ops.choices import ProductCategory, Role, ServiceClass, WarrantyState

Id = Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)]
"""A record id in a request body (bounded like a database integer)."""


class UserCreate(msgspec.Struct, kw_only=True):
    username: str
    display_name: str
    password: str
    role: Role
    phone: str | None = None
    locale: str | None = None
    is_management: bool = False
    hired_on: date | None = None


class UserRead(msgspec.Struct, kw_only=True):
    id: int
    username: str
    display_name: str
    role: Role
    locale: str | None
    is_active: bool


class ApiTokenCreate(msgspec.Struct, kw_only=True):
    name: str


class ApiTokenIssued(msgspec.Struct, kw_only=True):
    id: int
    name: str
    token: str


class RegionCreate(msgspec.Struct, kw_only=True):
    code: str
    name: str
    level: str
    parent_code: str | None = None
    is_sales_region: bool = False
    service_class: ServiceClass = ServiceClass.URBAN


class RegionRead(msgspec.Struct, kw_only=True):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    is_sales_region: bool
    service_class: str


class CustomerCreate(msgspec.Struct, kw_only=True):
    name: str
    address: str
    region_code: str
    phones: list[str]


class CustomerRead(msgspec.Struct, kw_only=True):
    id: int
    name: str
    address: str
    region_id: int
    region_name: str
    phones: list[str]


class ProductModelCreate(msgspec.Struct, kw_only=True):
    code: str
    name: str
    category: ProductCategory
    warranty_months: Annotated[int, msgspec.Meta(ge=0, le=240)] = 12


class ProductModelRead(msgspec.Struct, kw_only=True):
    id: int
    code: str
    name: str
    category: str
    warranty_months: int


class UnitCreate(msgspec.Struct, kw_only=True):
    serial_number: str
    model_code: str
    customer_id: Id
    purchase_date: date
    install_date: date | None = None


class UnitRead(msgspec.Struct, kw_only=True):
    id: int
    serial_number: str
    model_code: str
    model_name: str
    category: str
    customer_id: Id
    purchase_date: date
    install_date: date | None
    warranty_end: date
    warranty_state: WarrantyState


class NewUnit(msgspec.Struct, kw_only=True):
    """A unit registered together with its (new) customer."""

    serial_number: str
    model_code: str
    purchase_date: date
    install_date: date | None = None


class CustomerRegistration(msgspec.Struct, kw_only=True):
    """A new caller: the customer and, usually, the unit they call about — written together."""

    customer: CustomerCreate
    unit: NewUnit | None = None


class NotificationIds(msgspec.Struct, kw_only=True):
    ids: Annotated[list[Id], msgspec.Meta(max_length=500)]
