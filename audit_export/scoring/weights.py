"""Item weights: from the rubric (explicit weights stand, the rest of an aspect's weight is split
equally over its other items) or from a certifier's score sheet (YAML in the rubric's shape, or an
XLSX with columns code, weight), checked against the rubric before it may be used."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from typing import Any

import yaml

from audit_export.rubric import Item, Rubric
from service_ops.errors import N_, Invalid

TOLERANCE = 0.01
"""Weights are written with at most two decimals; a sum within this of the scale is the scale."""
SHOWN_CODES = 10


def split_weights(aspects: Iterable[tuple[float | None, list[tuple[str, float | None]]]]) -> dict[str, float]:
    """Per aspect: an item's explicit weight stands; the aspect's weight minus the explicit item
    weights is split equally over its other items (applicable or not, so that marking an item
    not applicable never moves the other weights). An aspect without a weight: every item needs one."""
    weights: dict[str, float] = {}
    for aspect_weight, items in aspects:
        open_codes = [code for code, weight in items if weight is None]
        explicit = {code: float(weight) for code, weight in items if weight is not None}
        weights.update(explicit)
        if not open_codes:
            continue
        if aspect_weight is None:
            raise Invalid(
                N_("Give a weight to items {codes} or to their aspect."),
                field="file",
                codes=_codes(open_codes),
            )
        share = (aspect_weight - sum(explicit.values())) / len(open_codes)
        weights.update(dict.fromkeys(open_codes, share))
    return weights


def rubric_weights(rubric: Rubric) -> dict[str, float]:
    """The weights the rubric itself gives (provisional until a score sheet is loaded)."""
    by_code: dict[str, Item] = {item.code: item for item in rubric.items}
    return split_weights(
        (aspect.weight, [(code, by_code[code].weight) for code in aspect.item_codes])
        for aspect in rubric.aspects
    )


def _codes(codes: Iterable[str]) -> str:
    listed = sorted(codes)
    more = f" (+{len(listed) - SHOWN_CODES})" if len(listed) > SHOWN_CODES else ""
    return ", ".join(listed[:SHOWN_CODES]) + more


def checked_weights(rubric: Rubric, weights: dict[str, float]) -> dict[str, float]:
    """A sheet's weights, refused unless they name exactly the rubric's items and sum to its scale."""
    known = {item.code for item in rubric.items}
    unknown, missing = set(weights) - known, known - set(weights)
    if unknown:
        raise Invalid(
            N_("The score sheet names items the rubric does not have: {codes}."),
            field="file",
            codes=_codes(unknown),
        )
    if missing:
        raise Invalid(
            N_("The score sheet gives no weight for items {codes}."), field="file", codes=_codes(missing)
        )
    bad = [code for code, weight in weights.items() if not math.isfinite(weight) or weight < 0]
    if bad:
        raise Invalid(
            N_("Weights must be numbers of 0 or more (items {codes})."), field="file", codes=_codes(bad)
        )
    total = sum(weights.values())
    if abs(total - rubric.scale) > TOLERANCE:
        raise Invalid(
            N_("The score sheet's weights sum to {total}, not to the rubric's scale of {scale}."),
            field="file",
            total=f"{total:g}",
            scale=f"{rubric.scale:g}",
        )
    return {code: weights[code] for code in sorted(weights)}


def _number(raw: Any, code: str) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except (TypeError, ValueError) as error:
        raise Invalid(
            N_("The weight of item {code} is not a number: “{value}”."),
            field="file",
            code=code,
            value=str(raw)[:30],
        ) from error


def yaml_weights(content: bytes) -> dict[str, float]:
    """Weights from a YAML sheet in the rubric's shape (aspects → indicators → items), with the
    rubric's rule for items without their own weight."""
    try:
        data = yaml.safe_load(content.decode("utf-8"))
        aspects = [
            (
                _number(aspect.get("weight"), str(aspect.get("code", "?"))),
                [
                    (str(item["code"]), _number(item.get("weight"), str(item["code"])))
                    for indicator in aspect.get("indicators") or []
                    for item in indicator.get("items") or []
                ],
            )
            for aspect in data["aspects"]
        ]
    except (UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise Invalid(
            N_("This is not a score sheet in the rubric's shape (aspects, indicators, items with weights)."),
            field="file",
        ) from error
    codes = [code for _, items in aspects for code, _ in items]
    repeated = {code for code in codes if codes.count(code) > 1}
    if repeated:
        raise Invalid(N_("The score sheet repeats items {codes}."), field="file", codes=_codes(repeated))
    return split_weights(aspects)


def _header_positions(header: tuple[Any, ...]) -> tuple[int, int]:
    names = [str(cell or "").strip().lower() for cell in header]
    if "code" not in names or "weight" not in names:
        raise Invalid(N_("The first row of the sheet must name the columns code and weight."), field="file")
    return names.index("code"), names.index("weight")


def xlsx_weights(content: bytes) -> dict[str, float]:
    """Weights from the first worksheet of an XLSX: a header row naming `code` and `weight`."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise Invalid(N_("This file is not an XLSX workbook."), field="file") from error
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    if not rows:
        raise Invalid(N_("The first row of the sheet must name the columns code and weight."), field="file")
    code_at, weight_at = _header_positions(rows[0])
    weights: dict[str, float] = {}
    for row in rows[1:]:
        code = str(row[code_at] if code_at < len(row) and row[code_at] is not None else "").strip()
        if not code:
            continue
        if code in weights:
            raise Invalid(N_("The score sheet repeats items {codes}."), field="file", codes=code)
        weight = _number(row[weight_at] if weight_at < len(row) else None, code)
        if weight is None:
            raise Invalid(N_("The score sheet gives no weight for items {codes}."), field="file", codes=code)
        weights[code] = weight
    return weights


def sheet_weights(rubric: Rubric, content: bytes, filename: str) -> tuple[str, dict[str, float]]:
    """(format, checked weights) of an uploaded sheet, by its file name's extension."""
    lowered = filename.lower()
    if lowered.endswith((".yaml", ".yml")):
        return "yaml", checked_weights(rubric, yaml_weights(content))
    if lowered.endswith(".xlsx"):
        return "xlsx", checked_weights(rubric, xlsx_weights(content))
    raise Invalid(N_("Upload the score sheet as .yaml, .yml or .xlsx."), field="file")
