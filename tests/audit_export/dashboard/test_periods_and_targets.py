"""The period selector and the target lookup (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from audit_export.dashboard.periods import PeriodKind, choose_period
from audit_export.targets import parse_target, rubric_targets
from service_ops.errors import Invalid


@pytest.mark.parametrize(
    ("kind", "start", "end"),
    [
        ("month", date(2026, 5, 1), date(2026, 6, 1)),
        ("quarter", date(2026, 4, 1), date(2026, 7, 1)),
        ("year", date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_calendar_periods_hold_the_day(kind: str, start: date, end: date) -> None:
    choice = choose_period(kind, "2026-05-17")
    assert (choice.period.start, choice.period.end) == (start, end)
    assert choice.query == {"period": kind, "at": "2026-05-17"}


def test_custom_period_is_half_open_and_reproducible() -> None:
    choice = choose_period("custom", None, "2026-01-10", "2026-02-10")
    assert choice.kind is PeriodKind.CUSTOM
    assert choice.period.last_day == date(2026, 2, 9)
    assert choice.query == {"period": "custom", "from": "2026-01-10", "to": "2026-02-10"}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("custom", None, "2026-02-10", "2026-02-10"), "from"),
        (("custom", None, "2026-03-01", "2026-02-01"), "from"),
        (("custom", None, "2026-03-01", None), "from"),
        (("decade", None, None, None), "period"),
        (("month", "yesterday", None, None), "at"),
    ],
)
def test_bad_choices_are_refused_with_the_field(args: tuple[str | None, ...], field: str) -> None:
    with pytest.raises(Invalid) as caught:
        choose_period(*args)
    assert caught.value.field == field


def test_targets_parse_and_judge() -> None:
    at_least = parse_target(">=0.95", "rubric")
    assert at_least is not None and at_least.met(0.95) is True and at_least.met(0.9) is False
    at_most = parse_target("≤ 0.01", "register")
    assert at_most is not None and at_most.operator == "<=" and at_most.met(0.02) is False
    assert at_least.met(None) is None
    assert parse_target("about 95%", "rubric") is None


def test_rubric_gives_the_default_targets() -> None:
    targets = rubric_targets()
    assert targets["first_time_fix_rate"].text == ">=0.8"
    assert targets["repeat_repair_rate_30d"].operator == "<="


def test_the_tiles_and_the_score_judge_a_target_alike() -> None:
    from audit_export.scoring.score import meets

    for text in (">=0.95", "≥0.95", "<=0.01", "==0.5"):
        target = parse_target(text, "register")
        assert target is not None
        for value in (0.95, 0.1 * 3 / 3 * 9.5, 0.01, 0.5, 0.949, 0.011, 0.51):
            assert meets(value, text) is target.met(value), (text, value)
    assert meets(None, ">=0.95") is False and meets(0.5, "about half") is None
