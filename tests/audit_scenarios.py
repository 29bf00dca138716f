"""Shared pieces of the per-domain audit scenarios (tests/<domain>/audit_scenarios.py).

Each domain's module defines `SCENARIOS = {"<module>.<function>": (expected_action, scenario)}`:
a scenario calls that service function successfully, given `ctx` with `system` (the system
actor), `make_user` (the fixture) and `world` (the fixture's records).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from service_ops.actor import Actor

Scenario = Callable[[dict[str, Any]], Awaitable[Any]]
Scenarios = dict[str, tuple[str, Scenario]]


async def agent(ctx: dict[str, Any]) -> Actor:
    """One hotline agent per scenario run, made on first use."""
    if "agent" not in ctx:
        ctx["agent"] = await ctx["make_user"]("agent")
    made: Actor = ctx["agent"]
    return made


async def as_agent(ctx: dict[str, Any], action: Callable[[Actor], Awaitable[Any]]) -> Any:
    return await action(await agent(ctx))


async def then(first: Awaitable[Any], action: Callable[[Any], Awaitable[Any]]) -> Any:
    return await action(await first)
