"""三包 rules: the defaults as data, and which rule a request qualifies under.

Configured `GuaranteeRule` rows replace the defaults as soon as one of them is active. Every rule
needs the unit to be within its warranty period; a rule may also limit the days since purchase or
ask for a number of failed repairs (visits with result "not fixed" on the unit's repair tickets in
the warranty period). When several rules allow a request, the one with the shortest decision time
applies (the strictest legal commitment), then the lowest code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from service_ops.errors import N_
from tickets.choices import GuaranteeKind

NO_RULE = "no_rule"
"""The decision rule of a request no rule allowed."""
DEFAULT_DECIDE_WITHIN_DAYS = 7
"""How long a request no rule allows may wait for a decision."""


class GuaranteeDecision(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {GuaranteeDecision.GRANTED: N_("Granted"), GuaranteeDecision.REFUSED: N_("Declined")}[self]


@dataclass(frozen=True)
class Rule:
    code: str
    kind: GuaranteeKind
    max_days_since_purchase: int | None
    min_failed_repairs: int | None
    decide_within_days: int
    description: str


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        code="refund_within_7_days",
        kind=GuaranteeKind.REFUND,
        max_days_since_purchase=7,
        min_failed_repairs=None,
        decide_within_days=7,
        description=N_("Refund: a performance fault within 7 days of purchase."),
    ),
    Rule(
        code="replace_within_15_days",
        kind=GuaranteeKind.REPLACE,
        max_days_since_purchase=15,
        min_failed_repairs=None,
        decide_within_days=7,
        description=N_("Replacement: a performance fault within 15 days of purchase."),
    ),
    Rule(
        code="replace_after_two_failed_repairs",
        kind=GuaranteeKind.REPLACE,
        max_days_since_purchase=None,
        min_failed_repairs=2,
        decide_within_days=7,
        description=N_("Replacement: two repairs in the warranty period did not fix the fault."),
    ),
    Rule(
        code="repair_in_warranty",
        kind=GuaranteeKind.REPAIR,
        max_days_since_purchase=None,
        min_failed_repairs=None,
        decide_within_days=15,
        description=N_("Free repair within the warranty period."),
    ),
)


@dataclass(frozen=True)
class UnitFacts:
    """What the rules look at, on the day the request was made."""

    days_since_purchase: int
    in_warranty: bool
    failed_repairs: int


def rule_from_row(row: dict[str, Any]) -> Rule:
    return Rule(
        code=row["code"],
        kind=GuaranteeKind(row["kind"]),
        max_days_since_purchase=row["max_days_since_purchase"],
        min_failed_repairs=row["min_failed_repairs"],
        decide_within_days=row["decide_within_days"],
        description=row["description"],
    )


def allows(rule: Rule, kind: GuaranteeKind, facts: UnitFacts) -> bool:
    if rule.kind != kind or not facts.in_warranty:
        return False
    if rule.max_days_since_purchase is not None and facts.days_since_purchase > rule.max_days_since_purchase:
        return False
    return rule.min_failed_repairs is None or facts.failed_repairs >= rule.min_failed_repairs


def matching_rule(rules: Iterable[Rule], kind: GuaranteeKind, facts: UnitFacts) -> Rule | None:
    """The rule the request qualifies under: the shortest decision time, then the lowest code."""
    candidates = [rule for rule in rules if allows(rule, kind, facts)]
    if not candidates:
        return None
    return min(candidates, key=lambda rule: (rule.decide_within_days, rule.code))
