"""Shapes at the HTTP edge for outlets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

Capacity = Annotated[int, msgspec.Meta(ge=1, le=1000)]
Codes = Annotated[list[str], msgspec.Meta(max_length=500)]


class OutletCreate(msgspec.Struct, kw_only=True):
    code: str
    name: str
    kind: str = "own"
    address: str
    region_code: str
    phone: str | None = None
    contact_name: str | None = None
    daily_capacity: Capacity = 10
    agreement_number: str | None = None
    agreement_expires: date | None = None
    region_codes: Codes = msgspec.field(default_factory=list)
    """Regions the outlet covers (each with all its descendants)."""
    categories: Codes = msgspec.field(default_factory=list)
    """Product categories it serves (ProductCategory values)."""


class OutletUpdate(msgspec.Struct, kw_only=True):
    """A partial change: only the fields given are changed."""

    name: str | UnsetType = UNSET
    kind: str | UnsetType = UNSET
    address: str | UnsetType = UNSET
    region_code: str | UnsetType = UNSET
    phone: str | UnsetType | None = UNSET
    contact_name: str | UnsetType | None = UNSET
    daily_capacity: Capacity | UnsetType = UNSET
    agreement_number: str | UnsetType | None = UNSET
    agreement_expires: date | UnsetType | None = UNSET


class CoverageWrite(msgspec.Struct, kw_only=True):
    region_codes: Codes


class CategoriesWrite(msgspec.Struct, kw_only=True):
    categories: Codes


class StatusChange(msgspec.Struct, kw_only=True):
    reason: str


class OutletRead(msgspec.Struct, kw_only=True):
    id: int
    code: str
    name: str
    kind: str
    address: str
    region_id: int
    daily_capacity: int
    is_active: bool
    phone: str | None = None
    contact_name: str | None = None
    agreement_number: str | None = None
    agreement_expires: date | None = None
    coverage: list[str] = msgspec.field(default_factory=list)
    """Codes of the regions listed (descendants are covered too)."""
    categories: list[str] = msgspec.field(default_factory=list)
    staff_count: int = 0
    """People working there today."""


class MembershipCreate(msgspec.Struct, kw_only=True):
    username: str
    is_manager: bool = False
    since: date | None = None


class MembershipEnd(msgspec.Struct, kw_only=True):
    until: date | None = None
    """Last working day (default: today)."""


class MemberRead(msgspec.Struct, kw_only=True):
    membership_id: int
    user_id: int
    name: str
    role: str
    is_manager: bool
    since: date
    until: date | None


class InspectionCreate(msgspec.Struct, kw_only=True):
    inspected_on: date
    score: int
    findings: str = ""
    inspector_username: str | None = None
    """Who inspected (default: the person recording it)."""


class InspectionRead(msgspec.Struct, kw_only=True):
    id: int
    outlet_id: int
    inspected_on: date
    inspector_id: int
    inspector_name: str
    score: int
    findings: str
    created_at: datetime
