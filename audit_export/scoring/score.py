"""Scoring the rubric (rubric.yaml comments): an item earns weight × the mean of its evidence
parts' fractions; score = scale × earned / applicable weight, minus special deductions, plus at
most one bonus; prerequisites first, then the grade gate, then the grade scheme's thresholds.

`score_items` is pure (KPI figures and facts in, an Assessment out); `assess` gathers the facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from audit_export.kpis import engine
from audit_export.kpis.figures import KpiFigure
from audit_export.period import Period
from audit_export.rubric import Item, Rubric, load_rubric
from audit_export.scoring.evidence import gather_facts
from audit_export.scoring.model import (
    Assessment,
    Evidence,
    Facts,
    Finding,
    FindingKind,
    Gain,
    ItemScore,
    Message,
    NextGrade,
)
from audit_export.targets import EPSILON, parse_target
from service_ops.errors import N_


def meets(value: float | None, target: str) -> bool | None:
    """Whether a value meets a target such as ">=0.95"; a null value never does; None: the
    target is not a comparison (it then scores nothing)."""
    parsed = parse_target(target, "")
    if parsed is None:
        return None
    return False if value is None else parsed.met(value)


def _kpi_part(item: Item, figures: dict[str, KpiFigure], facts: Facts) -> tuple[float | None, list[Evidence]]:
    evidence, met, scored = [], 0, 0
    for code in item.kpis:
        figure = figures.get(code)
        value = figure.value if figure is not None else None
        target = facts.targets.get(code) or item.targets.get(code)
        verdict = meets(value, target) if target else None
        if verdict is None:
            state = "not_scored"
        else:
            scored += 1
            met += verdict
            state = "met" if verdict else ("no_value" if value is None else "not_met")
        evidence.append(Evidence("kpi", code, state, {"value": value, "target": target}))
    return (met / scored if scored else None), evidence


def _document_part(item: Item, facts: Facts) -> tuple[float | None, list[Evidence]]:
    evidence = [
        Evidence(
            "document",
            kind,
            "missing" if facts.documents.get(kind) is None else "current",
            {"document_id": facts.documents.get(kind)},
        )
        for kind in item.documents
    ]
    if not evidence:
        return None, evidence
    return float(all(e.state == "current" for e in evidence)), evidence


def _register_state(count: int | None) -> str:
    if count is None:
        return "not_kept"
    return "present" if count > 0 else "missing"


def _register_part(item: Item, facts: Facts) -> tuple[float | None, list[Evidence]]:
    evidence = [
        Evidence(
            "register", name, _register_state(facts.registers.get(name)), {"count": facts.registers.get(name)}
        )
        for name in item.registers
    ]
    if not evidence:
        return None, evidence
    return float(all(e.state == "present" for e in evidence)), evidence


def _sample_part(item: Item, facts: Facts) -> tuple[float | None, list[Evidence]]:
    """passed / sampled; no sample with a checked case yet: left out of the mean ('not sampled')."""
    sample = facts.samples.get(item.code)
    if sample is None or sample.sampled == 0:
        return None, [Evidence("sample", "", "not_sampled")]
    state = f"{sample.passed}/{sample.sampled}"
    return sample.passed / sample.sampled, [Evidence("sample", str(sample.sample_id), state)]


def _applicability(item: Item, findings: Sequence[Finding]) -> tuple[bool, list[Evidence]]:
    """An auditor's finding decides; else the rubric's `applicable_by_default`."""
    for finding in findings:
        if finding.kind == FindingKind.NOT_APPLICABLE:
            return False, [Evidence("finding", str(finding.id), "not_applicable")]
        if finding.kind == FindingKind.APPLICABLE:
            return True, [Evidence("finding", str(finding.id), "applicable")]
    if not item.applicable_by_default:
        return False, [Evidence("rubric", "applicable_by_default", "not_applicable")]
    return True, []


def score_item(item: Item, weight: float, figures: dict[str, KpiFigure], facts: Facts) -> ItemScore:
    """One item: its evidence parts, the mean of their fractions, and the findings against it."""
    own = [f for f in facts.findings if f.item_code == item.code]
    applicable, evidence = _applicability(item, own)
    parts = {
        "kpi": lambda: _kpi_part(item, figures, facts),
        "document": lambda: _document_part(item, facts),
        "register": lambda: _register_part(item, facts),
        "sample": lambda: _sample_part(item, facts),
    }
    fractions = []
    for kind in item.assess:
        if kind in parts:
            fraction, part_evidence = parts[kind]()
            evidence.extend(part_evidence)
            if fraction is not None:
                fractions.append(fraction)
    earned = weight * sum(fractions) / len(fractions) if fractions else 0.0
    nonconformities = [f for f in own if f.kind == FindingKind.NONCONFORMITY]
    evidence.extend(Evidence("finding", str(f.id), "nonconformity") for f in nonconformities)
    if nonconformities or not applicable:
        earned = 0.0
    return ItemScore(item.code, weight, earned, applicable, tuple(evidence))


def _grade(
    rubric: Rubric, facts: Facts, score: float, deductions: int
) -> tuple[str, Message, NextGrade | None]:
    scoring = rubric.scoring
    none = scoring.grade_labels[0]
    thresholds = scoring.grade_schemes.get(facts.grade_scheme) or scoring.grade_schemes.get(
        scoring.default_scheme, {}
    )
    ranked = [(label, thresholds[label]) for label in scoring.grade_labels if label in thresholds]
    reached = [label for label, threshold in ranked if score >= threshold]
    following = next(((label, threshold) for label, threshold in ranked if score < threshold), None)
    next_grade = (
        None if following is None else NextGrade(following[0], following[1], round(following[1] - score, 2))
    )
    unmet = [check.code for check in facts.prerequisites if not check.met]
    if unmet:
        return none, Message(N_("Prerequisites not met: {codes}."), {"codes": ", ".join(unmet)}), next_grade
    if deductions >= scoring.gate_max_deductions_exclusive:
        return (
            none,
            Message(
                N_("{count} special deductions: the grade gate allows fewer than {limit}."),
                {"count": deductions, "limit": scoring.gate_max_deductions_exclusive},
            ),
            next_grade,
        )
    if score < scoring.gate_min_score or not reached:
        return (
            none,
            Message(
                N_("Score {score} is below the {minimum} the grade gate asks."),
                {"score": f"{score:.2f}", "minimum": f"{scoring.gate_min_score:g}"},
            ),
            next_grade,
        )
    return (
        reached[-1],
        Message(
            N_("Score {score} reaches {label} under grade scheme {scheme}."),
            {"score": f"{score:.2f}", "label": reached[-1], "scheme": facts.grade_scheme},
        ),
        next_grade,
    )


def _gains(items: dict[str, ItemScore], applicable_weight: float, scale: float) -> tuple[Gain, ...]:
    """Items ranked by the points they would add to the score if fully met."""
    if applicable_weight <= 0:
        return ()
    gains = [
        Gain(
            item.code,
            round(scale * item.shortfall / applicable_weight, 2),
            tuple(e for e in item.evidence if e.state not in ("met", "current", "present", "not_scored")),
        )
        for item in items.values()
        if item.shortfall > EPSILON
    ]
    return tuple(sorted(gains, key=lambda gain: (-gain.points, gain.code)))


def score_items(
    rubric: Rubric, figures: dict[str, KpiFigure], facts: Facts, period: Period, as_of: datetime
) -> Assessment:
    """The whole assessment from KPI figures and facts (pure: no database, no clock)."""
    items = {
        item.code: score_item(item, facts.weights.get(item.code, 0.0), figures, facts)
        for item in rubric.items
    }
    applicable_weight = sum(item.weight for item in items.values() if item.applicable)
    earned = sum(item.earned for item in items.values() if item.applicable)
    deductions = sum(1 for f in facts.findings if f.kind == FindingKind.SPECIAL_DEDUCTION)
    bonus = any(f.kind == FindingKind.SPECIAL_BONUS for f in facts.findings)
    base = rubric.scale * earned / applicable_weight if applicable_weight > 0 else 0.0
    score = round(
        base + deductions * rubric.scoring.deduction_points + (rubric.scoring.bonus_points if bonus else 0.0),
        2,
    )
    grade, reason, next_grade = _grade(rubric, facts, score, deductions)
    return Assessment(
        period=period,
        as_of=as_of,
        rubric_version=rubric.version,
        score_sheet_version=facts.score_sheet_version,
        grade_scheme=facts.grade_scheme,
        kpis=dict(figures),
        items=items,
        score=score,
        grade=grade,
        grade_reason=reason,
        deductions=deductions,
        bonus=bonus,
        prerequisites=facts.prerequisites,
        gains=_gains(items, applicable_weight, rubric.scale),
        next_grade=next_grade,
    )


async def assess(period: Period, as_of: datetime) -> Assessment:
    """The self-assessment of a period as of a moment: KPI figures from the engine, facts from the
    registers, findings, samples and the score sheet in force at `as_of`."""
    rubric = load_rubric()
    figures = await engine.compute_kpis(period, as_of)
    facts = await gather_facts(rubric, period, as_of)
    return score_items(rubric, figures, facts, period, as_of)
