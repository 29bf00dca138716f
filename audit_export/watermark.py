"""The audit watermark: the last audit event that changed the state figures describe.

Pack exports and downloads (`audit_export.pack_…`) and snapshots (`audit_export.snapshot_…`) are
audited but are bookkeeping: they change no record a figure or a pack reads, so they must not move
the watermark — or a snapshot taken between two exports would make the same state give two packs.
"""

from __future__ import annotations

from typing import Any

from service_ops.audit import GENESIS_HASH
from service_ops.tables import AuditEvent

BOOKKEEPING_PREFIXES = ("audit_export.pack_", "audit_export.snapshot_")


async def audit_watermark() -> tuple[int, str]:
    """(seq, hash) of the last audit event that is not bookkeeping; (0, genesis hash) when none."""
    where: Any = AuditEvent.seq > 0
    for prefix in BOOKKEEPING_PREFIXES:
        where &= AuditEvent.action.not_like(f"{prefix}%")
    row = (
        await AuditEvent.select(AuditEvent.seq, AuditEvent.hash)
        .where(where)
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    return (0, GENESIS_HASH) if row is None else (int(row["seq"]), str(row["hash"]))
