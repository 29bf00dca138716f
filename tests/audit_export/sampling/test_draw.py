"""The pure draw: reproducible for a seed, proportional by stratum (largest remainder), whole frame
when the size reaches the population, refused for a size below 1."""

from __future__ import annotations

import random

import pytest

from audit_export.sampling.draw import FrameRecord, allocate, draw
from service_ops.errors import Invalid

FRAME = [FrameRecord(entity_id=n, stratum="A" if n % 4 else "B") for n in range(1, 101)]
"""75 records in stratum A, 25 in B."""


def ids(cases: list[object]) -> list[int]:
    return [case.entity_id for case in cases]  # type: ignore[attr-defined]


def test_the_same_seed_gives_the_same_cases_whatever_the_frame_order() -> None:
    shuffled = list(FRAME)
    random.Random(99).shuffle(shuffled)
    first, again = draw(FRAME, 10, seed=42), draw(shuffled, 10, seed=42)
    assert ids(first) == ids(again)
    assert [case.position for case in first] == list(range(1, 11))
    assert len(set(ids(first))) == 10


def test_a_different_seed_gives_different_cases() -> None:
    assert ids(draw(FRAME, 10, seed=42)) != ids(draw(FRAME, 10, seed=43))


def test_the_global_random_generator_is_left_alone() -> None:
    random.seed(7)
    expected = random.random()
    random.seed(7)
    draw(FRAME, 10, seed=1, stratified=True)
    assert random.random() == expected


def test_stratified_draw_is_proportional() -> None:
    cases = draw(FRAME, 8, seed=5, stratified=True)
    strata = [case.stratum for case in cases]
    assert strata.count("A") == 6 and strata.count("B") == 2
    assert all(FRAME[case.entity_id - 1].stratum == case.stratum for case in cases)
    assert ids(cases) == ids(draw(list(reversed(FRAME)), 8, seed=5, stratified=True))


@pytest.mark.parametrize(
    ("counts", "size", "expected"),
    [
        ({"A": 75, "B": 25}, 8, {"A": 6, "B": 2}),
        ({"A": 5, "B": 3, "C": 2}, 5, {"A": 3, "B": 1, "C": 1}),  # 2.5 / 1.5 / 1.0: A wins the tie by size
        ({"x": 1, "y": 1, "z": 1}, 2, {"x": 1, "y": 1, "z": 0}),  # equal remainders and sizes: by name
        ({"A": 3, "B": 1}, 10, {"A": 3, "B": 1}),
        ({"A": 10, "B": 1}, 3, {"A": 3, "B": 0}),  # 2.73 / 0.27: largest remainder, not a minimum per stratum
    ],
)
def test_largest_remainder_allocation(counts: dict[str, int], size: int, expected: dict[str, int]) -> None:
    allocated = allocate(counts, size)
    assert allocated == expected
    assert sum(allocated.values()) == min(size, sum(counts.values()))


def test_a_size_above_the_population_takes_every_record_in_id_order() -> None:
    cases = draw(list(reversed(FRAME[:5])), 50, seed=3)
    assert ids(cases) == [1, 2, 3, 4, 5]
    assert draw([], 5, seed=3) == []


@pytest.mark.parametrize("size", [0, -1])
def test_a_size_below_one_is_refused(size: int) -> None:
    with pytest.raises(Invalid) as refused:
        draw(FRAME, size, seed=1)
    assert refused.value.field == "size"
