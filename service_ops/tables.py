"""Core tables: people, master data (regions, customers, products, units) and the audit trail."""

from __future__ import annotations

from typing import Any

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class User(Table, tablename="app_user"):
    """A person who logs in: staff at head office or an outlet, or an auditor."""

    id: Serial

    username = Varchar(length=64, unique=True, help_text="Login name")
    display_name = Varchar(length=100)
    password_hash = Varchar(length=255)
    role = Varchar(length=32, index=True)
    phone = Varchar(length=32, null=True, default=None)
    locale = Varchar(length=10, null=True, default=None, help_text="Preferred UI language")
    is_active = Boolean(default=True)
    is_management = Boolean(default=False, help_text="Holds a service management post")
    hired_on = Date(null=True, default=None)
    left_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")

    @classmethod
    def get_readable(cls):  # type: ignore[no-untyped-def]
        from piccolo.columns.readable import Readable

        return Readable(template="%s", columns=[cls.display_name])


class ApiToken(Table):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    id: Serial

    user = ForeignKey(references=User, index=True, on_delete=OnDelete.restrict)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class Region(Table):
    """Administrative region (province / city / county); sales regions must be covered."""

    id: Serial

    code = Varchar(length=12, unique=True)
    name = Varchar(length=100)
    parent: ForeignKey[Any] = ForeignKey(
        references="self", null=True, default=None, index=True, on_delete=OnDelete.restrict
    )
    level = Varchar(length=16)
    is_sales_region = Boolean(default=False)
    service_class = Varchar(length=16, default="urban", help_text="urban / suburban / rural")
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class Customer(Table):
    """A person or company that owns units and calls the hotline."""

    id: Serial

    name = Varchar(length=100, index=True)
    address = Varchar(length=255)
    region = ForeignKey(references=Region, index=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    code = Varchar(
        length=40, null=True, default=None, index=True, help_text="Code in an earlier system (history import)"
    )
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class CustomerPhone(Table):
    """One phone number of a customer, normalised to digits, searched by the call screen."""

    id: Serial

    customer = ForeignKey(references=Customer, index=True, on_delete=OnDelete.restrict)
    phone = Varchar(length=20, index=True)
    is_primary = Boolean(default=False)


class ProductModel(Table):
    """A sellable model; its category decides who may service it, its warranty the coverage."""

    id: Serial

    code = Varchar(length=40, unique=True)
    name = Varchar(length=100)
    category = Varchar(length=32, index=True)
    warranty_months = Integer(default=12)
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class Unit(Table):
    """One physical product at a customer's, identified by its serial number."""

    id: Serial

    serial_number = Varchar(length=40, unique=True)
    model = ForeignKey(references=ProductModel, index=True, on_delete=OnDelete.restrict)
    customer = ForeignKey(references=Customer, index=True, on_delete=OnDelete.restrict)
    purchase_date = Date()
    install_date = Date(null=True, default=None)
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class AuditEvent(Table):
    """Append-only, hash-chained record of every state change (rule 1 and 2)."""

    seq = BigInt(primary_key=True)
    at = Timestamptz()
    actor = Varchar(length=100)
    action = Varchar(length=80, index=True)
    entity = Varchar(length=80)
    entity_id = Varchar(length=40)
    before = Text(null=True, default=None, help_text="Canonical JSON")
    after = Text(null=True, default=None, help_text="Canonical JSON")
    reason = Text(null=True, default=None)
    request_id = Varchar(length=64, null=True, default=None)
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class IdempotencyKey(Table):
    """A client retry key already used: the same key returns the first result, never a copy."""

    id: Serial

    scope_key = Varchar(length=255, unique=True, help_text="actor:operation:key")
    entity = Varchar(length=80)
    entity_id = Varchar(length=40)
    created_at = Timestamptz(default=TimestamptzNow())


class Counter(Table):
    """Named counters for human-readable numbers (e.g. ticket numbers per day)."""

    id: Serial

    name = Varchar(length=64, unique=True)
    value = BigInt(default=0)


class OutboxMessage(Table):
    """A message to a customer (SMS) waiting for the gateway; the row is the evidence it was sent."""

    id: Serial

    channel = Varchar(length=16, default="sms")
    recipient = Varchar(length=64)
    body = Text()
    entity = Varchar(length=80)
    entity_id = Varchar(length=40)
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)


class Notification(Table):
    """An in-app message to one user (certificate expiring, job refused, SLA near breach …)."""

    id: Serial

    user = ForeignKey(references=User, index=True, on_delete=OnDelete.restrict)
    message = Text(help_text="Untranslated message id")
    params = Text(default="{}", help_text="Canonical JSON of the message's placeholders")
    entity = Varchar(length=80)
    entity_id = Varchar(length=40)
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
