"""Fixtures of the audit_export tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.service_ops.documents.conftest import api_as
from training.tables import Course

__all__ = ["api_as"]


@pytest.fixture(autouse=True)
async def retire_imported_courses() -> AsyncIterator[None]:
    """A course imported from a history bundle is required for technicians and would bind every
    later test's technicians: retire it after the test, as tests/tickets/field.py's callers do."""
    yield
    await Course.update({Course.is_active: False}).where(Course.origin.like("import:%"))
