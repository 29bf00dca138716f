"""The GB/T 27922 rubric as data: the copy shipped in audit_export/data/rubric.yaml (from the shared
gbt27922/rubric.yaml), loaded once and checked for the shape the self-assessment relies on."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

RUBRIC_PATH = Path(__file__).resolve().parent / "data" / "rubric.yaml"


@dataclass(frozen=True)
class Prerequisite:
    """Checked before any grade is predicted (P1–P6)."""

    code: str
    en: str


@dataclass(frozen=True)
class Item:
    """A third-level indicator: what evidences it (KPIs, documents, registers, samples)."""

    code: str
    zh: str
    en: str
    assess: tuple[str, ...]
    kpis: tuple[str, ...]
    documents: tuple[str, ...]
    registers: tuple[str, ...]
    targets: dict[str, str]
    weight: float | None
    applicable_by_default: bool


@dataclass(frozen=True)
class Aspect:
    """A first-level indicator (5.1, 5.2, 5.3): its weight is shared by its items (weights rule)."""

    code: str
    weight: float | None
    item_codes: tuple[str, ...]


@dataclass(frozen=True)
class Scoring:
    """The rubric's `scoring` section: special points, the grade gate and the grade schemes."""

    deduction_points: float = -1.0
    bonus_points: float = 1.0
    gate_max_deductions_exclusive: int = 5
    gate_min_score: float = 70.0
    grade_labels: tuple[str, ...] = ("none", "qualified", "three_star", "four_star", "five_star")
    grade_schemes: dict[str, dict[str, float]] = field(default_factory=dict)
    default_scheme: str = "A"


@dataclass(frozen=True)
class Rubric:
    version: str
    standard: str
    items: tuple[Item, ...]
    prerequisites: tuple[Prerequisite, ...]
    aspects: tuple[Aspect, ...] = ()
    scale: float = 100.0
    scoring: Scoring = field(default_factory=Scoring)

    @property
    def document_kinds(self) -> frozenset[str]:
        return frozenset(kind for item in self.items for kind in item.documents)

    @property
    def kpi_codes(self) -> frozenset[str]:
        return frozenset(code for item in self.items for code in item.kpis)

    @property
    def registers(self) -> frozenset[str]:
        return frozenset(name for item in self.items for name in item.registers)


def _item(raw: dict[str, Any]) -> Item:
    return Item(
        code=str(raw["code"]),
        zh=str(raw["zh"]),
        en=str(raw["en"]),
        assess=tuple(raw.get("assess", ())),
        kpis=tuple(raw.get("kpis", ())),
        documents=tuple(raw.get("documents", ())),
        registers=tuple(raw.get("registers", ())),
        targets={str(k): str(v) for k, v in (raw.get("target") or {}).items()},
        weight=float(raw["weight"]) if raw.get("weight") is not None else None,
        applicable_by_default=bool(raw.get("applicable_by_default", True)),
    )


def _aspect(raw: dict[str, Any]) -> Aspect:
    codes = tuple(str(item["code"]) for indicator in raw["indicators"] for item in indicator["items"])
    weight = raw.get("weight")
    return Aspect(code=str(raw["code"]), weight=None if weight is None else float(weight), item_codes=codes)


def _scoring(raw: dict[str, Any] | None) -> Scoring:
    """The scoring section; absent parts keep the defaults the shipped rubric states."""
    if not raw:
        return Scoring()
    gate = raw.get("grade_gate") or {}
    schemes = {
        str(name): {str(label): float(points) for label, points in thresholds.items()}
        for name, thresholds in (raw.get("grade_schemes") or {}).items()
        if isinstance(thresholds, dict)
    }
    default = Scoring()
    return Scoring(
        deduction_points=float(raw.get("special_deduction_points", default.deduction_points)),
        bonus_points=float(raw.get("special_bonus_points", default.bonus_points)),
        gate_max_deductions_exclusive=int(
            gate.get("max_special_deductions_exclusive", default.gate_max_deductions_exclusive)
        ),
        gate_min_score=float(gate.get("min_score", default.gate_min_score)),
        grade_labels=tuple(str(label) for label in raw.get("grade_labels", default.grade_labels)),
        grade_schemes=schemes,
        default_scheme=str((raw.get("grade_schemes") or {}).get("default", default.default_scheme)),
    )


def parse(data: dict[str, Any]) -> Rubric:
    """A rubric from its YAML data; a ValueError names what is missing."""
    try:
        items = tuple(
            _item(item)
            for aspect in data["aspects"]
            for indicator in aspect["indicators"]
            for item in indicator["items"]
        )
        prerequisites = tuple(
            Prerequisite(code=str(p["code"]), en=str(p["en"])) for p in data["prerequisites"]
        )
        version, standard = str(data["rubric_version"]), str(data["standard"])
        aspects = tuple(_aspect(aspect) for aspect in data["aspects"])
        scale = float(data.get("scale", 100))
        scoring = _scoring(data.get("scoring"))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"the rubric lacks {error}") from error
    if len({item.code for item in items}) != len(items):
        raise ValueError("the rubric repeats an item code")
    return Rubric(
        version=version,
        standard=standard,
        items=items,
        prerequisites=prerequisites,
        aspects=aspects,
        scale=scale,
        scoring=scoring,
    )


@lru_cache(maxsize=4)
def load_rubric(path: Path = RUBRIC_PATH) -> Rubric:
    """The shipped rubric (read once per process)."""
    with path.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))
