"""Field work for the bench database: dispatches, technicians' visits (work orders) and their steps,
and the two bench technicians the field scenarios of `bench.run` log in as.

Driven by its own `random.Random(f"field-{seed}")`, so the rows of the original data set (regions ...
tickets, staffing) stay what they were for a seed. Ticket rows from `bench.history` get the six
dispatch / assignment columns (`TICKET_FIELD_COLUMNS`) appended, chunk by chunk, and the matching
`ticket_dispatch` and `work_order` rows come out beside them for the COPY; `work_order_step` rows
are made from the visits' times in the database afterwards (`STEPS_SQL`).

Rules (the app's own, as far as history can follow them):

* A visit ticket (install / repair / maintenance) that got a first response is offered to an outlet
  covering its county (directly, through its city or its province), picked by a hash of the ids
  (the same pick the earlier SQL made); tickets no outlet covers stay with none. Offers are accepted
  5-85 minutes later (a quarter after the 60-minute deadline), except tickets still `dispatched`.
* An accepted ticket gets a technician of that outlet (one holding a certificate for the unit's
  category when the outlet has one, who had joined the outlet by then): `ticket.technician`,
  `assigned_at` and visit 1 with the ticket's `arrival_due`.
* Resolved tickets: the last visit is completed at the ticket's `resolved_at` with a resolving result
  (repairs fixed, installs installed, a few replaced / refunded); ~10 % of visit-1 arrivals are late;
  ~8 % of repairs have a visit 2 after a `not_fixed` visit 1. Out-of-warranty visits carry fees.
* Open tickets: `accepted` -> visit `assigned` (not yet, if the assignment would be after `--end`),
  `in_progress` -> `en_route` or `arrived`. Cancelled tickets cancel their visit.
* Steps: one row per step taken (en_route, arrived, completed), received ~1 s later (4 % sent
  offline and received minutes later).

The bench technicians (password `bench.BENCH_PASSWORD`): `bench_tech` works at the first active
outlet after OT00001 that serves air conditioners and covers more than its county; he did ~55 % of
its past visits (~1.6k in the year, a busy technician) and has 8 open jobs due today (appointments
9:00-17:30, the first one en route) and 3 tomorrow, for customers his outlet covers. `bench_steps`
works at `OT-BENCH` (an extra outlet covering nothing, so dispatch never offers it a ticket) and has
`--step-orders` assigned visits due in the next two days. Their tickets come after the history
(ids > `--tickets`), numbered on with the day's counter.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bench import FIELD_USERNAME, STEPS_USERNAME
from bench.history import OTHER_WORK, PROBLEMS
from bench.staffing import COURSES, Staffing
from bench.world import CATEGORIES, Row, World, _add_user, address_in, new_mobile

TICKET_FIELD_COLUMNS = ["outlet", "dispatched_at", "accept_due", "accepted_at", "technician", "assigned_at"]
DISPATCH_COLUMNS = [
    "id", "ticket", "outlet", "mode", "rank", "dispatched_at", "dispatched_by", "accept_due", "decided_at",
    "decision", "decided_by", "reason",
]  # fmt: skip
WORK_ORDER_COLUMNS = [
    "id", "number", "ticket", "kind", "visit_no", "outlet", "technician", "status", "created_at",
    "arrival_due", "appointment_start", "appointment_end", "en_route_at", "arrived_at", "completed_at",
    "result", "symptom", "diagnosis", "in_warranty", "parts_fee", "labour_fee", "total_fee", "customer_pays",
    "payer", "cancelled_at", "cancel_reason", "previous",
]  # fmt: skip
STEPS_SQL = """
INSERT INTO work_order_step (work_order, step, taken_at, device_at, received_at, actor, was_offline)
SELECT w.id, s.step, s.at, s.at,
    s.at + CASE WHEN (w.id * 7 + s.n) % 25 = 0 THEN (60 + (w.id * 37 + s.n) % 1800) * interval '1 second'
                ELSE (200 + (w.id * 13 + s.n * 7) % 1000) * interval '1 millisecond' END,
    w.technician, (w.id * 7 + s.n) % 25 = 0
FROM work_order w
CROSS JOIN LATERAL (VALUES (1, 'en_route', w.en_route_at), (2, 'arrived', w.arrived_at),
                           (3, 'completed', w.completed_at)) AS s (n, step, at)
WHERE s.at IS NOT NULL
"""
"""One row per step each visit took, from its times (2M rows: cheaper in the database than through
Python and COPY). Received 0.2-1.2 s after it was taken; 4 % were sent offline and arrived 1-31
minutes later (picked by a hash of the ids)."""
BENCH_OUTLET_CODE = "OT-BENCH"
"""bench_steps' outlet: no coverage, no categories, so dispatch never offers it a ticket."""
LATE_ARRIVALS = 0.25  # drawn; ~10 % end up late (an arrival cannot be after the resolution)
REVISITS = 0.15  # of resolved repairs; ~8 % end up with a visit 2 (when there was time for one)
ONSITE_MINUTES = {"repair": 50.0, "install": 80.0, "maintenance": 40.0}
FINAL_RESULTS: dict[str, tuple[list[str], list[float]]] = {
    "repair": (["fixed", "replaced", "refunded"], [95, 4, 1]),
    "install": (["installed", "replaced", "refunded"], [98.5, 1, 0.5]),
    "maintenance": (["fixed"], [1]),
}
FIELD_DAY = [(9, 0), (10, 0), (11, 0), (13, 30), (14, 30), (15, 30), (16, 30), (17, 30)]
"""bench_tech's jobs due today (local times: the end of a two-hour appointment window)."""
FIELD_TOMORROW = [(9, 30), (11, 0), (14, 0)]
FIELD_SHARE = 0.55
"""Of his outlet's past visits, bench_tech's share: ~1.6k in the year, ~4-5 a working day."""
ZERO = Decimal("0.00")
NO_FIELD_WORK: tuple[Any, ...] = (None,) * 6
UNIX_EPOCH_ORDINAL = 719163


_ts: Callable[[float], datetime] = partial(datetime.fromtimestamp, tz=UTC)
"""Epoch seconds -> aware UTC datetime (a partial: no Python frame per call, ~3M calls a run)."""


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


@dataclass
class FieldRows:
    """Rows for one COPY round: ticket rows with the field columns appended, and what goes with them."""

    tickets: list[Row] = field(default_factory=list)
    dispatches: list[Row] = field(default_factory=list)
    work_orders: list[Row] = field(default_factory=list)


@dataclass
class _Visit:
    """One work order while it is being built (times in epoch seconds)."""

    visit_no: int
    technician: int
    status: str
    created: float
    due: float | None
    en_route: float | None = None
    arrived: float | None = None
    completed: float | None = None
    result: str | None = None
    cancelled: float | None = None
    cancel_reason: str = ""
    appointment: tuple[float, float] | None = None


class Field:
    """Builds the field rows; create it after the world and staffing, before they are copied (it adds
    the bench technicians, their memberships and the bench outlet to `world`)."""

    def __init__(
        self,
        world: World,
        staffing: Staffing,
        rng: random.Random,
        *,
        end: datetime,
        zone: ZoneInfo,
        bench_hash: str,
        step_orders: int,
    ) -> None:
        from tickets.sla import matching_policy  # the app's own rule, as in bench.history

        self.world, self.staffing, self.rng = world, staffing, rng
        self.end, self.zone, self.step_orders = end.timestamp(), zone, step_orders
        offset = zone.utcoffset(end)
        self.zone_offset = offset.total_seconds() if offset is not None else 0.0
        self.counts = {"work_orders": 0, "steps": 0, "dispatches": 0, "revisits": 0, "late_arrivals": 0}
        self.next_dispatch = self.next_order = 1
        self.policies = [
            dict(zip(["id", "name", "kind", "priority", "service_class", "response_minutes",
                      "arrival_minutes", "resolve_minutes", "is_active"], row, strict=True))
            for row in world.policies
        ]  # fmt: skip
        self.matching_policy = matching_policy
        today = end.astimezone(zone).date()
        self.managers = {row[1]: row[2] for row in world.memberships if row[3]}
        self.candidates = self._covering_outlets()
        self.field_outlet = self._pick_field_outlet()
        self.field_user = self._bench_user(FIELD_USERNAME, self.field_outlet, bench_hash, today)
        self.steps_outlet = self._bench_outlet(today)
        self.steps_user = self._bench_user(STEPS_USERNAME, self.steps_outlet, bench_hash, today)
        self.technicians = self._technician_pools()
        from service_ops.clock import add_months  # the app's rule for the end of a warranty

        self.warranty_end = [
            add_months(date.fromordinal(since), CATEGORIES[category][1]).toordinal()
            for since, category in zip(world.unit_since, world.unit_category, strict=True)
        ]

    # --- set-up --------------------------------------------------------------------------------

    def _covering_outlets(self) -> dict[int, list[int]]:
        """County id -> outlets covering it directly or through its city or province (ascending ids)."""
        parent = {region[0]: region[3] for region in self.world.regions}
        by_region: dict[int, set[int]] = {}
        for _, outlet_id, region in self.staffing.coverage:
            by_region.setdefault(region, set()).add(outlet_id)
        found: dict[int, list[int]] = {}
        for county in self.world.counties:
            city = parent[county]
            province = parent[city]
            outlets = (
                by_region.get(county, set()) | by_region.get(city, set()) | by_region.get(province, set())
            )
            if outlets:
                found[county] = sorted(outlets)
        return found

    def _pick_field_outlet(self) -> int:
        """bench_tech's outlet: the first active outlet after the matrix outlet (OT00001, which must keep
        exactly 50 staff) that serves air conditioners and covers more than its own county."""
        for outlet in self.world.outlets[1:]:
            outlet_id = outlet[0]
            if (
                outlet[8]
                and "air_conditioner" in self.staffing.outlet_categories[outlet_id - 1]
                and len(self.staffing.outlet_regions[outlet_id - 1]) > 1
            ):
                return int(outlet_id)
        return int(self.world.outlets[1][0])

    def _bench_outlet(self, today: date) -> int:
        world, rng = self.world, self.rng
        outlet_id = len(world.outlets) + 1
        region = world.outlets[self.field_outlet - 1][5]
        world.outlets.append(
            (
                outlet_id,
                BENCH_OUTLET_CODE,
                "压测专用网点",
                "own",
                address_in(world, rng, region),
                region,
                new_mobile(rng, world.taken_phones),
                30,
                True,
                None,
                None,
            )
        )
        return outlet_id

    def _bench_user(self, username: str, outlet_id: int, password_hash: str, today: date) -> int:
        """A technician with the bench password, at the outlet for two years (so history can be his)."""
        world = self.world
        user_id = _add_user(world, self.rng, username, "technician", password_hash, today)
        hired = today - timedelta(days=800)
        row = list(world.users[-1])
        row[9], row[11] = hired, datetime.combine(hired, time(), tzinfo=UTC)
        world.users[-1] = tuple(row)
        world.memberships.append((len(world.memberships) + 1, outlet_id, user_id, False, hired, None))
        return user_id

    def _technician_pools(self) -> dict[tuple[int, str], tuple[list[int], list[int]]]:
        """(outlet, category) -> (member since as ordinal days, ascending; the users): technicians
        holding a certificate of a course of the category, or all the outlet's technicians if none
        does. bench_tech is in his outlet's pools (history only); bench_steps in none."""
        world = self.world
        technicians = {user[0] for user in world.users if user[4] == "technician"}
        course_category = {index + 1: course[3] for index, course in enumerate(COURSES)}
        certified: set[tuple[int, str]] = {
            (row[2], category)
            for row in self.staffing.certificates
            if (category := course_category[row[3]]) is not None
        }
        members: dict[int, list[tuple[int, int]]] = {}
        for _, outlet_id, user_id, _manager, since, _until in world.memberships:
            if user_id in technicians and user_id != self.steps_user:
                members.setdefault(outlet_id, []).append((since.toordinal(), user_id))
        pools: dict[tuple[int, str], tuple[list[int], list[int]]] = {}
        for outlet_id, people in members.items():
            for category in CATEGORIES:
                qualified = [p for p in people if (p[1], category) in certified or p[1] == self.field_user]
                pool = sorted(qualified or people)
                pools[outlet_id, category] = ([since for since, _ in pool], [user for _, user in pool])
        return pools

    # --- the history ---------------------------------------------------------------------------

    def extend(self, tickets: list[Row]) -> FieldRows:
        """The field columns for a chunk of history tickets, and their dispatch / visit / step rows."""
        rows = FieldRows()
        for ticket in tickets:
            rows.tickets.append(ticket + self._ticket_field(ticket, rows))
        return rows

    def _ticket_field(self, ticket: Row, rows: FieldRows) -> tuple[Any, ...]:
        ticket_id, kind, status = ticket[0], ticket[2], ticket[5]
        if kind == "consult" or status == "new":
            return NO_FIELD_WORK
        created = ticket[12].timestamp()
        sent = min(self.end, created + (5 + ticket_id % 40) * 60)
        cancelled = ticket[20].timestamp() if ticket[20] is not None else None
        if cancelled is not None and cancelled <= sent:
            return NO_FIELD_WORK
        candidates = self.candidates.get(ticket[8])
        if not candidates:
            return NO_FIELD_WORK
        outlet = min(candidates, key=lambda o: ((o * 7919 + ticket_id) % 997, o))
        accepted: float | None = None
        if status != "dispatched":
            accepted = min(self.end, sent + ((ticket_id * 31) % 80) * 60)
            if cancelled is not None and accepted >= cancelled:
                accepted = None
        resolved = ticket[18].timestamp() if ticket[18] is not None else None
        if resolved is not None and accepted is not None and accepted + 1200 > resolved:
            span = resolved - created  # resolved within ~2 h: squeeze the chain in before it
            sent, accepted = created + span * 0.1, created + span * 0.2
        self._dispatch(rows, ticket_id, outlet, sent, accepted)
        if accepted is None:
            return (outlet, _ts(sent), _ts(sent + 3600), None, None, None)
        visits = self._visits(ticket, outlet, accepted, resolved, cancelled)
        if not visits:
            return (outlet, _ts(sent), _ts(sent + 3600), _ts(accepted), None, None)
        self._add_visits(rows, ticket, outlet, visits)
        first = visits[0]
        return (outlet, _ts(sent), _ts(sent + 3600), _ts(accepted), first.technician, _ts(first.created))

    def _dispatch(
        self, rows: FieldRows, ticket_id: int, outlet: int, sent: float, accepted: float | None
    ) -> None:
        rows.dispatches.append(
            (
                self.next_dispatch,
                ticket_id,
                outlet,
                "suggested",
                1,
                _ts(sent),
                "bench",
                _ts(sent + 3600),
                None if accepted is None else _ts(accepted),
                None if accepted is None else "accepted",
                None if accepted is None else self.managers.get(outlet),
                "",
            )
        )
        self.next_dispatch += 1
        self.counts["dispatches"] += 1

    def _technician(self, outlet: int, category: str, day: int, history: bool) -> int | None:
        if history and outlet == self.field_outlet and self.rng.random() < FIELD_SHARE:
            return self.field_user  # a busy technician: his job list reads a long history
        pool = self.technicians.get((outlet, category))
        if not pool:
            return None
        sinces, users = pool
        present = users[: bisect_right(sinces, day)] or users  # those who had joined by then
        if not history:  # bench_tech's open jobs are his bench day only
            present = [user for user in present if user != self.field_user]
            if not present:
                return None
        return present[int(self.rng.random() * len(present))]

    def _visits(
        self, ticket: Row, outlet: int, accepted: float, resolved: float | None, cancelled: float | None
    ) -> list[_Visit]:
        rng, end = self.rng, self.end
        kind, status = ticket[2], ticket[5]
        due = ticket[15].timestamp() if ticket[15] is not None else None
        day = int((ticket[12].timestamp() + self.zone_offset) // 86400) + UNIX_EPOCH_ORDINAL
        is_open = resolved is None and cancelled is None
        technician = self._technician(outlet, self.world.unit_category[ticket[7] - 1], day, not is_open)
        if technician is None:
            return []
        assigned = accepted + _lognormal(rng, 25 * 60, 0.8)
        if resolved is not None:
            assigned = min(assigned, accepted + (resolved - accepted) * 0.3)
            return self._resolved_visits(kind, technician, assigned, due, resolved)
        if cancelled is not None:
            if assigned >= cancelled:
                return []
            reason = ticket[21]
            return [
                _Visit(1, technician, "cancelled", assigned, due, cancelled=cancelled, cancel_reason=reason)
            ]
        if status == "accepted":
            return [] if assigned > end else [_Visit(1, technician, "assigned", assigned, due)]
        # in progress: on the way, or on site
        assigned = max(accepted, min(assigned, end - 60))
        visit = _Visit(1, technician, "en_route", assigned, due)
        if rng.random() < 0.5:
            visit.en_route = max(assigned, end - _lognormal(rng, 20 * 60, 0.6))
        else:
            visit.status = "arrived"
            visit.arrived = assigned + (end - assigned) * rng.uniform(0.3, 0.95)
            visit.en_route = visit.arrived - min(
                _lognormal(rng, 30 * 60, 0.5), (visit.arrived - assigned) * 0.8
            )
        return [visit]

    def _arrival(self, assigned: float, due: float | None, latest: float) -> float:
        """When the technician arrived: before `due` mostly, after it ~10 % of the time; never after
        `latest` (the time left for the work before the ticket was resolved)."""
        rng = self.rng
        if due is not None and rng.random() < LATE_ARRIVALS:
            arrived = due + _lognormal(rng, 80 * 60, 0.9)
        elif due is not None and due > assigned:
            arrived = assigned + max(1200.0, (due - assigned) * rng.uniform(0.15, 0.95))
        else:
            arrived = assigned + _lognormal(rng, 90 * 60, 0.6)
        low = assigned + min(1200.0, (latest - assigned) * 0.5)
        return min(max(arrived, low), latest)

    def _resolved_visits(
        self, kind: str, technician: int, assigned: float, due: float | None, resolved: float
    ) -> list[_Visit]:
        rng = self.rng
        onsite = _lognormal(rng, ONSITE_MINUTES[kind] * 60, 0.5)
        latest = resolved - min(onsite, (resolved - assigned) * 0.5)
        first = _Visit(1, technician, "completed", assigned, due)
        first.arrived = self._arrival(assigned, due, latest)
        first.en_route = first.arrived - min(_lognormal(rng, 30 * 60, 0.5), (first.arrived - assigned) * 0.8)
        if due is not None and first.arrived > due:
            self.counts["late_arrivals"] += 1
        visits = [first]
        if kind == "repair" and rng.random() < REVISITS and resolved - first.arrived > 6 * 3600:
            first.completed = first.arrived + min(onsite, 3 * 3600)
            first.result = "not_fixed"
            created = first.completed + 300
            second = _Visit(2, technician, "completed", created, created + 24 * 3600)
            onsite = _lognormal(rng, ONSITE_MINUTES[kind] * 60, 0.5)
            second.arrived = self._arrival(
                created, second.due, resolved - min(onsite, (resolved - created) * 0.5)
            )
            second.en_route = second.arrived - min(
                _lognormal(rng, 30 * 60, 0.5), (second.arrived - created) * 0.8
            )
            visits.append(second)
            self.counts["revisits"] += 1
        last = visits[-1]
        last.completed = resolved
        names, weights = FINAL_RESULTS[kind]
        last.result = rng.choices(names, weights)[0]
        return visits

    def _add_visits(self, rows: FieldRows, ticket: Row, outlet: int, visits: list[_Visit]) -> None:
        rng = self.rng
        ticket_id, number, kind, unit = ticket[0], ticket[1], ticket[2], ticket[7]
        local_day = int((ticket[12].timestamp() + self.zone_offset) // 86400) + UNIX_EPOCH_ORDINAL
        in_warranty = kind == "install" or local_day <= self.warranty_end[unit - 1]
        previous: int | None = None
        for visit in visits:
            order_id = self.next_order
            self.next_order += 1
            fees = (ZERO, ZERO, ZERO, ZERO, "warranty")
            if visit.completed is not None and not in_warranty:
                labour = Decimal(rng.choice([60, 80, 100, 120, 150]))
                parts = Decimal(rng.randint(3, 60) * 10) if rng.random() < 0.5 else ZERO
                fees = (parts, labour, parts + labour, parts + labour, "customer")
            diagnosis = ticket[19] if visit.result in ("fixed", "installed") else ""
            appointment = visit.appointment or (None, None)
            rows.work_orders.append(
                (
                    order_id,
                    f"{number}-{visit.visit_no}",
                    ticket_id,
                    kind,
                    visit.visit_no,
                    outlet,
                    visit.technician,
                    visit.status,
                    _ts(visit.created),
                    _opt(visit.due),
                    _opt(appointment[0]),
                    _opt(appointment[1]),
                    _opt(visit.en_route),
                    _opt(visit.arrived),
                    _opt(visit.completed),
                    visit.result,
                    ticket[10] if visit.visit_no == 1 else "",
                    diagnosis,
                    in_warranty,
                    *fees,
                    _opt(visit.cancelled),
                    visit.cancel_reason,
                    previous,
                )
            )
            previous = order_id
            self.counts["work_orders"] += 1

    # --- the bench technicians' jobs -----------------------------------------------------------

    def bench_jobs(self, counters: dict[str, int], next_ticket_id: int) -> FieldRows:
        """bench_tech's day (8 jobs due today, 3 tomorrow; one of today's en route) and bench_steps'
        `step_orders` assigned visits, as new tickets after the history (numbers continue the day's
        counter)."""
        rows = FieldRows()
        today = datetime.fromtimestamp(self.end, self.zone).date()
        slots = [(today, slot) for slot in FIELD_DAY] + [
            (today + timedelta(days=1), s) for s in FIELD_TOMORROW
        ]
        customers = self._customers_of(self.field_outlet)
        ticket_id = next_ticket_id
        for index, (day, (hour, minute)) in enumerate(slots):
            due = datetime.combine(day, time(hour, minute), tzinfo=self.zone).timestamp()
            self._bench_ticket(rows, counters, ticket_id, self.field_outlet, self.field_user, customers, due,
                               en_route=index == 0)  # fmt: skip
            ticket_id += 1
        everyone = list(range(len(self.world.customers)))
        for _ in range(self.step_orders):
            due = self.end + self.rng.uniform(2 * 3600, 48 * 3600)
            self._bench_ticket(rows, counters, ticket_id, self.steps_outlet, self.steps_user, everyone, due)
            ticket_id += 1
        return rows

    def _customers_of(self, outlet_id: int) -> list[int]:
        """Customers (0-based) living in a county the outlet covers."""
        parent = {region[0]: region[3] for region in self.world.regions}
        covered = set(self.staffing.outlet_regions[outlet_id - 1])
        counties = {c for c in self.world.counties if covered & {c, parent[c], parent[parent[c]]}}
        return [index for index, region in enumerate(self.world.customer_region) if region in counties]

    def _bench_ticket(
        self,
        rows: FieldRows,
        counters: dict[str, int],
        ticket_id: int,
        outlet: int,
        technician: int,
        customers: list[int],
        due: float,
        en_route: bool = False,
    ) -> None:
        rng, world, end = self.rng, self.world, self.end
        kind = rng.choices(["repair", "install", "maintenance"], [60, 25, 15])[0]
        customer = rng.choice(customers)
        unit = rng.choice(world.customer_units[customer])
        region = world.customer_region[customer]
        policy = self.matching_policy(self.policies, kind, "normal", world.region_class[region])
        assert policy is not None, "the catch-all policy matches everything"
        arrival = policy["arrival_minutes"] * 60
        created = due - arrival
        if created > end - 3 * 3600:  # due soon after a late --end: opened earlier, due earlier
            created = end - rng.uniform(3 * 3600, 6 * 3600)
            due = created + arrival
        day = datetime.fromtimestamp(created, self.zone).date()
        key = f"ticket:{day:%Y%m%d}"
        counters[key] = counters.get(key, 0) + 1
        number = f"T{day:%Y%m%d}{counters[key]:05d}"
        first, sent = created + rng.uniform(5, 20) * 60, created + rng.uniform(20, 40) * 60
        accepted, assigned = sent + rng.uniform(5, 30) * 60, sent + rng.uniform(35, 60) * 60
        category = world.unit_category[unit - 1]
        problem = rng.choice(OTHER_WORK[kind] if kind in OTHER_WORK else PROBLEMS[category])
        response_due = created + policy["response_minutes"] * 60
        resolve_due = created + policy["resolve_minutes"] * 60
        ticket = (
            ticket_id, number, kind, "wechat", "normal", "in_progress" if en_route else "accepted",
            customer + 1, unit, region, None, problem, rng.choice(world.agent_ids), _ts(created),
            policy["id"], _ts(response_due), _ts(due), _ts(resolve_due), _ts(first), None, "", None, "",
        )  # fmt: skip
        self._dispatch(rows, ticket_id, outlet, sent, accepted)
        visit = _Visit(1, technician, "assigned", assigned, due, appointment=(due - 2 * 3600, due))
        if en_route:
            visit.status, visit.en_route = "en_route", max(assigned, end - 10 * 60)
        self._add_visits(rows, ticket, outlet, [visit])
        rows.tickets.append(
            (*ticket, outlet, _ts(sent), _ts(sent + 3600), _ts(accepted), technician, _ts(assigned))
        )


def _opt(moment: float | None) -> datetime | None:
    return None if moment is None else _ts(moment)
