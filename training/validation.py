"""Checking what people type for the training services: codes, numbers, hours, course settings."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from service_ops import clock
from service_ops.choices import ProductCategory, Role
from service_ops.errors import Invalid
from service_ops.validation import required_text
from training.schemas import ExternalCertificateCreate

COURSE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
CERTIFICATE_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9/-]{3,39}$")
MAX_HOURS = Decimal(1000)
EARLIEST = date(2000, 1, 1)
COURSE_FIELDS = (
    "title",
    "hours",
    "category",
    "validity_months",
    "pass_mark",
    "is_service_manager_cert",
    "is_active",
)


def hours(value: float | Decimal, field: str = "hours") -> Decimal:
    """A duration in hours, to one decimal: more than 0 and at most 1000."""
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid("Hours must be a number.", field=field)
    parsed = Decimal(str(value))
    if Decimal(0) < parsed <= MAX_HOURS:
        parsed = parsed.quantize(Decimal("0.1"))
    if not Decimal(0) < parsed <= MAX_HOURS:
        raise Invalid("The duration must be more than 0 and at most {max} hours.", field=field, max=MAX_HOURS)
    return parsed


def course_values(data: Mapping[str, Any]) -> dict[str, Any]:
    validity, pass_mark = data["validity_months"], data["pass_mark"]
    if validity is not None and not 1 <= validity <= 600:
        raise Invalid("Validity must be between 1 and 600 months, or blank.", field="validity_months")
    if pass_mark is not None and not 0 <= pass_mark <= 100:
        raise Invalid("The pass mark must be between 0 and 100, or blank.", field="pass_mark")
    category = data["category"]
    if category is not None and category not in {c.value for c in ProductCategory}:
        raise Invalid("Unknown product category “{value}”.", field="category", value=str(category)[:32])
    return {
        "title": required_text(data["title"], "title", 100),
        "hours": hours(data["hours"]),
        "category": ProductCategory(category).value if category is not None else None,
        "validity_months": validity,
        "pass_mark": pass_mark,
        "is_service_manager_cert": bool(data["is_service_manager_cert"]),
        "is_active": bool(data["is_active"]),
    }


def roles(raw: Collection[str]) -> list[str]:
    known = {role.value for role in Role}
    for role in raw:
        if role not in known:
            raise Invalid("Unknown role “{role}”.", field="required_roles", role=str(role)[:32])
    return sorted({Role(role).value for role in raw})


def course_code(raw: str) -> str:
    code = (raw or "").strip().upper()
    if not COURSE_CODE.match(code):
        raise Invalid("A course code has 2 to 20 letters, digits or hyphens.", field="code")
    return code


def external_certificate(data: ExternalCertificateCreate) -> tuple[str, str]:
    """The certificate's number (upper case) and issuer, once its dates make sense."""
    number = (data.number or "").strip().upper()
    if not CERTIFICATE_NUMBER.match(number):
        raise Invalid("A certificate number has 4 to 40 letters, digits, - or /.", field="number")
    issuer = required_text(data.issuer, "issuer", 100)
    if not EARLIEST <= data.issued_on <= clock.today():
        raise Invalid("The issue date must be between 2000 and today.", field="issued_on")
    if data.expires_on is not None and data.expires_on < data.issued_on:
        raise Invalid("A certificate cannot expire before it is issued.", field="expires_on")
    return number, issuer
