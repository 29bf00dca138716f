"""Client retry keys: the first request with a key does the work, a replay gets its result."""

from __future__ import annotations

import re

from service_ops.actor import Actor
from service_ops.errors import Invalid
from service_ops.tables import IdempotencyKey

_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")


def _scope_key(actor: Actor, operation: str, key: str) -> str:
    if not _KEY.match(key):
        raise Invalid(
            "The idempotency key must be 8 to 100 letters, digits or - _ . : characters.",
            field="idempotency_key",
        )
    return f"{actor.audit_name}:{operation}:{key}"


async def replayed_entity_id(actor: Actor, operation: str, key: str | None) -> str | None:
    """The entity id a previous request with this key produced, if any."""
    if not key:
        return None
    row = (
        await IdempotencyKey.select(IdempotencyKey.entity_id)
        .where(IdempotencyKey.scope_key == _scope_key(actor, operation, key))
        .first()
    )
    return row["entity_id"] if row else None


async def remember(actor: Actor, operation: str, key: str | None, entity: str, entity_id: object) -> None:
    """Store the key inside the caller's transaction; a concurrent twin fails on the unique key."""
    if not key:
        return
    await IdempotencyKey.insert(
        IdempotencyKey(scope_key=_scope_key(actor, operation, key), entity=entity, entity_id=str(entity_id))
    )
