"""Audit scenarios for audit_export.services: one `scenarios_<module>.py` beside this file per
services module, each with a SCENARIOS dict; merged here."""

from __future__ import annotations

import importlib
from pathlib import Path

from tests.audit_scenarios import Scenarios

SCENARIOS: Scenarios = {}
for path in sorted(Path(__file__).parent.glob("scenarios_*.py")):
    SCENARIOS.update(importlib.import_module(f"tests.audit_export.{path.stem}").SCENARIOS)
