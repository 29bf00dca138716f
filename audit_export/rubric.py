"""The GB/T 27922 rubric as data: the copy shipped in audit_export/data/rubric.yaml (from the shared
gbt27922/rubric.yaml), loaded once and checked for the shape the self-assessment relies on."""

from __future__ import annotations

from dataclasses import dataclass
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
class Rubric:
    version: str
    standard: str
    items: tuple[Item, ...]
    prerequisites: tuple[Prerequisite, ...]

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
    except (KeyError, TypeError) as error:
        raise ValueError(f"the rubric lacks {error}") from error
    if len({item.code for item in items}) != len(items):
        raise ValueError("the rubric repeats an item code")
    return Rubric(version=version, standard=standard, items=items, prerequisites=prerequisites)


@lru_cache(maxsize=4)
def load_rubric(path: Path = RUBRIC_PATH) -> Rubric:
    """The shipped rubric (read once per process)."""
    with path.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))
