"""Auditor findings against the rubric: a nonconformity on an item (it loses its whole weight), a
special deduction (−1 each), the special bonus (at most one in force), an item marked not
applicable (or applicable, for an item the rubric leaves out by default). Never deleted: a
finding is withdrawn with a reason, and the assessment reads the findings in force at its as_of.
"""

from __future__ import annotations

from typing import Any

from audit_export.rubric import load_rubric
from audit_export.scoring.model import FindingKind
from audit_export.scoring.writes import lock, person
from audit_export.tables import AuditFinding
from service_ops import clock
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import N_, Conflict, Invalid, NotFound
from service_ops.uow import lock_row, unit_of_work
from service_ops.validation import required_text

__all__ = ["record_finding", "withdraw_finding"]

RECORDED = "audit_export.finding_recorded"
WITHDRAWN = "audit_export.finding_withdrawn"
ROLES = (Role.AUDITOR,)
F = AuditFinding
IN_FORCE = F.withdrawn_at.is_null()


def _checked(kind: str, item_code: str | None) -> str | None:
    if kind not in FindingKind.ALL:
        raise Invalid(
            N_("Choose a kind of finding: {kinds}."), field="kind", kinds=", ".join(FindingKind.ALL)
        )
    code = (item_code or "").strip() or None
    items = {item.code: item for item in load_rubric().items}
    if code is not None and code not in items:
        raise Invalid(N_("{code} is not an item of the rubric."), field="item_code", code=code)
    if kind in FindingKind.ON_ITEM and code is None:
        raise Invalid(N_("Name the rubric item this finding is about."), field="item_code")
    if code is not None and kind == FindingKind.NOT_APPLICABLE and not items[code].applicable_by_default:
        raise Invalid(N_("Item {code} is already not applicable by default."), field="item_code", code=code)
    if code is not None and kind == FindingKind.APPLICABLE and items[code].applicable_by_default:
        raise Invalid(N_("Item {code} is already applicable."), field="item_code", code=code)
    return code


async def _check_not_repeated(kind: str, code: str | None) -> None:
    """One bonus in force at a time; one finding of a kind per item; not both (not) applicable."""
    if kind == FindingKind.SPECIAL_BONUS and await F.exists().where(IN_FORCE & (F.kind == kind)):
        raise Conflict(
            N_("A special bonus is already recorded: at most one counts. Withdraw it first."), field="kind"
        )
    if kind in FindingKind.ON_ITEM and await F.exists().where(
        IN_FORCE & (F.kind == kind) & (F.item_code == code)
    ):
        raise Conflict(N_("This finding is already recorded for item {code}."), field="item_code", code=code)


def snapshot(finding: AuditFinding) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "item_code": finding.item_code,
        "note": finding.note,
        "withdrawn_at": finding.withdrawn_at,
        "withdraw_reason": finding.withdraw_reason,
    }


async def record_finding(actor: Actor, kind: str, item_code: str | None, note: str) -> AuditFinding:
    """Record what the auditor found; it counts in every assessment made from now on."""
    check_role(actor, ROLES)
    author = person(actor)
    code = _checked(kind, item_code)
    text = required_text(note, "note", 2000)
    async with unit_of_work(actor) as uow:
        await lock("finding")
        await _check_not_repeated(kind, code)
        finding = F(kind=kind, item_code=code, note=text, recorded_at=clock.now(), recorded_by=author)
        await finding.save()
        uow.record(RECORDED, "audit_finding", finding.id, after=snapshot(finding))
        return finding


async def withdraw_finding(actor: Actor, finding_id: int, reason: str) -> AuditFinding:
    """Withdraw a finding (rectified, or recorded in error); the row and its history stay."""
    check_role(actor, ROLES)
    author = person(actor)
    why = required_text(reason, "reason", 1000)
    async with unit_of_work(actor) as uow:
        await lock_row(F, finding_id)
        finding = await F.objects().where(F.id == finding_id).first()
        if finding is None:
            raise NotFound(N_("Finding {id} not found."), id=finding_id)
        if finding.withdrawn_at is not None:
            raise Conflict(N_("Finding {id} is already withdrawn."), id=finding_id)
        before = snapshot(finding)
        finding.withdrawn_at, finding.withdrawn_by, finding.withdraw_reason = clock.now(), author, why
        await finding.save([F.withdrawn_at, F.withdrawn_by, F.withdraw_reason])
        uow.record(WITHDRAWN, "audit_finding", finding.id, before=before, after=snapshot(finding), reason=why)
        return finding
