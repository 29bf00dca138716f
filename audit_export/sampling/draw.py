"""The pure, seeded draw of an audit sample: the same frame and the same seed give the same cases.

Method (shown on the samples page):
1. The frame is ordered by record id, so the order the database returns rows in does not matter.
2. A private `random.Random(seed)` is used, never the global generator.
3. Unstratified: `rng.sample(frame, size)`; the cases keep the order they were drawn in.
4. Stratified: each stratum (outlet or product category) gets `size × stratum / population`
   cases, rounded down; the cases still missing go one each to the strata with the largest
   remainders (ties: the larger stratum, then the stratum's name) — the largest-remainder method.
   Strata are then drawn one after another in name order, each with `rng.sample`.
5. A size at or above the population takes every record (in id order).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from service_ops.errors import N_, Invalid


@dataclass(frozen=True)
class FrameRecord:
    """One record the sample may draw: its id and its stratum ("" when not stratified)."""

    entity_id: int
    stratum: str = ""


@dataclass(frozen=True)
class DrawnCase:
    position: int
    """1-based order of the draw."""
    entity_id: int
    stratum: str


def allocate(counts: dict[str, int], size: int) -> dict[str, int]:
    """Proportional allocation of `size` over strata of `counts` records, largest remainder."""
    population = sum(counts.values())
    if size >= population:
        return dict(counts)
    shares = {name: Fraction(size * count, population) for name, count in counts.items()}
    allocated = {name: int(share) for name, share in shares.items()}
    missing = size - sum(allocated.values())
    by_remainder = sorted(counts, key=lambda name: (-(shares[name] - allocated[name]), -counts[name], name))
    for name in by_remainder[:missing]:
        allocated[name] += 1
    return allocated


def check_size(size: int) -> None:
    if size <= 0:
        raise Invalid(N_("The sample size must be at least 1 (it was {size})."), field="size", size=size)


def draw(frame: Sequence[FrameRecord], size: int, seed: int, stratified: bool = False) -> list[DrawnCase]:
    """The cases of a sample of `size` drawn from `frame` with `seed` (see the module's method)."""
    check_size(size)
    ordered = sorted(frame, key=lambda record: record.entity_id)
    if size >= len(ordered):
        chosen = ordered
    elif not stratified:
        chosen = random.Random(seed).sample(ordered, size)
    else:
        chosen = _stratified(ordered, size, random.Random(seed))
    return [
        DrawnCase(position=index, entity_id=record.entity_id, stratum=record.stratum)
        for index, record in enumerate(chosen, start=1)
    ]


def _stratified(ordered: list[FrameRecord], size: int, rng: random.Random) -> list[FrameRecord]:
    strata: dict[str, list[FrameRecord]] = {}
    for record in ordered:
        strata.setdefault(record.stratum, []).append(record)
    allocation = allocate({name: len(records) for name, records in strata.items()}, size)
    chosen: list[FrameRecord] = []
    for name in sorted(strata):
        chosen.extend(rng.sample(strata[name], allocation[name]))
    return chosen
