"""The expected grade on the dashboard and its top gaps ("what would it take"), from the scoring's
self-assessment: the items whose full evidence would add the most points, with what is short."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from audit_export.period import Period
from audit_export.rubric import load_rubric
from audit_export.scoring import score
from service_ops.i18n import current_locale, gettext

TOP_GAPS = 5


@dataclass(frozen=True)
class Gap:
    code: str
    title: str
    points: float
    short: list[str]
    """What is still short, e.g. "kpi first_time_fix_rate: red"."""


@dataclass(frozen=True)
class GradeView:
    grade: str
    score: float
    reason: str
    next_grade: str | None
    next_gap: float | None
    gaps: list[Gap]


def _item_titles() -> dict[str, str]:
    chinese = current_locale().startswith("zh")
    return {item.code: item.zh if chinese else item.en for item in load_rubric().items}


async def expected_grade(period: Period, as_of: datetime) -> GradeView:
    """The grade the self-assessment predicts for `period`, its next grade and the top gaps."""
    assessment = await score.assess(period, as_of)
    titles = _item_titles()
    gaps = [
        Gap(
            code=gain.code,
            title=titles.get(gain.code, gain.code),
            points=gain.points,
            short=[f"{evidence.kind} {evidence.ref}: {evidence.state}" for evidence in gain.short],
        )
        for gain in assessment.gains[:TOP_GAPS]
    ]
    following = assessment.next_grade
    return GradeView(
        grade=assessment.grade,
        score=assessment.score,
        reason=gettext(assessment.grade_reason.text, **assessment.grade_reason.params),
        next_grade=None if following is None else following.label,
        next_gap=None if following is None else following.gap,
        gaps=gaps,
    )
