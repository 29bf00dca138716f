"""Fixtures of the training tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from service_ops.actor import Actor
from tests.training.factories import new_course, retire_course


@pytest.fixture
async def courses(system: Actor) -> AsyncIterator[Callable[..., Awaitable[int]]]:
    """courses(**options) → a new course id; every course made is retired after the test."""
    made: list[int] = []

    async def make(**options: Any) -> int:
        course_id = await new_course(system, **options)
        made.append(course_id)
        return course_id

    yield make
    for course_id in made:
        await retire_course(system, course_id)


@pytest.fixture
async def trainer(make_user: Any) -> Actor:
    made: Actor = await make_user("trainer")
    return made
