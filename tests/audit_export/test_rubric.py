"""The rubric shipped inside audit_export: loads, matches the shared copy, and names what we build."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from audit_export import prerequisites
from audit_export.rubric import RUBRIC_PATH, load_rubric, parse
from service_ops.documents import kpi_codes
from service_ops.documents.choices import DocumentKind
from tests.conftest import ROOT

SHARED_RUBRIC = ROOT.parent / "shared" / "gbt27922" / "rubric.yaml"


def test_the_shipped_rubric_loads() -> None:
    rubric = load_rubric()
    assert rubric.version == "gbt27922-2011/provisional-1" and rubric.standard == "GB/T 27922-2011"
    assert [p.code for p in rubric.prerequisites] == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert "5.1.4.1" in {item.code for item in rubric.items}


def test_the_shipped_copy_is_the_shared_rubric() -> None:
    if not SHARED_RUBRIC.exists():
        pytest.skip("the shared rubric is not on this machine")
    assert Path(RUBRIC_PATH).read_bytes() == SHARED_RUBRIC.read_bytes(), "copy the shared rubric.yaml again"


def test_every_document_kind_and_kpi_of_the_rubric_exists() -> None:
    rubric = load_rubric()
    assert rubric.document_kinds == {kind.value for kind in DocumentKind}
    assert rubric.kpi_codes <= set(kpi_codes.BY_CODE)
    for item in rubric.items:
        for code, target in item.targets.items():
            kpi_codes.target_comparison(
                target, kpi_codes.kpi_code(code)
            )  # the rubric's own targets are valid


def test_the_prerequisite_titles_are_the_rubrics_words() -> None:
    assert prerequisites.TITLES == {p.code: p.en for p in load_rubric().prerequisites}
    assert set(prerequisites.CHECKS) == set(prerequisites.TITLES)


def test_a_malformed_rubric_is_refused() -> None:
    data = yaml.safe_load(RUBRIC_PATH.read_text(encoding="utf-8"))
    del data["prerequisites"]
    with pytest.raises(ValueError, match="prerequisites"):
        parse(data)
