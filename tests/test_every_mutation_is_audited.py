"""Every public mutation in every domain's services.py records an audit event (rule 1).

Each domain lists a scenario per service function in tests/<domain>/audit_scenarios.py; a new
service function without one fails `test_every_service_function_has_a_scenario`.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest

from service_ops.tables import AuditEvent
from tests.audit_scenarios import Scenarios
from tests.conftest import ROOT

PACKAGES = ("service_ops", "outlets", "tickets", "training", "audit_export")


def _domains() -> list[str]:
    """Dotted paths of every folder holding a services module or package (e.g. `service_ops.fund`)."""
    modules = [
        path
        for package in PACKAGES
        for path in [
            *(ROOT / package).glob("**/services.py"),
            *(ROOT / package).glob("**/services/__init__.py"),
        ]
    ]
    folders = {path.parent if path.name == "services.py" else path.parent.parent for path in modules}
    return sorted(".".join(folder.relative_to(ROOT).parts) for folder in folders)


def public_service_functions() -> set[str]:
    """Public coroutines of each services module (a services package: what its __all__ exports)."""
    names = set()
    for domain in _domains():
        module_name = f"{domain}.services"
        module = importlib.import_module(module_name)
        exported = getattr(module, "__all__", None)
        for name, function in inspect.getmembers(module, inspect.iscoroutinefunction):
            own = function.__module__ == module_name or function.__module__.startswith(module_name + ".")
            if not name.startswith("_") and own and (exported is None or name in exported):
                names.add(f"{module_name}.{name}")
    return names


def all_scenarios() -> Scenarios:
    """Scenarios of `a.b.services` live in tests/a/b/audit_scenarios.py."""
    merged: Scenarios = {}
    for domain in _domains():
        if (ROOT / "tests" / Path(*domain.split(".")) / "audit_scenarios.py").exists():
            merged.update(importlib.import_module(f"tests.{domain}.audit_scenarios").SCENARIOS)
    return merged


def test_every_service_function_has_a_scenario() -> None:
    missing = public_service_functions() - set(all_scenarios())
    assert not missing, f"add scenarios in tests/<domain>/audit_scenarios.py for {sorted(missing)}"


@pytest.mark.parametrize("function_name", sorted(all_scenarios()))
async def test_service_function_records_an_event(
    function_name: str, system: Any, make_user: Any, world: dict[str, Any]
) -> None:
    expected_action, scenario = all_scenarios()[function_name]
    ctx = {"system": system, "make_user": make_user, "world": world}
    ctx["agent"] = await make_user("agent")  # set-up writes happen before the last sequence number is read
    last = await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first()
    await scenario(ctx)
    new_actions = [
        row["action"]
        for row in await AuditEvent.select(AuditEvent.action).where(AuditEvent.seq > last["seq"])
    ]
    assert expected_action in new_actions, f"{function_name} wrote {new_actions}"
