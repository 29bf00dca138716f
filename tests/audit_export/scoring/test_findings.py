"""Auditor findings: recorded and withdrawn with audit events, checked, and read by the assessment
as they stood at its as_of."""

from __future__ import annotations

import re
from typing import Any

import pytest

from audit_export.scoring.evidence import findings_in_force
from audit_export.services import findings
from audit_export.tables import AuditFinding
from service_ops import clock
from service_ops.errors import Conflict, Invalid, NotFound, PermissionDenied


@pytest.fixture
async def auditor(make_user: Any) -> Any:
    return await make_user("auditor")


async def _withdraw_bonuses(actor: Any) -> None:
    """The bonus register is shared by the run: start from no bonus in force."""
    for row in await AuditFinding.select(AuditFinding.id).where(
        (AuditFinding.kind == "special_bonus") & AuditFinding.withdrawn_at.is_null()
    ):
        await findings.withdraw_finding(actor, row["id"], "test reset")


async def test_a_second_bonus_is_refused_until_the_first_is_withdrawn(auditor: Any) -> None:
    await _withdraw_bonuses(auditor)
    first = await findings.record_finding(auditor, "special_bonus", None, "Innovative service")
    with pytest.raises(Conflict, match="at most one"):
        await findings.record_finding(auditor, "special_bonus", None, "Another one")
    withdrawn = await findings.withdraw_finding(auditor, first.id, "Granted in error")
    assert withdrawn.withdraw_reason == "Granted in error" and withdrawn.withdrawn_by == auditor.user_id
    with pytest.raises(Conflict, match="already withdrawn"):
        await findings.withdraw_finding(auditor, first.id, "Again")
    second = await findings.record_finding(auditor, "special_bonus", None, "Another one")
    await findings.withdraw_finding(auditor, second.id, "cleanup")


async def test_findings_in_force_follow_as_of(auditor: Any) -> None:
    before = clock.now()
    finding = await findings.record_finding(auditor, "nonconformity", "5.1.4.1", "Manual not approved")
    recorded = clock.now()
    assert finding.id in {f.id for f in await findings_in_force(recorded)}
    assert finding.id not in {f.id for f in await findings_in_force(before)}
    with pytest.raises(Conflict, match=re.escape("already recorded for item 5.1.4.1")):
        await findings.record_finding(auditor, "nonconformity", "5.1.4.1", "Twice")
    await findings.withdraw_finding(auditor, finding.id, "Rectified: manual approved")
    assert finding.id in {f.id for f in await findings_in_force(recorded)}
    assert finding.id not in {f.id for f in await findings_in_force(clock.now())}


@pytest.mark.parametrize(
    ("kind", "item", "message"),
    [
        ("opinion", None, "kind of finding"),
        ("nonconformity", None, "Name the rubric item"),
        ("nonconformity", "9.9", "not an item of the rubric"),
        ("not_applicable", "5.2.3.1", "already not applicable by default"),
        ("applicable", "5.1.1.1", "already applicable"),
    ],
)
async def test_bad_findings_are_refused(auditor: Any, kind: str, item: str | None, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        await findings.record_finding(auditor, kind, item, "note")


async def test_only_auditors_record_and_a_note_is_needed(auditor: Any, make_user: Any, system: Any) -> None:
    with pytest.raises(PermissionDenied):
        await findings.record_finding(await make_user("service_manager"), "special_deduction", None, "x")
    with pytest.raises(PermissionDenied):
        await findings.record_finding(system, "special_deduction", None, "x")
    with pytest.raises(Invalid):
        await findings.record_finding(auditor, "special_deduction", None, "  ")
    with pytest.raises(NotFound):
        await findings.withdraw_finding(auditor, 10**9, "gone")
