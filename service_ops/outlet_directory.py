"""Outlets as the core sees them: the outlets domain registers a lister at start-up.

service_ops must not import outlets (the dependency points the other way), yet the fund ledger and
the rewards register name outlets and check outlet ids. The app factory wires
`outlets.queries.list_outlets` here; without it ids are shown as they are and not checked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol


class OutletLike(Protocol):
    id: int
    code: str
    name: str
    is_active: bool


OutletDirectory = Callable[[], Awaitable[Iterable[OutletLike]]]
_outlet_directories: list[OutletDirectory] = []


def register_outlet_directory(directory: OutletDirectory) -> None:
    """Wired at start-up by the app factory (and the CLI, worker and tests through `wire_domains`)."""
    if directory not in _outlet_directories:
        _outlet_directories.append(directory)


async def all_outlets() -> list[OutletLike] | None:
    """Every outlet, or None when no directory is wired."""
    if not _outlet_directories:
        return None
    return [outlet for directory in _outlet_directories for outlet in await directory()]


async def outlet_names() -> dict[int, str] | None:
    """Outlet id → "code name", or None when no outlets domain is wired (ids are then shown as they are)."""
    outlets = await all_outlets()
    return None if outlets is None else {int(o.id): f"{o.code} {o.name}" for o in outlets}


async def active_outlet_choices() -> list[dict[str, object]]:
    """Active outlets (id, code, name) for forms, by code."""
    outlets = await all_outlets() or []
    return [
        {"id": o.id, "code": o.code, "name": o.name}
        for o in sorted(outlets, key=lambda o: o.code)
        if o.is_active
    ]
