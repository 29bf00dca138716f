"""Building blocks of the sampling tests: a period no other test uses, tickets placed in it, units
of a product category. The database is shared by the whole run, so each test draws from a period
of its own (records are moved into it after they are made: set-up, not a service)."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from audit_export.period import Period
from audit_export.sampling.frame import SampleEntity, Stratify, sampling_frame
from service_ops import clock
from service_ops import services as core_services
from service_ops.actor import Actor
from service_ops.choices import ProductCategory
from service_ops.schemas import ProductModelCreate, UnitCreate
from tests.conftest import unique
from tickets import services as tickets
from tickets.choices import TicketKind
from tickets.schemas import TicketCreate
from tickets.tables import Ticket


async def lonely_period() -> Period:
    """A day long ago that holds no record of any sampled kind yet (drawn again when another test
    already used the day)."""
    for _ in range(50):
        start = date(1990, 1, 1) + timedelta(days=secrets.randbelow(9000))
        period = Period(start, start + timedelta(days=1))
        if not any([await sampling_frame(entity, period, Stratify.NONE) for entity in SampleEntity]):
            return period
    raise AssertionError("no unused day found for a sampling test")


async def unit_of(system: Actor, customer_id: int, category: ProductCategory) -> int:
    model = unique("SM-")
    await core_services.create_product_model(
        system, ProductModelCreate(code=model, name="抽样机型", category=category)
    )
    return await core_services.register_unit(
        system,
        UnitCreate(
            serial_number=unique("SMP"),
            model_code=model,
            customer_id=customer_id,
            purchase_date=clock.today() - timedelta(days=60),
        ),
    )


async def tickets_in(
    period: Period, agent: Actor, customer_id: int, unit_id: int | None, count: int
) -> list[int]:
    """`count` repair tickets, moved to the first hour of `period`."""
    made = [
        await tickets.create_ticket(
            agent,
            TicketCreate(
                kind=TicketKind.REPAIR, customer_id=customer_id, unit_id=unit_id, description="抽样"
            ),
        )
        for _ in range(count)
    ]
    await Ticket.update({Ticket.created_at: period.start_at + timedelta(hours=1)}).where(
        Ticket.id.is_in(made)
    )
    return made
