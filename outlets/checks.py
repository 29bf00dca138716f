"""Validation shared by the outlet services: kinds, agreements, regions and categories by code."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from service_ops.choices import ProductCategory
from service_ops.errors import Invalid
from service_ops.tables import Region
from service_ops.validation import normalise_phone, required_text

OUTLET_KINDS = ("own", "authorised")
MAX_CAPACITY = 1000
UPDATABLE_FIELDS = (
    "name",
    "kind",
    "address",
    "phone",
    "contact_name",
    "daily_capacity",
    "agreement_number",
    "agreement_expires",
)
TEXT_LIMITS = {"name": 100, "address": 255, "contact_name": 100, "agreement_number": 40}


def check_terms(
    kind: str, agreement_number: str | None, agreement_expires: date | None, capacity: int
) -> None:
    """An outlet is own or authorised; an authorised one has an agreement; capacity is sane."""
    if kind not in OUTLET_KINDS:
        raise Invalid("An outlet is “own” or “authorised”.", field="kind")
    if kind == "authorised" and not (agreement_number and agreement_expires):
        raise Invalid(
            "An authorised outlet needs an agreement number and expiry date.", field="agreement_number"
        )
    if not 1 <= capacity <= MAX_CAPACITY:
        raise Invalid("Daily capacity must be between 1 and 1000 jobs.", field="daily_capacity")


def optional_text(raw: str | None, field: str, max_length: int) -> str | None:
    value = (raw or "").strip()
    if len(value) > max_length:
        raise Invalid(
            "The field “{field}” is too long (at most {max} characters).", field=field, max=max_length
        )
    return value or None


def cleaned_field(name: str, value: Any) -> Any:
    """A changed outlet field, trimmed and checked like on creation."""
    if name in ("name", "address"):
        return required_text(value, name, TEXT_LIMITS[name])
    if name in ("contact_name", "agreement_number"):
        return optional_text(value, name, TEXT_LIMITS[name])
    if name == "phone":
        return normalise_phone(value) if value else None
    return value


def distinct(values: Iterable[str]) -> list[str]:
    """Trimmed, non-blank values, each once, in the order given."""
    return list(dict.fromkeys(value.strip() for value in values if value and value.strip()))


def checked_categories(values: Iterable[str]) -> list[str]:
    """ProductCategory values, each once; an unknown one is refused."""
    known = {category.value for category in ProductCategory}
    chosen = distinct(values)
    for value in chosen:
        if value not in known:
            raise Invalid("Unknown product category “{category}”.", field="categories", category=value[:32])
    return chosen


async def region_ids_for_codes(codes: Iterable[str]) -> dict[str, int]:
    """Region ids by code, in the order given; one unknown code refuses them all."""
    wanted = distinct(codes)
    if not wanted:
        return {}
    rows = await Region.select(Region.id, Region.code).where(Region.code.is_in(wanted))
    found = {row["code"]: row["id"] for row in rows}
    for code in wanted:
        if code not in found:
            raise Invalid("Unknown region code “{code}”.", field="region_codes", code=code[:20])
    return {code: found[code] for code in wanted}
