"""Dispatch ranking: which outlets may take a job in a region for a product category, best first, and why.

A handful of queries whatever the network's size: every outlet's terms with whether it covers the
region (a recursive CTE up the region tree) and serves the category, in one query; the technicians
of the covering outlets; and training's answer on who of them is qualified.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from outlets.coverage import agreement_current
from outlets.tables import Outlet, OutletMembership
from service_ops.choices import ProductCategory, Role
from service_ops.errors import N_, Invalid, NotFound
from service_ops.tables import Region
from training import queries as training

LOAD_WEIGHT = 0.6
RATE_WEIGHT = 0.4


@dataclass(frozen=True, slots=True)
class Reason:
    message: str
    """Untranslated message id (N_ marked); shown with `i18n.gettext(message, **params)`."""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OutletCandidate:
    outlet_id: int
    code: str
    name: str
    kind: str
    eligible: bool
    reasons: list[Reason]
    """Why in (load, on-time rate, qualified technicians) or why out (every failed check)."""
    load: int
    capacity: int
    on_time_rate: float | None
    qualified_technicians: int
    score: float
    """Higher is better; 0 for an ineligible outlet."""


@dataclass
class _Facts:
    """What the checks need to know, gathered for all outlets at once."""

    covering: set[int]
    serving: set[int]
    qualified: dict[int, int]
    exclude: set[int]


async def rank_outlets(
    region_id: int,
    category: str,
    on: date,
    open_load: Mapping[int, int],
    on_time_rate: Mapping[int, float | None],
    exclude: Collection[int] = (),
) -> list[OutletCandidate]:
    """Every outlet, eligible ones first by score (ties: lower load, then code), then the others.

    Eligible: active, covering the region (a listed ancestor covers it), serving the category, with
    a current agreement (authorised outlets), a qualified technician on `on`, and not in `exclude`.
    Qualification is asked of training for the outlets covering the region only; an outlet that
    does not cover it is out whatever its staff, and shows 0 qualified technicians.
    Score = 100 × (0.6 × free share of today's capacity + 0.4 × on-time rate); an outlet without
    an on-time rate is scored with the mean rate of the covering outlets that have one (else 1.0).
    """
    if category not in {c.value for c in ProductCategory}:
        raise Invalid("Unknown product category “{category}”.", field="category", category=category[:32])
    outlets = await _outlets_for(region_id, category)
    covering = {row["id"] for row in outlets if row["covers"]}
    facts = _Facts(
        covering=covering,
        serving={row["id"] for row in outlets if row["serves"]},
        qualified=await qualified_technicians(covering, category, on),
        exclude=set(exclude),
    )
    rated = [rate for outlet_id, rate in on_time_rate.items() if outlet_id in covering and rate is not None]
    default_rate = sum(rated) / len(rated) if rated else 1.0
    candidates = [_candidate(row, facts, on, open_load, on_time_rate, default_rate) for row in outlets]
    eligible = sorted((c for c in candidates if c.eligible), key=lambda c: (-c.score, c.load, c.code))
    others = sorted((c for c in candidates if not c.eligible), key=lambda c: (len(c.reasons), c.code))
    return eligible + others


_OUTLETS_FOR = """
WITH RECURSIVE up(id, parent) AS (
    SELECT id, parent FROM region WHERE id = {}
    UNION
    SELECT region.id, region.parent FROM region JOIN up ON region.id = up.parent
)
SELECT outlet.id, outlet.code, outlet.name, outlet.kind, outlet.is_active, outlet.daily_capacity,
    outlet.agreement_expires,
    EXISTS (
        SELECT 1 FROM outlet_coverage JOIN up ON outlet_coverage.region = up.id
        WHERE outlet_coverage.outlet = outlet.id
    ) AS covers,
    EXISTS (
        SELECT 1 FROM outlet_category
        WHERE outlet_category.outlet = outlet.id AND outlet_category.category = {}
    ) AS serves,
    (SELECT count(*) FROM up) AS region_found
FROM outlet
"""


async def _outlets_for(region_id: int, category: str) -> list[dict[str, Any]]:
    """Every outlet's terms, whether it covers the region (a recursive CTE up the tree: the region or
    one of its ancestors is listed) and whether it serves the category: one query."""
    rows: list[dict[str, Any]] = await Outlet.raw(_OUTLETS_FOR, region_id, category)
    found = rows[0]["region_found"] if rows else await Region.exists().where(Region.id == region_id)
    if not found:
        raise NotFound("Region {id} not found.", id=region_id)
    return rows


async def qualified_technicians(outlet_ids: Collection[int], category: str, on: date) -> dict[int, int]:
    """How many of each outlet's technicians (working there on `on`) are qualified for the category."""
    if not outlet_ids:
        return {}
    rows = await OutletMembership.select(OutletMembership.outlet, OutletMembership.user).where(
        OutletMembership.outlet.is_in(list(outlet_ids))
        & (OutletMembership.since <= on)
        & (OutletMembership.until.is_null() | (OutletMembership.until >= on))
        & (OutletMembership.user.role == Role.TECHNICIAN.value)
        & OutletMembership.user._.is_active.eq(True)
    )
    qualified = await training.qualified_user_ids({row["user"] for row in rows}, category, on)
    counts: dict[int, int] = {}
    for row in rows:
        if row["user"] in qualified:
            counts[row["outlet"]] = counts.get(row["outlet"], 0) + 1
    return counts


def _candidate(
    row: dict[str, Any],
    facts: _Facts,
    on: date,
    open_load: Mapping[int, int],
    on_time_rate: Mapping[int, float | None],
    default_rate: float,
) -> OutletCandidate:
    outlet_id = row["id"]
    load, capacity = int(open_load.get(outlet_id, 0)), int(row["daily_capacity"])
    rate = on_time_rate.get(outlet_id)
    qualified = facts.qualified.get(outlet_id, 0)
    failed = _failed_checks(row, facts, on, qualified)
    if failed:
        reasons, score = failed, 0.0
    else:
        reasons = _why_in(load, capacity, rate, qualified)
        free = max(0.0, 1.0 - load / capacity) if capacity > 0 else 0.0
        score = round(100 * (LOAD_WEIGHT * free + RATE_WEIGHT * (default_rate if rate is None else rate)), 2)
    return OutletCandidate(
        outlet_id=outlet_id,
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        eligible=not failed,
        reasons=reasons,
        load=load,
        capacity=capacity,
        on_time_rate=rate,
        qualified_technicians=qualified,
        score=score,
    )


def _failed_checks(row: dict[str, Any], facts: _Facts, on: date, qualified: int) -> list[Reason]:
    outlet_id = row["id"]
    failed = []
    if not row["is_active"]:
        failed.append(Reason(N_("The outlet is inactive.")))
    if outlet_id not in facts.covering:
        failed.append(Reason(N_("Does not cover the ticket's region.")))
    if outlet_id not in facts.serving:
        failed.append(Reason(N_("Does not serve this product category.")))
    if not agreement_current(row["kind"], row["agreement_expires"], on):
        failed.append(
            Reason(N_("Agreement expired on {day}."), {"day": row["agreement_expires"].isoformat()})
        )
    if outlet_id in facts.covering and qualified == 0:
        failed.append(Reason(N_("No technician qualified for this product category.")))
    if outlet_id in facts.exclude:
        failed.append(Reason(N_("Refused this ticket before.")))
    return failed


def _why_in(load: int, capacity: int, rate: float | None, qualified: int) -> list[Reason]:
    if rate is None:
        reasons = [Reason(N_("Load {load}/{capacity}, no recent on-time record."), _load(load, capacity))]
    else:
        reasons = [
            Reason(
                N_("Load {load}/{capacity}, on-time rate {rate}%."),
                {**_load(load, capacity), "rate": round(rate * 100)},
            )
        ]
    reasons.append(Reason(N_("Qualified technicians: {count}."), {"count": qualified}))
    if load >= capacity:
        reasons.append(Reason(N_("At or over its daily capacity.")))
    return reasons


def _load(load: int, capacity: int) -> dict[str, Any]:
    return {"load": load, "capacity": capacity}
