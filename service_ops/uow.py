"""The one write path: a unit of work is a transaction that also records audit events.

Services open `unit_of_work(actor)`, write, call `uow.record(...)`, and register work for
after the commit with `uow.after_commit(...)`. Nested units of work join the outer one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from piccolo.engine.sqlite import TransactionType
from piccolo.table import Table

from service_ops import clock, context
from service_ops.actor import Actor
from service_ops.audit import PendingEvent, append_events
from service_ops.tables import AuditEvent

log = logging.getLogger(__name__)
AfterCommit = Callable[[], Awaitable[Any]]
_current: ContextVar[UnitOfWork | None] = ContextVar("unit_of_work", default=None)


class UnitOfWork:
    """Collects audit events and after-commit callbacks for one transaction."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.events: list[PendingEvent] = []
        self.callbacks: list[AfterCommit] = []
        self.event_seqs: list[int] = []

    def record(
        self,
        action: str,
        entity: str,
        entity_id: object,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        """Record what changed; written in this transaction, hash-chained."""
        self.events.append(
            PendingEvent(
                at=clock.now(),
                actor=self.actor.audit_name,
                action=action,
                entity=entity,
                entity_id=str(entity_id),
                before=before,
                after=after,
                reason=reason,
                request_id=context.request_id.get(),
            )
        )

    def after_commit(self, callback: AfterCommit) -> None:
        """Run `callback` once the transaction has committed (never if it rolls back)."""
        self.callbacks.append(callback)


async def lock_row(table: type[Table], row_id: int) -> None:
    """Hold one row until the unit of work ends, so concurrent changes to it queue (PostgreSQL);
    SQLite's write transaction already serialises writers."""
    if table._meta.db.engine_type == "postgres":
        await table.raw(f"SELECT id FROM {table._meta.tablename} WHERE id = {{}} FOR UPDATE", row_id)


def current_unit_of_work() -> UnitOfWork | None:
    return _current.get()


def _transaction() -> Any:
    engine = AuditEvent._meta.db
    if engine.engine_type == "sqlite":
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


@asynccontextmanager
async def unit_of_work(actor: Actor) -> AsyncIterator[UnitOfWork]:
    """Open a transaction; on success write the audit events, commit, then run callbacks."""
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    uow = UnitOfWork(actor)
    token = _current.set(uow)
    try:
        async with _transaction():
            yield uow
            if not uow.events:
                raise RuntimeError("a unit of work must record at least one audit event")
            uow.event_seqs = await append_events(uow.events)
    finally:
        _current.reset(token)
    for callback in uow.callbacks:
        try:
            await callback()
        except Exception:  # the commit stands; a sweeper re-queues what must happen
            log.exception("after-commit callback failed")
