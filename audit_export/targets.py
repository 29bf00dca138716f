"""KPI targets: the service-target register (documents) wins, else the rubric item's default.

A target is an operator and a number as the register and the rubric write it (">=0.95",
"<=0.01", ">=16"). The dashboard's tiles and the self-assessment's scoring judge KPIs with this
one parser and comparison, so a tile and the score never disagree about a target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from audit_export.rubric import load_rubric
from service_ops.documents import queries as documents

_TARGET = re.compile(r"^\s*(>=|<=|==|>|<|=|≥|≤)\s*(-?\d+(?:\.\d+)?)\s*$")
_SYMBOLS = {"≥": ">=", "≤": "<=", "==": "="}
EPSILON = 1e-9
"""Ratios are floats: 19/20 must meet ">=0.95" even when the division lands a hair below."""


@dataclass(frozen=True)
class Target:
    operator: str
    number: float
    source: str
    """"register" (a service target in force) or "rubric" (the rubric item's default)."""

    @property
    def text(self) -> str:
        return f"{self.operator}{self.number:g}"

    def met(self, value: float | None) -> bool | None:
        """Whether `value` meets the target; None when there is no value to judge."""
        if value is None:
            return None
        return {
            ">=": value >= self.number - EPSILON,
            "<=": value <= self.number + EPSILON,
            ">": value > self.number,
            "<": value < self.number,
            "=": abs(value - self.number) <= EPSILON,
        }[self.operator]


def parse_target(text: str, source: str) -> Target | None:
    """A target from its written form; None when it is not an operator and a number."""
    match = _TARGET.match(text)
    if match is None:
        return None
    operator = _SYMBOLS.get(match.group(1), match.group(1))
    return Target(operator=operator, number=float(match.group(2)), source=source)


def rubric_targets() -> dict[str, Target]:
    """KPI code → the rubric's default target."""
    found: dict[str, Target] = {}
    for item in load_rubric().items:
        for code, text in item.targets.items():
            target = parse_target(text, "rubric")
            if target is not None:
                found.setdefault(code, target)
    return found


async def targets_on(day: date) -> dict[str, Target]:
    """KPI code → the target in force on `day`: the annual register target, else the rubric's."""
    found = rubric_targets()
    for code, row in (await documents.targets_covering(day)).items():
        target = parse_target(row.target, "register")
        if target is not None:
            found[code] = target
    return found
