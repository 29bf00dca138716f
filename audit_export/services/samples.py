"""The auditor's sample register: draw a reproducible sample, record each case's verdict.

Auditors are read-only towards operational records; this register is their own. A draw stores
its seed (drawn from `secrets` when none is given), so the same seed over the same frame can be
checked to give the same cases.
"""

from __future__ import annotations

import secrets
from typing import Any

from audit_export.period import Period
from audit_export.rubric import load_rubric
from audit_export.sampling import draw as drawing
from audit_export.sampling import events
from audit_export.sampling.frame import SampleEntity, Stratify, sampling_frame
from audit_export.sampling.queries import SampleRead, get_sample
from audit_export.tables import AuditSample, AuditSampleCase
from service_ops import clock
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import N_, Invalid, NotFound, PermissionDenied
from service_ops.uow import lock_row, unit_of_work

__all__ = ["draw_sample", "record_case_result"]

WRITE_ROLES = (Role.AUDITOR,)
MAX_SIZE = 1000
MAX_SEED = 2**53 - 1
"""Seeds stay exact in JSON (JavaScript numbers) and fit the BigInt column."""
RESULTS = ("pass", "fail")
NOTE_LENGTH = 2000


def _check_auditor(actor: Actor) -> None:
    """The register names who drew and who checked: a person, never a job."""
    check_role(actor, WRITE_ROLES)
    if actor.user_id is None:
        raise PermissionDenied(
            N_("Samples are drawn and checked by a named auditor, not by {actor}."), actor=actor.audit_name
        )


def _choice(enum: Any, raw: str, field: str) -> Any:
    try:
        return enum(raw)
    except ValueError as error:
        raise Invalid(
            N_("“{value}” is not one of {choices}."),
            field=field,
            value=str(raw)[:30],
            choices=", ".join(member.value for member in enum),
        ) from error


def _checked_item(item_code: str | None) -> str | None:
    code = (item_code or "").strip()
    if not code:
        return None
    item = next((item for item in load_rubric().items if item.code == code), None)
    if item is None or "sample" not in item.assess:
        raise Invalid(
            N_("Rubric item {code} is not assessed by sampling: choose an item that names samples."),
            field="item_code",
            code=code[:20],
        )
    return code


def _checked_seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbelow(MAX_SEED) + 1
    if not 0 <= seed <= MAX_SEED:
        raise Invalid(N_("The seed must be a whole number from 0 to {max}."), field="seed", max=MAX_SEED)
    return seed


def _checked_size(size: int) -> int:
    drawing.check_size(size)
    if size > MAX_SIZE:
        raise Invalid(N_("A sample holds at most {max} cases."), field="size", max=MAX_SIZE)
    return size


async def draw_sample(
    actor: Actor,
    entity: str,
    period: Period,
    size: int,
    seed: int | None = None,
    stratify_by: str = "none",
    item_code: str | None = None,
) -> SampleRead:
    """Draw `size` records of `entity` from the period's frame (all of them when fewer) and register them."""
    _check_auditor(actor)
    kind: SampleEntity = _choice(SampleEntity, entity, "entity")
    stratify: Stratify = _choice(Stratify, stratify_by, "stratify_by")
    values: dict[str, Any] = {
        "entity": kind.value,
        "item_code": _checked_item(item_code),
        "period_from": period.start,
        "period_to": period.end,
        "seed": _checked_seed(seed),
        "stratify_by": stratify.value,
        "size": _checked_size(size),
    }
    async with unit_of_work(actor) as uow:
        frame = await sampling_frame(kind, period, stratify)
        cases = drawing.draw(frame, size, values["seed"], stratified=stratify != Stratify.NONE)
        sample = AuditSample(**values, population=len(frame), drawn_by=actor.user_id)
        await sample.save()
        if cases:
            await AuditSampleCase.insert(
                *(
                    AuditSampleCase(
                        sample=sample.id,
                        position=case.position,
                        entity_id=case.entity_id,
                        stratum=case.stratum,
                    )
                    for case in cases
                )
            )
        uow.record(
            events.SAMPLE_DRAWN,
            "audit_sample",
            sample.id,
            after={
                **values,
                "population": len(frame),
                "entity_ids": [case.entity_id for case in cases],
            },
        )
    return await get_sample(int(sample.id))


def _checked_result(result: str, note: str) -> tuple[str, str]:
    verdict = (result or "").strip().lower()
    if verdict not in RESULTS:
        raise Invalid(N_("The result of a case is pass or fail."), field="result")
    text = (note or "").strip()
    if len(text) > NOTE_LENGTH:
        raise Invalid(N_("The note is too long (at most {max} characters)."), field="note", max=NOTE_LENGTH)
    if verdict == "fail" and not text:
        raise Invalid(N_("Say in the note what the case fails on."), field="note")
    return verdict, text


async def record_case_result(actor: Actor, case_id: int, result: str, note: str = "") -> None:
    """Record (or correct) the auditor's verdict on one case; the previous verdict is in the audit trail."""
    _check_auditor(actor)
    verdict, text = _checked_result(result, note)
    async with unit_of_work(actor) as uow:
        await lock_row(AuditSampleCase, case_id)
        row = await AuditSampleCase.select().where(AuditSampleCase.id == case_id).first()
        if row is None:
            raise NotFound(N_("Sample case {id} not found."), id=case_id)
        before = {"result": row["result"], "note": row["note"]}
        after = {"result": verdict, "note": text}
        await AuditSampleCase.update(
            {
                AuditSampleCase.result: verdict,
                AuditSampleCase.note: text,
                AuditSampleCase.checked_at: clock.now(),
                AuditSampleCase.checked_by: actor.user_id,
            }
        ).where(AuditSampleCase.id == case_id)
        uow.record(
            events.SAMPLE_CASE_CHECKED,
            "audit_sample_case",
            case_id,
            before=before,
            after={**after, "sample_id": row["sample"], "entity_id": row["entity_id"]},
        )
