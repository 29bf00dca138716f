"""What the self-assessment's services share: serialising writers of a register (a sheet version,
the one bonus, the one frozen snapshot per month) until the transaction ends, and the person a
record names.

The lock is a PostgreSQL advisory lock; SQLite's write transaction already serialises writers.
"""

from __future__ import annotations

import zlib

from service_ops.actor import Actor
from service_ops.errors import N_, PermissionDenied
from service_ops.tables import AuditEvent


async def lock(name: str) -> None:
    if AuditEvent._meta.db.engine_type == "postgres":
        await AuditEvent.raw("SELECT pg_advisory_xact_lock({})", zlib.crc32(f"audit_export:{name}".encode()))


def person(actor: Actor) -> int:
    """The user id a record names as its author: sheets and findings are a person's, not a job's."""
    if actor.user_id is None:
        raise PermissionDenied(
            N_("Only a logged-in person may do this, not {actor}."), actor=actor.audit_name
        )
    return actor.user_id
