"""The pure scoring core with hand-made figures: weights, evidence parts, findings, gate, schemes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from audit_export.kpis.figures import KpiFigure
from audit_export.period import Period
from audit_export.prerequisites import Check
from audit_export.rubric import load_rubric
from audit_export.scoring.model import Facts, Finding, SampleResult
from audit_export.scoring.score import meets, score_items
from audit_export.scoring.weights import rubric_weights

RUBRIC = load_rubric()
PERIOD = Period(date(2026, 1, 1), date(2026, 2, 1))
AS_OF = datetime(2026, 2, 1, tzinfo=UTC)
KEPT = (
    "outlet_inspection",
    "corrective_action",
    "management_review",
    "service_target",
    "reward_record",
    "training_attendance",
    "customer_database",
)


def _all_met_figures() -> dict[str, KpiFigure]:
    """Every KPI at a value meeting the rubric's targets (repeat repairs low, the rest 1.0)."""
    figures = {code: KpiFigure(10, 10, 1.0) for code in RUBRIC.kpi_codes}
    figures["repeat_repair_rate_30d"] = KpiFigure(0, 10, 0.0)
    figures["training_hours_per_staff"] = KpiFigure(200, 10, 20.0)
    return figures


def _facts(**changes: Any) -> Facts:
    """Everything in place: documents current, kept registers present, prerequisites met."""
    facts = Facts(
        weights=rubric_weights(RUBRIC),
        grade_scheme="A",
        documents=dict.fromkeys(RUBRIC.document_kinds, 1),
        registers={name: (5 if name in KEPT else None) for name in RUBRIC.registers},
        prerequisites=tuple(Check(p.code, p.en, True, ()) for p in RUBRIC.prerequisites),
    )
    return replace(facts, **changes)


def _assess(figures: dict[str, KpiFigure] | None = None, **changes: Any) -> Any:
    return score_items(
        RUBRIC, _all_met_figures() if figures is None else figures, _facts(**changes), PERIOD, AS_OF
    )


def test_weights_split_the_aspect_and_keep_the_explicit_one() -> None:
    weights = rubric_weights(RUBRIC)
    assert weights["5.1.2.2"] == 5
    assert weights["5.1.1.1"] == pytest.approx((40 - 5) / 14)
    assert weights["5.2.3.1"] == pytest.approx(35 / 9)  # not applicable by default, still weighted
    assert weights["5.3.1.1"] == pytest.approx(25 / 4)
    assert sum(weights.values()) == pytest.approx(100)


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        (0.95, ">=0.95", True),
        (0.94, ">=0.95", False),
        (None, ">=0.95", False),
        (0.01, "<=0.01", True),
        (0.02, "<=0.01", False),
        (1.0, ">1", False),
        (0.5, "=0.5", True),
        (0.5, "about half", None),
    ],
)
def test_a_target_is_met_or_not(value: float | None, target: str, expected: bool | None) -> None:
    assert meets(value, target) is expected


def test_missing_registers_keep_items_short_of_full_marks() -> None:
    assessment = _assess()
    item = assessment.items["5.1.3.3"]  # customer_database kept, spare_parts_stock not kept; not sampled
    assert item.earned == 0
    states = {(e.kind, e.ref): e.state for e in item.evidence}
    assert states == {
        ("register", "customer_database"): "present",
        ("register", "spare_parts_stock"): "not_kept",
        ("sample", ""): "not_sampled",
    }
    assert assessment.items["5.1.1.1"].earned == pytest.approx(assessment.items["5.1.1.1"].weight)


def test_score_is_earned_over_applicable_weight() -> None:
    assessment = _assess()
    items = assessment.items
    assert not items["5.2.3.1"].applicable and not items["5.2.6.1"].applicable
    applicable = sum(i.weight for i in items.values() if i.applicable)
    earned = sum(i.earned for i in items.values() if i.applicable)
    assert applicable == pytest.approx(100 - 2 * 35 / 9)
    assert assessment.score == round(100 * earned / applicable, 2)
    # 5.1.3.3 and 5.2.1.1 have only missing registers: 2.5 + 35/9 points short
    assert assessment.score == round(100 * (applicable - 2.5 - 35 / 9) / applicable, 2)
    assert assessment.grade == "four_star"
    json_items = assessment.items_json()
    assert json_items["5.1.2.2"] == {
        "weight": 5.0,
        "earned": 5.0,
        "applicable": True,
        "evidence": [{"kind": "kpi", "ref": "service_manager_ratio", "state": "met"}],
    }


def test_kpi_part_counts_targets_met_and_null_values_do_not_meet() -> None:
    figures = _all_met_figures()
    figures["response_on_time_rate"] = KpiFigure(0, 0, None)
    item = _assess(figures).items["5.2.4.1"]  # response + arrival KPIs, sample not taken
    assert item.earned == pytest.approx(item.weight * 0.5)
    assert [e.state for e in item.evidence if e.kind == "kpi"] == ["no_value", "met"]


def test_csat_mean_is_shown_but_not_scored() -> None:
    figures = _all_met_figures()
    figures["csat_mean"] = KpiFigure(10, 10, 1.0)
    item = _assess(figures).items["5.3.1.2"]
    assert item.earned == pytest.approx(item.weight)
    assert {e.ref: e.state for e in item.evidence} == {
        "csat_satisfied_rate": "met",
        "csat_mean": "not_scored",
    }


def test_the_target_register_wins_over_the_rubric() -> None:
    item = _assess(targets={"service_manager_ratio": ">=1.5"}).items["5.1.2.2"]
    assert item.earned == 0 and item.evidence[0].state == "not_met"


def test_samples_score_passed_over_sampled() -> None:
    samples = {"5.3.2.1": SampleResult(7, 3, 4)}
    item = _assess(samples=samples).items["5.3.2.1"]  # kpi met (1.0) and sample 3/4
    assert item.earned == pytest.approx(item.weight * (1 + 0.75) / 2)
    assert [e.as_json() for e in item.evidence if e.kind == "sample"] == [
        {"kind": "sample", "ref": "7", "state": "3/4"}
    ]


def test_not_applicable_item_is_excluded_and_nonconformity_loses_the_weight() -> None:
    base = _assess()
    na = _assess(findings=(Finding(1, "not_applicable", "5.1.3.3"),))
    assert not na.items["5.1.3.3"].applicable and na.score > base.score
    nc = _assess(findings=(Finding(2, "nonconformity", "5.1.2.2"),))
    assert nc.items["5.1.2.2"].earned == 0
    assert nc.score == pytest.approx(base.score - 100 * 5 / (100 - 2 * 35 / 9), abs=0.01)
    made_applicable = _assess(findings=(Finding(3, "applicable", "5.2.3.1"),))
    assert made_applicable.items["5.2.3.1"].applicable and made_applicable.score < base.score


def test_deductions_and_bonus_then_the_grade_gate() -> None:
    base = _assess().score
    deductions = tuple(Finding(i, "special_deduction", None) for i in range(1, 4))
    with_bonus = _assess(findings=(*deductions, Finding(9, "special_bonus", None)))
    assert with_bonus.score == pytest.approx(base - 3 + 1, abs=0.001)
    five = tuple(Finding(i, "special_deduction", None) for i in range(1, 6))
    gated = _assess(findings=five)
    assert gated.deductions == 5 and gated.grade == "none" and "grade gate" in gated.grade_reason.text


def test_a_low_score_is_no_grade() -> None:
    figures = {code: KpiFigure(0, 10, 0.0) for code in RUBRIC.kpi_codes}
    assessment = _assess(figures, documents=dict.fromkeys(RUBRIC.document_kinds))
    assert assessment.score < 70 and assessment.grade == "none"
    assert assessment.next_grade is not None and assessment.next_grade.label == "qualified"


def test_scheme_b_asks_more_for_five_stars() -> None:
    sheet = dict.fromkeys(rubric_weights(RUBRIC), 0.0)
    sheet.update({"5.1.1.1": 96.0, "5.1.3.3": 4.0})  # score 96: five stars under A, four under B
    assert _assess(weights=sheet).grade == "five_star"
    scheme_b = _assess(weights=sheet, grade_scheme="B")
    assert scheme_b.grade == "four_star" and scheme_b.next_grade is not None
    assert (scheme_b.next_grade.label, scheme_b.next_grade.gap) == ("five_star", 2.0)


def test_unmet_prerequisites_mean_no_grade() -> None:
    checks = tuple(Check(p.code, p.en, p.code != "P3", ()) for p in RUBRIC.prerequisites)
    assessment = _assess(prerequisites=checks)
    assert assessment.grade == "none" and assessment.grade_reason.params == {"codes": "P3"}
    assert assessment.score > 90


def test_what_would_it_take_ranks_items_by_points() -> None:
    figures = _all_met_figures()
    figures["service_manager_ratio"] = KpiFigure(0, 10, 0.0)
    gains = _assess(figures).gains
    assert gains[0].code == "5.1.2.2"  # 5 points of weight, the largest shortfall
    assert [g.points for g in gains] == sorted((g.points for g in gains), reverse=True)
    assert {g.code for g in gains} == {"5.1.2.2", "5.2.1.1", "5.1.3.3"}
    assert [e.ref for e in gains[0].short] == ["service_manager_ratio"]
