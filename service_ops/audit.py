"""The tamper-evident audit trail: canonical hashing, appending under a lock, verification.

hash = sha256(prev_hash + canonical JSON of every other column); canonical = sorted keys,
UTF-8, no spaces, times as ISO 8601 UTC with microseconds; the first prev_hash is 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from service_ops.tables import AuditEvent

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = 27922  # PostgreSQL advisory lock serialising the chain
VERIFY_BATCH = 5000


def jsonable(value: Any) -> Any:
    """Turn a value into plain JSON types, canonically (times in UTC with microseconds)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    return json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class PendingEvent:
    """An event recorded inside a unit of work, written when the unit of work completes."""

    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    request_id: str | None


def event_hash(prev_hash: str, columns: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(columns)).encode("utf-8")).hexdigest()


def _hashed_columns(row: dict[str, Any]) -> dict[str, Any]:
    """Every column except the two hash columns, with JSON columns parsed."""
    columns = {k: v for k, v in row.items() if k not in ("hash", "prev_hash")}
    for key in ("before", "after"):
        if isinstance(columns.get(key), str):
            columns[key] = json.loads(columns[key])
    return columns


async def _chain_head() -> tuple[int, str]:
    rows = await AuditEvent.raw("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
    if not rows:
        return 0, GENESIS_HASH
    return int(rows[0]["seq"]), str(rows[0]["hash"])


async def append_events(events: list[PendingEvent]) -> list[int]:
    """Extend the chain with `events`; must run inside the caller's open transaction."""
    engine = AuditEvent._meta.db
    if engine.current_transaction.get() is None:
        raise RuntimeError("audit events are written only inside a transaction")
    if engine.engine_type == "postgres":
        await AuditEvent.raw("SELECT pg_advisory_xact_lock({})", CHAIN_LOCK_KEY)
    seq, prev_hash = await _chain_head()
    rows = []
    for event in events:
        seq += 1
        columns = {
            "seq": seq,
            "at": event.at,
            "actor": event.actor,
            "action": event.action,
            "entity": event.entity,
            "entity_id": event.entity_id,
            "before": jsonable(event.before),
            "after": jsonable(event.after),
            "reason": event.reason,
            "request_id": event.request_id,
        }
        digest = event_hash(prev_hash, columns)
        rows.append(
            AuditEvent(
                **{
                    **columns,
                    "before": None if event.before is None else canonical_json(event.before),
                    "after": None if event.after is None else canonical_json(event.after),
                    "prev_hash": prev_hash,
                    "hash": digest,
                }
            )
        )
        prev_hash = digest
    await AuditEvent.insert(*rows)
    return [row.seq for row in rows]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str | None = None


async def verify_chain() -> VerifyResult:
    """Walk the chain in `seq` order; name the first event whose link or hash does not hold."""
    prev_hash, checked, last_seq = GENESIS_HASH, 0, -1
    while True:
        batch = (
            await AuditEvent.select()
            .where(AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)
            .limit(VERIFY_BATCH)
        )
        if not batch:
            return VerifyResult(ok=True, checked=checked)
        for row in batch:
            if row["prev_hash"] != prev_hash:
                return VerifyResult(False, checked, row["seq"], "prev_hash does not link")
            if event_hash(prev_hash, _hashed_columns(row)) != row["hash"]:
                return VerifyResult(False, checked, row["seq"], "content does not match hash")
            prev_hash, last_seq, checked = row["hash"], row["seq"], checked + 1


def labeller(labels: Mapping[str, str]) -> Callable[[str], str]:
    """A domain's `label(action)` for audit-trail pages: the untranslated label, or the event name itself."""

    def label(action: str) -> str:
        return labels.get(action, action)

    return label
