"""Service outlets (网点) and the staff who work at them."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class Outlet(Table):
    """A place that does service work: an own outlet or an authorised partner."""

    id: Serial

    code = Varchar(length=20, unique=True)
    name = Varchar(length=100)
    kind = Varchar(length=16, default="own", help_text="own / authorised")
    address = Varchar(length=255)
    region: ForeignKey[Any] = ForeignKey(
        references=LazyTableReference("Region", module_path="service_ops.tables"),
        index=True,
        on_delete=OnDelete.restrict,
    )
    phone = Varchar(length=32, null=True, default=None)
    daily_capacity = Integer(default=10)
    is_active = Boolean(default=True)
    agreement_number = Varchar(length=40, null=True, default=None)
    agreement_expires = Date(null=True, default=None)


class OutletMembership(Table):
    """A person works at an outlet (from a date, until a date)."""

    id: Serial

    outlet = ForeignKey(references=Outlet, index=True, on_delete=OnDelete.restrict)
    user: ForeignKey[Any] = ForeignKey(
        references=LazyTableReference("User", module_path="service_ops.tables"),
        index=True,
        on_delete=OnDelete.restrict,
    )
    is_manager = Boolean(default=False)
    since = Date()
    until = Date(null=True, default=None)
