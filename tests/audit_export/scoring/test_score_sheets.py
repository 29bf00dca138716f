"""Score sheets: YAML in the rubric's shape and XLSX (code, weight) are accepted and versioned;
sheets that do not fit the rubric are refused with a message naming the items."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from audit_export.period import Period
from audit_export.rubric import RUBRIC_PATH, load_rubric
from audit_export.scoring.evidence import gather_facts
from audit_export.scoring.weights import rubric_weights
from audit_export.services import score_sheets
from service_ops import clock
from service_ops.errors import Invalid, PermissionDenied
from service_ops.tables import AuditEvent

RUBRIC = load_rubric()


def _xlsx(rows: list[tuple[Any, ...]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _even_weights() -> dict[str, float]:
    codes = sorted(rubric_weights(RUBRIC))
    weights = dict.fromkeys(codes, 3.0)
    weights[codes[0]] = 100 - 3.0 * (len(codes) - 1)
    return weights


async def test_a_yaml_sheet_in_the_rubrics_shape_is_loaded_and_in_force(make_user: Any) -> None:
    manager = await make_user("service_manager")
    sheet = await score_sheets.load_score_sheet(
        manager, RUBRIC_PATH.read_bytes(), "sheet.yaml", "Provisional", "B"
    )
    again = await score_sheets.load_score_sheet(manager, RUBRIC_PATH.read_bytes(), "sheet.yml", "Again", "B")
    assert again.version == sheet.version + 1 and sheet.source_format == "yaml"
    assert json.loads(sheet.weights) == pytest.approx(rubric_weights(RUBRIC))
    facts = await gather_facts(RUBRIC, Period.month(clock.today()), clock.now())
    assert (facts.score_sheet_version, facts.grade_scheme) == (again.version, "B")
    event = await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.seq, ascending=False).first()
    assert event["action"] == "audit_export.score_sheet_loaded"


async def test_an_xlsx_sheet_overrides_the_weights(make_user: Any) -> None:
    manager = await make_user("service_manager")
    weights = _even_weights()
    content = _xlsx([("Code", "Weight", "Note"), *((code, weight, "") for code, weight in weights.items())])
    sheet = await score_sheets.load_score_sheet(manager, content, "certifier.xlsx", "Certifier 2026")
    assert sheet.source_format == "xlsx" and sheet.grade_scheme == "A"
    facts = await gather_facts(RUBRIC, Period(date(2026, 1, 1), date(2026, 2, 1)), clock.now())
    assert facts.weights == weights and facts.score_sheet_version == sheet.version


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda w: w.update({"9.9.9": 0.0}), "does not have: 9.9.9"),
        (lambda w: w.pop("5.3.2.2"), "no weight for items 5.3.2.2"),
        (lambda w: w.update({"5.1.1.1": w["5.1.1.1"] + 1}), "sum to 101, not to the rubric's scale of 100"),
        (lambda w: w.update({"5.1.1.1": "lots"}), "5.1.1.1 is not a number"),
    ],
)
async def test_a_sheet_that_does_not_fit_is_refused(make_user: Any, change: Any, message: str) -> None:
    manager = await make_user("service_manager")
    weights: dict[str, Any] = _even_weights()
    change(weights)
    content = _xlsx([("code", "weight"), *weights.items()])
    count = await AuditEvent.count()
    with pytest.raises(Invalid) as refused:
        await score_sheets.load_score_sheet(manager, content, "bad.xlsx", "Bad")
    assert message in str(refused.value)
    assert await AuditEvent.count() == count


async def test_a_yaml_sheet_missing_an_aspect_weight_is_refused(make_user: Any) -> None:
    manager = await make_user("service_manager")
    data = yaml.safe_load(RUBRIC_PATH.read_text(encoding="utf-8"))
    del data["aspects"][2]["weight"]
    content = yaml.safe_dump(data, allow_unicode=True).encode()
    with pytest.raises(Invalid, match=re.escape("5.3.1.1, 5.3.1.2, 5.3.2.1, 5.3.2.2")):
        await score_sheets.load_score_sheet(manager, content, "sheet.yaml", "No aspect weight")
    with pytest.raises(Invalid, match="rubric's shape"):
        await score_sheets.load_score_sheet(manager, b"- just a list", "sheet.yaml", "Wrong shape")
    with pytest.raises(Invalid, match=re.escape(".yaml, .yml or .xlsx")):
        await score_sheets.load_score_sheet(manager, b"code,weight", "sheet.csv", "CSV")
    with pytest.raises(Invalid, match="not an XLSX"):
        await score_sheets.load_score_sheet(manager, b"not a zip", "sheet.xlsx", "Broken")
    with pytest.raises(Invalid, match="grade scheme"):
        await score_sheets.load_score_sheet(manager, RUBRIC_PATH.read_bytes(), "s.yaml", "Scheme", "C")


async def test_only_service_managers_load_sheets(make_user: Any) -> None:
    auditor = await make_user("auditor")
    with pytest.raises(PermissionDenied):
        await score_sheets.load_score_sheet(auditor, RUBRIC_PATH.read_bytes(), "sheet.yaml", "Nope")
