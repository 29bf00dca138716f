"""Building blocks for field tests: a small network, a field ticket, and a job assigned to a technician.

The database is shared by the whole run, so each call builds its own regions, outlets and people;
callers retire `course_id` afterwards (the course would otherwise bind other tests' technicians).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from service_ops import clock
from service_ops import services as core_services
from service_ops.actor import Actor
from service_ops.auth import load_actor
from service_ops.choices import ProductCategory
from service_ops.schemas import CustomerCreate, ProductModelCreate, UnitCreate
from tests.conftest import unique
from tests.outlets.network import CATEGORY, join, new_course, new_outlet, qualified_technician, region_tree
from tickets import services
from tickets.choices import TicketKind
from tickets.schemas import TicketCreate
from tickets.tables import WorkOrder


async def build_network(system: Any, make_user: Any) -> dict[str, Any]:
    """Two outlets able to repair televisions in one county, each with a manager and a qualified technician.

    The caller retires `course_id` afterwards (the course would otherwise bind other tests' technicians).
    """
    course_id = await new_course(system)
    regions = await region_tree(system)
    county = regions["county"][1]
    near_id, _ = await new_outlet(system, [regions["city"][1]])
    far_id, _ = await new_outlet(system, [county])
    people: dict[str, Any] = {"course_id": course_id}
    for name, outlet_id in (("near", near_id), ("far", far_id)):
        people[f"{name}_manager"] = await join(
            system, make_user, outlet_id, role="outlet_manager", is_manager=True
        )
        people[f"{name}_tech"] = await qualified_technician(system, make_user, outlet_id)
    people["unqualified"] = await join(system, make_user, near_id)
    model = unique("TV-")
    await core_services.create_product_model(
        system, ProductModelCreate(code=model, name="电视", category=ProductCategory(CATEGORY))
    )
    customer_id = await core_services.create_customer(
        system,
        CustomerCreate(name="派工客户", address="县道 1 号", region_code=county, phones=["13911112222"]),
    )
    unit_id = await core_services.register_unit(
        system,
        UnitCreate(
            serial_number=unique("TVSN"),
            model_code=model,
            customer_id=customer_id,
            purchase_date=clock.today() - timedelta(days=100),
        ),
    )
    return {**people, "near": near_id, "far": far_id, "customer_id": customer_id, "unit_id": unit_id}


async def new_field_ticket(make_user: Any, network: dict[str, Any]) -> int:
    agent = await make_user("agent")
    return await services.create_ticket(
        agent,
        TicketCreate(
            kind=TicketKind.REPAIR,
            customer_id=network["customer_id"],
            unit_id=network["unit_id"],
            description="黑屏",
        ),
    )


@dataclass
class AssignedJob:
    """A repair ticket accepted by the `near` outlet with visit 1 assigned to its technician."""

    network: dict[str, Any]
    ticket_id: int
    work_order_id: int
    technician: Actor
    outlet_manager: Actor
    other_technician: Actor


async def assigned_job(system: Any, make_user: Any, kind: TicketKind = TicketKind.REPAIR) -> AssignedJob:
    network = await build_network(system, make_user)
    agent = await make_user("agent")
    ticket_id = await services.create_ticket(
        agent,
        TicketCreate(
            kind=kind, customer_id=network["customer_id"], unit_id=network["unit_id"], description="黑屏"
        ),
    )
    dispatcher = await make_user("dispatcher")
    await services.dispatch_ticket(dispatcher, ticket_id, network["near"])
    manager = await load_actor(network["near_manager"].user_id)
    await services.accept_dispatch(manager, ticket_id)
    technician = await load_actor(network["near_tech"].user_id)
    await services.assign_technician(manager, ticket_id, technician.user_id)
    order = await WorkOrder.select(WorkOrder.id).where(WorkOrder.ticket == ticket_id).first()
    assert order is not None
    return AssignedJob(
        network=network,
        ticket_id=ticket_id,
        work_order_id=order["id"],
        technician=technician,
        outlet_manager=manager,
        other_technician=await load_actor(network["far_tech"].user_id),
    )
