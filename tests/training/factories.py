"""Building blocks for training tests: courses, sessions, passes and scans.

The database is shared by the whole run and qualification looks at every active course, so a
course that is required of a role must be retired after the test (see the `courses` fixture).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from service_ops import clock
from service_ops.actor import Actor
from service_ops.choices import ProductCategory, Role
from tests.conftest import unique
from training import services
from training.schemas import (
    CourseCreate,
    CourseUpdate,
    ExternalCertificateCreate,
    RollCallEntry,
    SessionCreate,
)

SCAN = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def course_data(
    category: str | None = ProductCategory.WATER_HEATER.value,
    roles: tuple[str, ...] = (Role.TECHNICIAN.value,),
    validity_months: int | None = 12,
    pass_mark: int | None = 60,
    **extra: Any,
) -> CourseCreate:
    return CourseCreate(
        code=unique("T-"),
        title="热水器维修上岗证",
        hours=8,
        category=ProductCategory(category) if category else None,
        required_roles=[Role(role) for role in roles],
        validity_months=validity_months,
        pass_mark=pass_mark,
        **extra,
    )


async def new_course(system: Actor, **options: Any) -> int:
    return await services.create_course(system, course_data(**options))


async def retire_course(system: Actor, course_id: int) -> None:
    await services.update_course(system, course_id, CourseUpdate(is_active=False))


async def new_session(
    system: Actor,
    course_id: int,
    trainer_id: int,
    starts_at: datetime | None = None,
    hours: float | None = None,
    cost: Decimal | None = None,
) -> int:
    return await services.schedule_session(
        system,
        SessionCreate(
            course_id=course_id,
            starts_at=starts_at or clock.now() - timedelta(hours=3),
            trainer_id=trainer_id,
            place="培训中心 301",
            hours=hours,
            cost=cost,
        ),
    )


async def pass_course(system: Actor, session_id: int, user_id: int, score: float | None = 85) -> list[int]:
    """Record a pass; returns the ids of the certificates issued."""
    return await services.record_roll_call(
        system, session_id, [RollCallEntry(user_id=user_id, attended=True, score=score)]
    )


def external_data(user_id: int, course_id: int, **extra: Any) -> ExternalCertificateCreate:
    values: dict[str, Any] = {
        "user_id": user_id,
        "course_id": course_id,
        "number": unique("EXT-"),
        "issuer": "中国家用电器服务维修协会",
        "issued_on": clock.today() - timedelta(days=30),
        **extra,
    }
    return ExternalCertificateCreate(**values)
