"""Audit scenarios for audit_export.services.findings (see tests/audit_scenarios.py)."""

from __future__ import annotations

from typing import Any

from audit_export.services import findings
from tests.audit_scenarios import Scenarios


async def _record(ctx: dict[str, Any]) -> Any:
    auditor = await ctx["make_user"]("auditor")
    return await findings.record_finding(auditor, "special_deduction", None, "Scenario deduction")


async def _withdraw(ctx: dict[str, Any]) -> Any:
    auditor = await ctx["make_user"]("auditor")
    finding = await findings.record_finding(auditor, "special_deduction", None, "Scenario deduction")
    return await findings.withdraw_finding(auditor, finding.id, "Recorded in error")


SCENARIOS: Scenarios = {
    "audit_export.services.record_finding": ("audit_export.finding_recorded", _record),
    "audit_export.services.withdraw_finding": ("audit_export.finding_withdrawn", _withdraw),
}
