"""Audit scenarios for audit_export.services.samples (see tests/audit_scenarios.py)."""

from __future__ import annotations

from typing import Any

from audit_export.period import Period
from audit_export.sampling import events
from audit_export.services import samples
from service_ops import clock
from tests.audit_scenarios import Scenarios


async def _draw(ctx: dict[str, Any]) -> Any:
    auditor = await ctx["make_user"]("auditor")
    return await samples.draw_sample(auditor, "ticket", Period.month(clock.today()), 3, seed=1)


async def _check(ctx: dict[str, Any]) -> Any:
    """A case needs a drawn record: the agent's ticket of today makes the month's frame non-empty."""
    from tickets import services as tickets
    from tickets.choices import TicketKind
    from tickets.schemas import TicketCreate

    auditor = await ctx["make_user"]("auditor")
    await tickets.create_ticket(
        ctx["agent"],
        TicketCreate(
            kind=TicketKind.REPAIR,
            customer_id=ctx["world"]["customer_id"],
            unit_id=ctx["world"]["unit_id"],
            description="抽样",
        ),
    )
    sample = await samples.draw_sample(auditor, "ticket", Period.month(clock.today()), 1, seed=2)
    return await samples.record_case_result(auditor, sample.case_list[0].id, "pass", "")


SCENARIOS: Scenarios = {
    "audit_export.services.draw_sample": (events.SAMPLE_DRAWN, _draw),
    "audit_export.services.record_case_result": (events.SAMPLE_CASE_CHECKED, _check),
}
