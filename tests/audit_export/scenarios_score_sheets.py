"""Audit scenarios for audit_export.services.score_sheets (see tests/audit_scenarios.py)."""

from __future__ import annotations

from typing import Any

from audit_export.rubric import RUBRIC_PATH
from audit_export.services import score_sheets
from tests.audit_scenarios import Scenarios


async def _load(ctx: dict[str, Any]) -> Any:
    manager = await ctx["make_user"]("service_manager")
    return await score_sheets.load_score_sheet(
        manager, RUBRIC_PATH.read_bytes(), "rubric.yaml", "Rubric weights"
    )


SCENARIOS: Scenarios = {
    "audit_export.services.load_score_sheet": ("audit_export.score_sheet_loaded", _load),
}
