"""Audit scenarios for the loop services (see tests/audit_scenarios.py)."""

from __future__ import annotations

from tests.audit_scenarios import Scenarios

SCENARIOS: Scenarios = {}
