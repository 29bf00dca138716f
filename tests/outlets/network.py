"""Building blocks for outlet tests: regions, outlets, technicians and their certificates.

The database is shared by the whole run, so every test makes its own regions and outlets, and
certifies a technician for every active course that the category requires of technicians (other
tests may have added courses of their own).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from outlets import services
from outlets.schemas import MembershipCreate, OutletCreate
from service_ops import clock
from service_ops import services as core_services
from service_ops.actor import Actor
from service_ops.choices import Role
from service_ops.schemas import RegionCreate
from service_ops.tables import Region
from tests.conftest import unique
from training import catalogue
from training import services as training_services
from training.schemas import CourseCreate, CourseUpdate, ExternalCertificateCreate

CATEGORY = "television"
SCAN = b"%PDF-1.4 outlets test scan"


async def new_region(
    system: Actor, parent_code: str | None = None, level: str = "county", is_sales_region: bool = True
) -> tuple[int, str]:
    """(id, code) of a new region under `parent_code`."""
    code = unique("G")
    region_id = await core_services.create_region(
        system,
        RegionCreate(
            code=code,
            name=f"区域{code}",
            level=level,
            parent_code=parent_code,
            is_sales_region=is_sales_region,
        ),
    )
    return region_id, code


async def region_tree(system: Actor) -> dict[str, tuple[int, str]]:
    """province → city → two counties, each a sales region except the province."""
    province = await new_region(system, level="province", is_sales_region=False)
    city = await new_region(system, province[1], level="city")
    return {
        "province": province,
        "city": city,
        "county": await new_region(system, city[1]),
        "other_county": await new_region(system, city[1]),
    }


async def new_outlet(
    system: Actor,
    coverage: Sequence[str],
    categories: Sequence[str] = (CATEGORY,),
    kind: str = "own",
    expires: date | None = None,
    capacity: int = 10,
    region_code: str | None = None,
) -> tuple[int, str]:
    """(id, code) of a new outlet covering `coverage`; its address region defaults to the first one."""
    code = unique("OT")
    outlet_id = await services.create_outlet(
        system,
        OutletCreate(
            code=code,
            name=f"网点{code}",
            kind=kind,
            address="测试路 8 号",
            region_code=region_code or coverage[0],
            daily_capacity=capacity,
            agreement_number=f"AG-{code}" if kind == "authorised" else None,
            agreement_expires=expires,
            region_codes=list(coverage),
            categories=list(categories),
        ),
    )
    return outlet_id, code


async def join(
    system: Actor, make_user: Any, outlet_id: int, role: str = "technician", **extra: Any
) -> Actor:
    """A new user of `role` working at the outlet since a year ago."""
    person: Actor = await make_user(role)
    await services.add_member(
        system,
        outlet_id,
        MembershipCreate(username=person.username, since=clock.today() - timedelta(days=365), **extra),
    )
    return person


async def certify(
    system: Actor, user_id: int, category: str = CATEGORY, expires_on: date | None = None
) -> None:
    """External certificates for every active course `category` requires of technicians."""
    for course in await catalogue.list_courses(active_only=True):
        if course.category == category and Role.TECHNICIAN in course.required_roles:
            await training_services.record_external_certificate(
                system,
                ExternalCertificateCreate(
                    user_id=user_id,
                    course_id=course.id,
                    number=unique("EXT"),
                    issuer="测试培训机构",
                    issued_on=clock.today() - timedelta(days=60),
                    expires_on=expires_on,
                ),
                SCAN,
                "scan.pdf",
            )


async def qualified_technician(
    system: Actor, make_user: Any, outlet_id: int, expires_on: date | None = None
) -> Actor:
    technician = await join(system, make_user, outlet_id)
    assert technician.user_id is not None
    await certify(system, technician.user_id, expires_on=expires_on)
    return technician


async def new_course(system: Actor, category: str = CATEGORY) -> int:
    """An active course that qualifies technicians for `category` (deactivate it after the test)."""
    return await training_services.create_course(
        system,
        CourseCreate(
            code=unique("TV"),
            title="电视维修上岗",
            hours=8,
            category=category,  # type: ignore[arg-type]
            required_roles=[Role.TECHNICIAN],
            validity_months=24,
        ),
    )


async def retire_course(system: Actor, course_id: int) -> None:
    await training_services.update_course(system, course_id, CourseUpdate(is_active=False))


async def region_code_of(region_id: int) -> str:
    row = await Region.select(Region.code).where(Region.id == region_id).first()
    return str(row["code"])
