"""Audit scenarios for audit_export.history.services (see tests/audit_scenarios.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from audit_export.history import services
from tests.audit_export.history.bundles import example_bundle
from tests.audit_scenarios import Scenarios


async def _import(ctx: dict[str, Any]) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        bundle, _ = example_bundle(Path(folder))
        return await services.import_history(ctx["system"], bundle)


SCENARIOS: Scenarios = {
    "audit_export.history.services.import_history": ("audit_export.history_imported", _import),
}
