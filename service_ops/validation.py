"""Normalising and validating what people type: phone numbers, serial numbers, codes."""

from __future__ import annotations

import re

from service_ops.errors import Invalid

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")
_SERVICE_NUMBER = re.compile(r"^[48]00\d{7}$")
_SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9-]{5,39}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-()]")


def normalise_phone(raw: str, field: str = "phone") -> str:
    """Digits only, +86 dropped; a mainland mobile, landline with area code, or 400/800 number."""
    digits = _PHONE_SEPARATORS.sub("", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if _MOBILE.match(digits) or _LANDLINE.match(digits) or _SERVICE_NUMBER.match(digits):
        return digits
    raise Invalid(
        "“{value}” is not a valid phone number: use an 11-digit mobile number or a landline "
        "with its area code.",
        field=field,
        value=(raw or "")[:40],
    )


def phone_search_digits(raw: str) -> str | None:
    """Digits a search term may match on (at least 4), or None if it is not a phone fragment."""
    digits = _PHONE_SEPARATORS.sub("", raw or "").removeprefix("+86")
    return digits if digits.isdigit() and len(digits) >= 4 else None


def normalise_serial(raw: str, field: str = "serial_number") -> str:
    value = (raw or "").strip().upper()
    if _SERIAL.match(value):
        return value
    raise Invalid(
        "“{value}” is not a valid serial number: 6 to 40 letters, digits or hyphens.",
        field=field,
        value=(raw or "")[:40],
    )


def required_text(raw: str | None, field: str, max_length: int) -> str:
    value = (raw or "").strip()
    if not value:
        raise Invalid("The field “{field}” is required.", field=field)
    if len(value) > max_length:
        raise Invalid(
            "The field “{field}” is too long (at most {max} characters).",
            field=field,
            max=max_length,
        )
    return value
