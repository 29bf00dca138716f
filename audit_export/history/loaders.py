"""Pieces every file spec uses: a domain's bulk-load function as a `write`, shared row checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from audit_export.history.spec import FileWork, RowProblems, Values, Write
from service_ops.errors import Invalid
from service_ops.validation import normalise_serial

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


def check_serial(values: Values, column: str) -> RowProblems:
    """Normalise a serial number in place, as the app stores it; a malformed one is a problem."""
    if values[column] is None:
        return
    try:
        values[column] = normalise_serial(values[column], field=column)
    except Invalid as error:
        yield column, error.message, {k: v for k, v in error.params.items() if k != "field"}
