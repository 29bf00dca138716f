"""What each KPI of shared/gbt27922/kpis.md is: title, unit, the dimensions it breaks down by.

Dimensions (how a record finds its outlet / region / product category):
- tickets: the ticket's outlet, region, and its unit's product model category;
- work orders (arrival): their own outlet, the ticket's region and category;
- follow-ups, complaints and 三包 requests: through their ticket (a complaint or request without a
  ticket counts for the organisation only); a 三包 request's category is its unit's;
- staff KPIs: by outlet only, the outlet of the membership the person holds on `last_day`;
- calls, corrective actions, outlet coverage and the fund: organisation only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from service_ops.errors import N_

Unit = Literal["rate", "mean", "hours", "money", "per_1000"]
Dimension = Literal["outlet", "region", "category"]

DIMENSIONS: tuple[Dimension, ...] = ("outlet", "region", "category")
ALL: tuple[Dimension, ...] = DIMENSIONS
OUTLET: tuple[Dimension, ...] = ("outlet",)
NONE: tuple[Dimension, ...] = ()


@dataclass(frozen=True)
class KpiDefinition:
    code: str
    title: str
    unit: Unit
    dimensions: tuple[Dimension, ...]
    higher_is_better: bool
    numerator_label: str
    denominator_label: str


def _kpi(
    code: str,
    title: str,
    unit: Unit,
    dimensions: tuple[Dimension, ...],
    numerator_label: str,
    denominator_label: str,
    higher_is_better: bool = True,
) -> KpiDefinition:
    return KpiDefinition(code, title, unit, dimensions, higher_is_better, numerator_label, denominator_label)


_DEFINITIONS = (
    _kpi(
        "hotline_answer_rate",
        N_("Hotline answer rate"),
        "rate",
        NONE,
        N_("Calls answered"),
        N_("Inbound calls"),
    ),
    _kpi(
        "hotline_service_level_20s",
        N_("Hotline calls answered within 20 s"),
        "rate",
        NONE,
        N_("Calls answered within 20 s"),
        N_("Inbound calls"),
    ),
    _kpi(
        "response_on_time_rate",
        N_("First response on time"),
        "rate",
        ALL,
        N_("Tickets responded to on time"),
        N_("Tickets whose response fell due"),
    ),
    _kpi(
        "arrival_on_time_rate",
        N_("On-site arrival on time"),
        "rate",
        ALL,
        N_("First visits arrived on time"),
        N_("First visits whose arrival fell due"),
    ),
    _kpi(
        "resolution_on_time_rate",
        N_("Resolution on time"),
        "rate",
        ALL,
        N_("Tickets resolved on time"),
        N_("Tickets whose resolution fell due"),
    ),
    _kpi(
        "capa_on_time_rate",
        N_("Corrective actions closed on time"),
        "rate",
        NONE,
        N_("Corrective actions closed on time"),
        N_("Corrective actions that fell due"),
    ),
    _kpi(
        "guarantee_decision_on_time_rate",
        N_("三包 requests decided on time"),
        "rate",
        ALL,
        N_("Requests decided on time"),
        N_("Requests whose decision fell due"),
    ),
    _kpi(
        "first_time_fix_rate",
        N_("First-time fix rate"),
        "rate",
        ALL,
        N_("Repairs fixed at the only visit"),
        N_("Repair tickets resolved"),
    ),
    _kpi(
        "repeat_repair_rate_30d",
        N_("Repeat repairs within 30 days"),
        "rate",
        ALL,
        N_("Repairs followed by another within 30 days"),
        N_("Repair tickets resolved with a serial number"),
        higher_is_better=False,
    ),
    _kpi(
        "install_first_pass_rate",
        N_("Installations passed at the first visit"),
        "rate",
        ALL,
        N_("Installations passed at visit 1"),
        N_("Install tickets resolved"),
    ),
    _kpi(
        "followup_coverage_7d",
        N_("Follow-ups within 7 days"),
        "rate",
        ALL,
        N_("Tickets followed up within 7 days"),
        N_("Field tickets resolved"),
    ),
    _kpi(
        "csat_satisfied_rate",
        N_("Satisfied customers"),
        "rate",
        ALL,
        N_("Follow-ups scored 4 or 5"),
        N_("Follow-ups with a score"),
    ),
    _kpi(
        "csat_mean",
        N_("Mean satisfaction score"),
        "mean",
        ALL,
        N_("Sum of scores"),
        N_("Follow-ups with a score"),
    ),
    _kpi(
        "complaint_ack_2h_rate",
        N_("Complaints acknowledged within 2 h"),
        "rate",
        ALL,
        N_("Complaints acknowledged within 2 h"),
        N_("Complaints received"),
    ),
    _kpi(
        "complaint_resolved_24h_rate",
        N_("Complaints resolved within 24 h"),
        "rate",
        ALL,
        N_("Complaints resolved within 24 h"),
        N_("Complaints received"),
    ),
    _kpi(
        "complaints_per_1000_tickets",
        N_("Complaints per 1000 tickets"),
        "per_1000",
        ALL,
        N_("Complaints received"),
        N_("Tickets created"),
        higher_is_better=False,
    ),
    _kpi(
        "certified_staff_rate",
        N_("Staff holding every required certificate"),
        "rate",
        OUTLET,
        N_("Staff fully certified"),
        N_("Active staff with required courses"),
    ),
    _kpi(
        "service_manager_ratio",
        N_("Certified service managers among management staff"),
        "rate",
        OUTLET,
        N_("Management staff holding a service manager certificate"),
        N_("Active management staff"),
    ),
    _kpi(
        "training_hours_per_staff",
        N_("Training hours per staff member"),
        "hours",
        OUTLET,
        N_("Training hours attended"),
        N_("Active staff"),
    ),
    _kpi(
        "training_coverage_rate",
        N_("Staff trained in the period"),
        "rate",
        OUTLET,
        N_("Staff who attended a session"),
        N_("Active staff"),
    ),
    _kpi(
        "outlet_coverage_rate",
        N_("Sales regions covered by an outlet"),
        "rate",
        NONE,
        N_("Sales regions covered"),
        N_("Sales regions"),
    ),
    _kpi(
        "fund_utilisation",
        N_("Service fund utilisation"),
        "money",
        NONE,
        N_("Expenses posted"),
        N_("Budget posted"),
    ),
    _kpi(
        "fund_reserve_balance",
        N_("Service fund reserve balance"),
        "money",
        NONE,
        N_("Reserve balance"),
        N_("(none)"),
    ),
)

KPIS: dict[str, KpiDefinition] = {definition.code: definition for definition in _DEFINITIONS}
