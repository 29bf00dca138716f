"""The KPI codes a service target may name: the contract in shared gbt27922/kpis.md, as data.

`scale` says which target values make sense: a `fraction` is a rate from 0 to 1 (">=0.95", not
">=95"), `score` a mean satisfaction score from 1 to 5, `count` and `money` are non-negative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from service_ops.errors import N_, Invalid


@dataclass(frozen=True)
class KpiCode:
    code: str
    label: str
    scale: str


def _kpi(code: str, label: str, scale: str = "fraction") -> KpiCode:
    return KpiCode(code=code, label=label, scale=scale)


KPIS: tuple[KpiCode, ...] = (
    _kpi("hotline_answer_rate", N_("Hotline answer rate")),
    _kpi("hotline_service_level_20s", N_("Calls answered within 20 s")),
    _kpi("response_on_time_rate", N_("Response on-time rate")),
    _kpi("arrival_on_time_rate", N_("Arrival on-time rate")),
    _kpi("resolution_on_time_rate", N_("Resolution on-time rate")),
    _kpi("capa_on_time_rate", N_("Corrective actions closed on time")),
    _kpi("guarantee_decision_on_time_rate", N_("三包 decisions on time")),
    _kpi("first_time_fix_rate", N_("First-time fix rate")),
    _kpi("repeat_repair_rate_30d", N_("Repeat repairs within 30 days")),
    _kpi("install_first_pass_rate", N_("Installation first-pass rate")),
    _kpi("followup_coverage_7d", N_("Follow-up calls within 7 days")),
    _kpi("csat_satisfied_rate", N_("Satisfied rate")),
    _kpi("csat_mean", N_("Mean satisfaction score"), "score"),
    _kpi("complaint_ack_2h_rate", N_("Complaints acknowledged within 2 h")),
    _kpi("complaint_resolved_24h_rate", N_("Complaints resolved within 24 h")),
    _kpi("complaints_per_1000_tickets", N_("Complaints per 1,000 tickets"), "count"),
    _kpi("certified_staff_rate", N_("Certified staff rate")),
    _kpi("service_manager_ratio", N_("Certified service managers among management staff")),
    _kpi("training_hours_per_staff", N_("Training hours per person"), "count"),
    _kpi("training_coverage_rate", N_("Training coverage rate")),
    _kpi("outlet_coverage_rate", N_("Outlet coverage of sales regions")),
    _kpi("fund_utilisation", N_("Service fund utilisation"), "count"),
    _kpi("fund_reserve_balance", N_("Service fund reserve balance"), "money"),
)
BY_CODE = {kpi.code: kpi for kpi in KPIS}
_COMPARISON = re.compile(r"^(>=|<=|>|<|=)\s*([0-9]+(?:\.[0-9]+)?)$")
_BOUNDS = {
    "fraction": (Decimal(0), Decimal(1)),
    "score": (Decimal(1), Decimal(5)),
    "count": (Decimal(0), Decimal(10) ** 9),
    "money": (Decimal(0), Decimal(10) ** 12),
}


def kpi_code(raw: str | None) -> KpiCode:
    """The KPI of a code from kpis.md, or a 400 naming the problem."""
    code = (raw or "").strip().lower()
    kpi = BY_CODE.get(code)
    if kpi is None:
        raise Invalid(
            "“{value}” is not a KPI code of kpis.md (e.g. first_time_fix_rate).",
            field="kpi_code",
            value=(raw or "")[:60],
        )
    return kpi


def target_comparison(raw: str | None, kpi: KpiCode) -> str:
    """A target as written in the rubric: an operator and a number (">=0.95"), checked for its KPI."""
    text = (raw or "").strip().replace(" ", "")
    match = _COMPARISON.match(text)
    if match is None or len(text) > 30:
        raise Invalid(
            "“{value}” is not a target: write an operator and a number, e.g. >=0.95 or <=0.01.",
            field="target",
            value=(raw or "")[:30],
        )
    try:
        value = Decimal(match.group(2))
    except InvalidOperation as error:  # pragma: no cover - the pattern only lets numbers through
        raise Invalid("“{value}” is not a number.", field="target", value=match.group(2)) from error
    low, high = _BOUNDS[kpi.scale]
    if not low <= value <= high:
        raise Invalid(
            "A target for {kpi} lies between {low} and {high}.",
            field="target",
            kpi=kpi.code,
            low=str(low),
            high=str(high),
        )
    return f"{match.group(1)}{match.group(2)}"
