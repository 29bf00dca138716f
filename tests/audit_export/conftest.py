"""Fixtures of the audit_export tests."""

from __future__ import annotations

from tests.service_ops.documents.conftest import api_as

__all__ = ["api_as"]
