"""Run in a process of its own (tests/outlets/test_demo.py): the demo network on a fresh database.

Creates the core demo's regions, staff and outlets (service_ops.demo's data, through the services),
loads the network demo, certifies the demo technicians for air conditioners (the training demo's
job), and prints what the ranking and the coverage view say.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from outlets import queries
from outlets.demo import load_network_demo
from outlets.schemas import MembershipCreate, OutletCreate
from outlets.services import add_member, create_outlet
from service_ops import clock, db, queue
from service_ops import services as core
from service_ops.actor import Actor, system_actor
from service_ops.choices import ProductCategory, Role
from service_ops.cli import run_migrations
from service_ops.demo import DEMO_PASSWORD, OUTLETS, REGIONS, STAFF
from service_ops.schemas import RegionCreate, UserCreate
from service_ops.settings import get_settings
from service_ops.tables import Region, User
from training import services as training
from training.schemas import CourseCreate, ExternalCertificateCreate


async def core_demo_network(system: Actor) -> None:
    for code, name, level, parent, is_sales, service_class in REGIONS:
        await core.create_region(
            system,
            RegionCreate(
                code=code,
                name=name,
                level=level,
                parent_code=parent,
                is_sales_region=is_sales,
                service_class=service_class,
            ),
        )
    for username, display_name, role in STAFF:
        user = UserCreate(username=username, display_name=display_name, password=DEMO_PASSWORD, role=role)
        await core.create_user(system, user)
    for code, name, kind, address, region, members in OUTLETS:
        authorised = kind == "authorised"
        outlet_id = await create_outlet(
            system,
            OutletCreate(
                code=code,
                name=name,
                kind=kind,
                address=address,
                region_code=region,
                agreement_number=f"AG-{code}" if authorised else None,
                agreement_expires=clock.today() + timedelta(days=365) if authorised else None,
            ),
        )
        since = clock.today() - timedelta(days=30)
        for index, username in enumerate(members):
            membership = MembershipCreate(username=username, is_manager=index == 0, since=since)
            await add_member(system, outlet_id, membership)


async def certify_technicians_for_air_conditioners(system: Actor) -> None:
    course_id = await training.create_course(
        system,
        CourseCreate(
            code="AC-PROBE",
            title="空调维修上岗",
            hours=8,
            category=ProductCategory.AIR_CONDITIONER,
            required_roles=[Role.TECHNICIAN],
        ),
    )
    technicians = await User.select(User.id).where(User.role == Role.TECHNICIAN.value)
    for number, row in enumerate(technicians):
        certificate = ExternalCertificateCreate(
            user_id=row["id"],
            course_id=course_id,
            number=f"PROBE-{number:04d}",
            issuer="probe",
            issued_on=clock.today() - timedelta(days=10),
        )
        await training.record_external_certificate(system, certificate, b"%PDF-1.4 probe", "probe.pdf")


async def main() -> None:
    await run_migrations()
    await db.start_pool()
    await queue.start(get_settings(), run_periodic=False)
    system = system_actor("demo")
    await core_demo_network(system)
    first = await load_network_demo(system)
    again = await load_network_demo(system)
    await certify_technicians_for_air_conditioners(system)
    nanshan = await Region.select(Region.id).where(Region.code == "440305").first()
    ranking = await queries.rank_outlets(nanshan["id"], "air_conditioner", clock.today(), {}, {})
    outlets = await queries.list_outlets()
    result = {
        "first": first,
        "again": again,
        "eligible": [c.code for c in ranking if c.eligible],
        "uncovered": [r.code for r in await queries.uncovered_sales_regions(clock.today())],
        "inspections": sum([len(await queries.inspections_of(o.id)) for o in outlets]),
    }
    print(json.dumps(result))
    await queue.stop()
    await db.close_pool()


if __name__ == "__main__":
    asyncio.run(main())
