"""The auditor's rubric tree: aspects → indicators → items with how each is evidenced, and the
evidence state the self-assessment gives for a period (read-only).

The evidence state comes from `audit_export.scoring.score.assess`; while the scoring module or
the KPI engine it calls is not installed, the tree shows the rubric's own data and the
prerequisites only (`evidence_available` is False).
"""

from __future__ import annotations

import importlib
from datetime import datetime
from functools import lru_cache
from typing import Any

import msgspec
import yaml

from audit_export import prerequisites
from audit_export.period import Period
from audit_export.rubric import RUBRIC_PATH, Item, load_rubric
from audit_export.sampling.queries import SampleSummary, list_samples
from service_ops import clock
from service_ops.i18n import gettext

SCORING_MODULE = "audit_export.scoring.score"


class EvidenceRead(msgspec.Struct, kw_only=True):
    kind: str
    ref: str
    state: str


class ItemScoreRead(msgspec.Struct, kw_only=True):
    weight: float
    earned: float
    applicable: bool
    evidence: list[EvidenceRead]


class ItemRead(msgspec.Struct, kw_only=True):
    code: str
    zh: str
    en: str
    assess: list[str]
    kpis: list[str]
    documents: list[str]
    registers: list[str]
    targets: dict[str, str]
    weight: float | None
    """The rubric's explicit weight (None: a share of its aspect's weight)."""
    applicable_by_default: bool
    score: ItemScoreRead | None
    samples: list[SampleSummary]


class IndicatorRead(msgspec.Struct, kw_only=True):
    code: str
    zh: str
    en: str
    items: list[ItemRead]


class AspectRead(msgspec.Struct, kw_only=True):
    code: str
    zh: str
    en: str
    weight: float | None
    indicators: list[IndicatorRead]


class PrerequisiteRead(msgspec.Struct, kw_only=True):
    code: str
    title: str
    met: bool
    evidence: list[str]


class RubricTreeRead(msgspec.Struct, kw_only=True):
    rubric_version: str
    standard: str
    period_from: str
    period_to: str
    as_of: datetime
    evidence_available: bool
    score: float | None
    grade: str | None
    prerequisites: list[PrerequisiteRead]
    aspects: list[AspectRead]


@lru_cache(maxsize=1)
def _tree_data() -> list[dict[str, Any]]:
    """The names of aspects and indicators (the parsed rubric keeps items only)."""
    with RUBRIC_PATH.open(encoding="utf-8") as handle:
        aspects: list[dict[str, Any]] = yaml.safe_load(handle)["aspects"]
    return aspects


async def _assessment(period: Period, as_of: datetime) -> Any | None:
    """The scoring module's assessment, or None while it (or a module it needs) is not installed."""
    try:
        scoring: Any = importlib.import_module(SCORING_MODULE)
        return await scoring.assess(period, as_of)
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("audit_export."):
            return None
        raise


def _item_read(item: Item, scored: dict[str, Any] | None, samples: list[SampleSummary]) -> ItemRead:
    score = None
    if scored is not None:
        score = ItemScoreRead(
            weight=scored["weight"],
            earned=scored["earned"],
            applicable=scored["applicable"],
            evidence=[EvidenceRead(**evidence) for evidence in scored["evidence"]],
        )
    return ItemRead(
        code=item.code,
        zh=item.zh,
        en=item.en,
        assess=list(item.assess),
        kpis=list(item.kpis),
        documents=list(item.documents),
        registers=list(item.registers),
        targets=dict(item.targets),
        weight=item.weight,
        applicable_by_default=item.applicable_by_default,
        score=score,
        samples=[sample for sample in samples if sample.item_code == item.code],
    )


async def _prerequisites() -> list[PrerequisiteRead]:
    return [
        PrerequisiteRead(
            code=check.code,
            title=gettext(check.title),
            met=check.met,
            evidence=[gettext(evidence.message, **evidence.params) for evidence in check.evidence],
        )
        for check in await prerequisites.check_all(clock.today())
    ]


async def rubric_tree(period: Period, as_of: datetime) -> RubricTreeRead:
    """The tree for `period` as of `as_of`, with evidence when the scoring module is installed."""
    rubric = load_rubric()
    items = {item.code: item for item in rubric.items}
    assessment = await _assessment(period, as_of)
    scored: dict[str, dict[str, Any]] = assessment.items_json() if assessment is not None else {}
    samples = await list_samples()
    aspects = [
        AspectRead(
            code=str(aspect["code"]),
            zh=str(aspect["zh"]),
            en=str(aspect["en"]),
            weight=aspect.get("weight"),
            indicators=[
                IndicatorRead(
                    code=str(indicator["code"]),
                    zh=str(indicator["zh"]),
                    en=str(indicator["en"]),
                    items=[
                        _item_read(items[str(raw["code"])], scored.get(str(raw["code"])), samples)
                        for raw in indicator["items"]
                    ],
                )
                for indicator in aspect["indicators"]
            ],
        )
        for aspect in _tree_data()
    ]
    return RubricTreeRead(
        rubric_version=rubric.version,
        standard=rubric.standard,
        period_from=period.start.isoformat(),
        period_to=period.end.isoformat(),
        as_of=as_of,
        evidence_available=assessment is not None,
        score=assessment.score if assessment is not None else None,
        grade=assessment.grade if assessment is not None else None,
        prerequisites=await _prerequisites(),
        aspects=aspects,
    )
