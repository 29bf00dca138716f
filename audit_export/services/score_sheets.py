"""Score sheets: a certifier's weights per rubric item, loaded from YAML or XLSX, versioned.

A sheet is refused unless its weights name exactly the rubric's items and sum to the rubric's
scale; the highest version is in force (from the moment it is loaded), with the grade scheme
chosen when it was loaded.
"""

from __future__ import annotations

import hashlib
from typing import Any

from audit_export.rubric import load_rubric
from audit_export.scoring.weights import sheet_weights
from audit_export.scoring.writes import lock, person
from audit_export.tables import ScoreSheet
from service_ops import clock
from service_ops.actor import Actor
from service_ops.audit import canonical_json
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import N_, Invalid
from service_ops.uow import unit_of_work
from service_ops.validation import required_text

__all__ = ["load_score_sheet"]

LOADED = "audit_export.score_sheet_loaded"
WRITE_ROLES = (Role.SERVICE_MANAGER,)
MAX_BYTES = 5 * 1024 * 1024


def _checked_scheme(grade_scheme: str) -> str:
    schemes = sorted(name for name in load_rubric().scoring.grade_schemes if name != "default")
    if grade_scheme not in schemes:
        raise Invalid(N_("Choose grade scheme {schemes}."), field="grade_scheme", schemes=" / ".join(schemes))
    return grade_scheme


async def load_score_sheet(
    actor: Actor, content: bytes, filename: str, name: str, grade_scheme: str = "A"
) -> ScoreSheet:
    """Check a sheet against the rubric and store it as the next version (then in force)."""
    check_role(actor, WRITE_ROLES)
    author = person(actor)
    title = required_text(name, "name", 200)
    filename = required_text(filename, "file", 200)
    scheme = _checked_scheme(grade_scheme)
    if not content or len(content) > MAX_BYTES:
        raise Invalid(N_("Upload a score sheet of at most {size} MB."), field="file", size=MAX_BYTES // 2**20)
    source_format, weights = sheet_weights(load_rubric(), content, filename)
    async with unit_of_work(actor) as uow:
        await lock("score_sheet")
        latest = (
            await ScoreSheet.select(ScoreSheet.version).order_by(ScoreSheet.version, ascending=False).first()
        )
        sheet = ScoreSheet(
            version=(latest["version"] if latest else 0) + 1,
            name=title,
            source_format=source_format,
            filename=filename,
            sha256=hashlib.sha256(content).hexdigest(),
            weights=canonical_json(weights),
            grade_scheme=scheme,
            loaded_at=clock.now(),
            loaded_by=author,
        )
        await sheet.save()
        uow.record(LOADED, "score_sheet", sheet.id, after=_snapshot(sheet, weights))
        return sheet


def _snapshot(sheet: ScoreSheet, weights: dict[str, float]) -> dict[str, Any]:
    return {
        "version": sheet.version,
        "name": sheet.name,
        "source_format": sheet.source_format,
        "filename": sheet.filename,
        "sha256": sheet.sha256,
        "grade_scheme": sheet.grade_scheme,
        "weights": weights,
    }
