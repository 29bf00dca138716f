"""Fixtures of the outlet tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.outlets.network import new_course, retire_course


@pytest.fixture
async def tv_course(system: Any) -> AsyncIterator[int]:
    """An active course qualifying technicians for televisions, retired after the test."""
    course_id = await new_course(system)
    yield course_id
    await retire_course(system, course_id)
