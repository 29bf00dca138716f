"""Service outlets (网点), the regions they cover, what they serve, their staff and inspections."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


def _core(name: str) -> LazyTableReference:
    return LazyTableReference(name, module_path="service_ops.tables")


class Outlet(Table):
    """A place that does service work: an own outlet or an authorised partner."""

    id: Serial

    code = Varchar(length=20, unique=True)
    name = Varchar(length=100)
    kind = Varchar(length=16, default="own", help_text="own / authorised")
    address = Varchar(length=255)
    region: ForeignKey[Any] = ForeignKey(references=_core("Region"), index=True, on_delete=OnDelete.restrict)
    phone = Varchar(length=32, null=True, default=None)
    daily_capacity = Integer(default=10)
    is_active = Boolean(default=True)
    agreement_number = Varchar(length=40, null=True, default=None)
    agreement_expires = Date(null=True, default=None)
    contact_name = Varchar(length=100, null=True, default=None, help_text="Person to call at the outlet")
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")

    @classmethod
    def get_readable(cls):  # type: ignore[no-untyped-def]
        from piccolo.columns.readable import Readable

        return Readable(template="%s %s", columns=[cls.code, cls.name])


class OutletMembership(Table):
    """A person works at an outlet (from a date, until a date)."""

    id: Serial

    outlet = ForeignKey(references=Outlet, index=True, on_delete=OnDelete.restrict)
    user: ForeignKey[Any] = ForeignKey(references=_core("User"), index=True, on_delete=OnDelete.restrict)
    is_manager = Boolean(default=False)
    since = Date()
    until = Date(null=True, default=None)
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class OutletCoverage(Table):
    """An outlet covers a region and all its descendants (unique per outlet and region)."""

    id: Serial

    outlet = ForeignKey(references=Outlet, index=True, on_delete=OnDelete.restrict)
    region: ForeignKey[Any] = ForeignKey(references=_core("Region"), index=True, on_delete=OnDelete.restrict)


class OutletCategory(Table):
    """A product category an outlet serves (a service_ops ProductCategory value)."""

    id: Serial

    outlet = ForeignKey(references=Outlet, index=True, on_delete=OnDelete.restrict)
    category = Varchar(length=32, index=True, help_text="ProductCategory value")


class OutletInspection(Table):
    """One supervision visit (网点巡检): who inspected, when, the checklist score and findings."""

    id: Serial

    outlet = ForeignKey(references=Outlet, index=True, on_delete=OnDelete.restrict)
    inspected_on = Date(help_text="Day of the visit")
    inspector: ForeignKey[Any] = ForeignKey(references=_core("User"), index=True, on_delete=OnDelete.restrict)
    score = Integer(help_text="Checklist score, 0–100")
    findings = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
