"""Audit scenarios for audit_export.services.snapshots (see tests/audit_scenarios.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from audit_export.period import Period
from audit_export.services import snapshots
from service_ops import clock
from tests.audit_scenarios import Scenarios


async def _take(ctx: dict[str, Any]) -> Any:
    return await snapshots.take_snapshot(ctx["system"], Period.month(clock.today()), clock.now())


async def _close(ctx: dict[str, Any]) -> Any:
    """Close a month long past that no other test closes (each run's database is fresh)."""
    return await snapshots.close_month(ctx["system"], date(2001, 1, 1))


SCENARIOS: Scenarios = {
    "audit_export.services.take_snapshot": ("audit_export.snapshot_taken", _take),
    "audit_export.services.close_month": ("audit_export.snapshot_frozen", _close),
}
