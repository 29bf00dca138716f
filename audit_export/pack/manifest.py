"""`manifest.json` and `indicators.json`: key order, number and date formats as the contract fixes
them (../shared/formats/history-import.md, "Evidence pack")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from audit_export.pack.writer import Staging, sha256_file
from audit_export.period import Period
from service_ops import clock

FORMAT = "service-ops-evidence-pack/1"
MANIFEST = "manifest.json"
INDICATORS = "indicators.json"


@dataclass(frozen=True)
class AuditHead:
    """The last audit event that is not export bookkeeping: the state the pack describes."""

    seq: int
    hash: str


@dataclass(frozen=True)
class Indicators:
    """What indicators.json says: KPI figures (already in kpis.md's JSON form) and the score."""

    rubric_version: str
    kpis: dict[str, dict[str, Any]]
    items: dict[str, Any]
    score: str | None
    grade: str | None


def canonical_json(data: Any) -> bytes:
    """Stable text: keys in the order given, UTF-8 unescaped, two-space indent, final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def iso_as_of(as_of: datetime) -> str:
    """ISO 8601 with the offset of the organisation's zone."""
    return as_of.astimezone(clock.org_zone()).isoformat()


def indicators_json(period: Period, as_of: datetime, indicators: Indicators) -> bytes:
    return canonical_json(
        {
            "period": period.as_json(),
            "as_of": iso_as_of(as_of),
            "rubric_version": indicators.rubric_version,
            "kpis": {code: indicators.kpis[code] for code in sorted(indicators.kpis)},
            "items": indicators.items,
            "score": indicators.score,
            "grade": indicators.grade,
        }
    )


def file_entries(staging: Staging, names: list[str]) -> list[dict[str, Any]]:
    """Path, SHA-256 and size of every staged file but the manifest, sorted by path."""
    entries = []
    for name in sorted(names):
        if name == MANIFEST:
            continue
        path = staging.root / name
        entries.append({"path": name, "sha256": sha256_file(path), "size": path.stat().st_size})
    return entries


def manifest_json(
    period: Period, as_of: datetime, rubric_version: str, head: AuditHead, files: list[dict[str, Any]]
) -> bytes:
    return canonical_json(
        {
            "format": FORMAT,
            "rubric_version": rubric_version,
            "period": period.as_json(),
            "as_of": iso_as_of(as_of),
            "audit_head": {"seq": head.seq, "hash": head.hash},
            "files": files,
        }
    )
