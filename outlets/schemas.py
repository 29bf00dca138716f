"""Shapes at the HTTP edge for outlets."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec


class OutletCreate(msgspec.Struct, kw_only=True):
    code: str
    name: str
    kind: str = "own"
    address: str
    region_code: str
    phone: str | None = None
    daily_capacity: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 10
    agreement_number: str | None = None
    agreement_expires: date | None = None


class OutletRead(msgspec.Struct, kw_only=True):
    id: int
    code: str
    name: str
    kind: str
    address: str
    region_id: int
    daily_capacity: int
    is_active: bool


class MembershipCreate(msgspec.Struct, kw_only=True):
    username: str
    is_manager: bool = False
    since: date | None = None
