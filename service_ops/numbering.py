"""Human-readable, unique numbers from named counters, allocated inside the caller's transaction."""

from __future__ import annotations

from service_ops.tables import Counter


async def next_value(name: str) -> int:
    """Increment counter `name` (creating it at 1) and return the new value, atomically."""
    rows = await Counter.raw(
        "INSERT INTO counter (name, value) VALUES ({}, 1) "
        "ON CONFLICT (name) DO UPDATE SET value = counter.value + 1 RETURNING value",
        name,
    )
    return int(rows[0]["value"])


async def next_values(name: str, count: int) -> list[int]:
    """Take `count` consecutive values of counter `name` at once (a bulk import's numbers)."""
    if count <= 0:
        return []
    rows = await Counter.raw(
        "INSERT INTO counter (name, value) VALUES ({}, {}) "
        "ON CONFLICT (name) DO UPDATE SET value = counter.value + excluded.value RETURNING value",
        name,
        count,
    )
    last = int(rows[0]["value"])
    return list(range(last - count + 1, last + 1))
