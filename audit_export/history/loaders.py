"""Adapting a domain's bulk-load function to a file spec's `write`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from audit_export.history.spec import FileWork, Values, Write

BulkLoad = Callable[[Sequence[Values], Sequence[tuple[Values, Values]], str], Awaitable[None]]


def bulk_write(load: BulkLoad) -> Write:
    """A `write` handing the file's new rows and (new, stored) pairs of changed rows to `load`."""

    async def write(work: FileWork, origin: str) -> None:
        await load(
            [row.values for row in work.inserts],
            [(row.values, current) for row, current in work.updates],
            origin,
        )

    return write


def single_keys(keys: Sequence[tuple[Any, ...]]) -> list[Any]:
    return [key[0] for key in keys]
