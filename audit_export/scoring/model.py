"""What the self-assessment is made of: the facts it reads (gathered by `evidence.py`), and what it
gives (an `Assessment`, whose `items_json()` is the evidence pack's indicators.json `items`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from audit_export.kpis.figures import KpiFigure
from audit_export.period import Period
from audit_export.prerequisites import Check

JSON_PLACES = 4
"""Weights and earned points in JSON: 4 decimals (a split weight such as 35/9 is not exact)."""


class FindingKind:
    NONCONFORMITY = "nonconformity"
    SPECIAL_DEDUCTION = "special_deduction"
    SPECIAL_BONUS = "special_bonus"
    NOT_APPLICABLE = "not_applicable"
    APPLICABLE = "applicable"
    """Makes applicable an item the rubric marks `applicable_by_default: false`."""

    ALL = (NONCONFORMITY, SPECIAL_DEDUCTION, SPECIAL_BONUS, NOT_APPLICABLE, APPLICABLE)
    ON_ITEM = (NONCONFORMITY, NOT_APPLICABLE, APPLICABLE)


@dataclass(frozen=True)
class Finding:
    """An auditor's finding in force."""

    id: int
    kind: str
    item_code: str | None
    note: str = ""


@dataclass(frozen=True)
class SampleResult:
    """The latest sample recorded for an item: cases checked, and how many passed."""

    sample_id: int
    passed: int
    sampled: int


@dataclass(frozen=True)
class Facts:
    """Everything but the KPI figures that scores the rubric, as plain data (no database)."""

    weights: dict[str, float]
    grade_scheme: str
    score_sheet_version: int | None = None
    targets: dict[str, str] = field(default_factory=dict)
    """The organisation's service-target register: KPI code → ">=0.95" (wins over the rubric)."""
    documents: dict[str, int | None] = field(default_factory=dict)
    """Document kind → id of the version current at as_of, None when there is none."""
    registers: dict[str, int | None] = field(default_factory=dict)
    """Register name → records in the period; None when the system does not keep that register."""
    samples: dict[str, SampleResult] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    prerequisites: tuple[Check, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """One part of an item's evidence; `detail` feeds the page (target, value) but not the JSON."""

    kind: str
    ref: str
    state: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref, "state": self.state}


@dataclass(frozen=True)
class ItemScore:
    code: str
    weight: float
    earned: float
    applicable: bool
    evidence: tuple[Evidence, ...]

    @property
    def shortfall(self) -> float:
        return self.weight - self.earned if self.applicable else 0.0


@dataclass(frozen=True)
class Gain:
    """What an item would add to the score if fully met, and the evidence still short."""

    code: str
    points: float
    short: tuple[Evidence, ...]


@dataclass(frozen=True)
class NextGrade:
    label: str
    threshold: float
    gap: float


@dataclass(frozen=True)
class Message:
    """An untranslated message id and its parameters (translated where shown)."""

    text: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    period: Period
    as_of: datetime
    rubric_version: str
    score_sheet_version: int | None
    grade_scheme: str
    kpis: dict[str, KpiFigure]
    items: dict[str, ItemScore]
    score: float
    grade: str
    grade_reason: Message
    deductions: int
    bonus: bool
    prerequisites: tuple[Check, ...]
    gains: tuple[Gain, ...]
    next_grade: NextGrade | None

    def items_json(self) -> dict[str, dict[str, Any]]:
        """indicators.json `items`: {code: {weight, earned, applicable, evidence: [{kind, ref, state}]}}."""
        return {
            code: {
                "weight": round(item.weight, JSON_PLACES),
                "earned": round(item.earned, JSON_PLACES),
                "applicable": item.applicable,
                "evidence": [evidence.as_json() for evidence in item.evidence],
            }
            for code, item in sorted(self.items.items())
        }

    def kpis_json(self) -> dict[str, dict[str, Any]]:
        return {code: figure.as_json() for code, figure in sorted(self.kpis.items())}

    @property
    def score_text(self) -> str:
        """The score as a 2-place decimal string (snapshot column)."""
        return f"{self.score:.2f}"
