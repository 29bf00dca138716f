"""Dispatch and training master data for the bench database: what outlets cover and serve, their
technicians, the course catalogue and the certificates (issue 3's ranking and qualification matrix).

Pure and seeded like `bench.world`, but driven by its own `random.Random`, so the rows of the
original data set (regions ... tickets) stay what they were for a seed. Extra users and memberships
are appended to `world.users` / `world.memberships` (ids continue after the existing ones).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench.world import CATEGORIES, Row, World, _add_user

COVERAGE_COLUMNS = ["id", "outlet", "region"]
OUTLET_CATEGORY_COLUMNS = ["id", "outlet", "category"]
COURSE_COLUMNS = [
    "id", "code", "title", "hours", "category", "validity_months", "pass_mark", "is_service_manager_cert",
    "is_active",
]  # fmt: skip
COURSE_ROLE_COLUMNS = ["id", "course", "role"]
CERTIFICATE_COLUMNS = ["id", "number", "user", "course", "issued_on", "expires_on", "is_external", "issuer"]
MATRIX_OUTLET = 1
"""The outlet given exactly MATRIX_STAFF people (1 manager + 49 technicians) for the matrix case."""
MATRIX_STAFF = 50
TRAINER_USERNAME = "bench_trainer"
# (code, title, hours, category, validity months, roles, active); id = position + 1
COURSES: list[tuple[str, str, float, str | None, int | None, tuple[str, ...], bool]] = [
    ("KT-INST", "空调安装维修上岗证", 24, "air_conditioner", 36, ("technician",), True),
    ("KT-REFR", "制冷剂安全操作", 8, "air_conditioner", 24, ("technician",), True),
    ("XY-REP", "洗衣机维修上岗证", 16, "washing_machine", 36, ("technician",), True),
    ("BX-REP", "冰箱维修上岗证", 16, "refrigerator", 36, ("technician",), True),
    ("RS-INST", "热水器安装维修上岗证", 16, "water_heater", 36, ("technician",), True),
    ("RS-GAS", "燃气具安全作业", 8, "water_heater", 24, ("technician",), True),
    ("DS-REP", "电视维修上岗证", 12, "television", 48, ("technician",), True),
    ("HS-SAFE", "登高作业安全", 4, None, 24, ("technician",), True),
    ("SVC-MGR", "售后服务管理师", 40, None, None, ("outlet_manager", "service_manager"), True),
    ("KT-OLD", "空调维修（旧版）", 16, "air_conditioner", 36, ("technician",), False),
]
# Share of an outlet's technicians certified for a category it serves (the rest miss a course).
CERTIFIED_SHARE = 0.85


@dataclass
class Staffing:
    coverage: list[Row] = field(default_factory=list)
    categories: list[Row] = field(default_factory=list)
    courses: list[Row] = field(default_factory=list)
    course_roles: list[Row] = field(default_factory=list)
    certificates: list[Row] = field(default_factory=list)
    outlet_regions: list[list[int]] = field(default_factory=list)  # per outlet (id - 1): covered ids
    outlet_categories: list[list[str]] = field(default_factory=list)
    new_users: int = 0


def _children(world: World) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for region in world.regions:
        if region[3] is not None:
            children.setdefault(region[3], []).append(region[0])
    return children


def build_coverage(world: World, staffing: Staffing, rng: random.Random) -> None:
    """Own county always; often (60 %) its whole city; else sometimes 1-2 neighbouring counties;
    a few (3 %) the whole province. Categories: air conditioners almost always, others half the time."""
    parent = {region[0]: region[3] for region in world.regions}
    children = _children(world)
    for outlet in world.outlets:
        outlet_id, county = outlet[0], outlet[5]
        city = parent[county]
        regions = [county]
        draw = rng.random()
        if draw < 0.03:
            regions.append(parent[city])
        elif draw < 0.63:
            regions.append(city)
        elif draw < 0.8:
            siblings = [c for c in children[city] if c != county]
            regions += rng.sample(siblings, min(len(siblings), rng.randint(1, 2)))
        staffing.outlet_regions.append(regions)
        for region in regions:
            staffing.coverage.append((len(staffing.coverage) + 1, outlet_id, region))
        served = [c for c in CATEGORIES if rng.random() < (0.92 if c == "air_conditioner" else 0.5)]
        served = served or ["air_conditioner"]
        if outlet_id == MATRIX_OUTLET:
            served = list(CATEGORIES)
        staffing.outlet_categories.append(served)
        for category in served:
            staffing.categories.append((len(staffing.categories) + 1, outlet_id, category))


def build_courses(staffing: Staffing) -> None:
    for index, (code, title, hours, category, months, roles, active) in enumerate(COURSES):
        course_id = index + 1
        staffing.courses.append(
            (course_id, code, title, hours, category, months, 60, code == "SVC-MGR", active)
        )
        for role in roles:
            staffing.course_roles.append((len(staffing.course_roles) + 1, course_id, role))


def build_technicians(
    world: World, staffing: Staffing, rng: random.Random, password_hash: str, today: date
) -> None:
    """4-9 more technicians per outlet (the matrix outlet: up to exactly MATRIX_STAFF people)."""
    before = len(world.users)
    staff_count: dict[int, int] = {}
    for membership in world.memberships:
        staff_count[membership[1]] = staff_count.get(membership[1], 0) + 1
    for outlet in world.outlets:
        outlet_id = outlet[0]
        have = staff_count.get(outlet_id, 0)
        extra = MATRIX_STAFF - have if outlet_id == MATRIX_OUTLET else rng.randint(4, 9)
        for number in range(have, have + extra):
            username = f"tech{outlet_id:05d}_{number}"
            user_id = _add_user(world, rng, username, "technician", password_hash, today)
            since = today - timedelta(days=rng.randint(30, 1500))
            world.memberships.append((len(world.memberships) + 1, outlet_id, user_id, False, since, None))
    _add_user(world, rng, TRAINER_USERNAME, "trainer", password_hash, today)
    staffing.new_users = len(world.users) - before


def _certificate(staffing: Staffing, user_id: int, course: Row, issued: date) -> None:
    months = course[5]
    expires = None if months is None else issued + timedelta(days=round(months * 30.44) - 1)
    number = f"C{issued:%Y}{course[0]:02d}{len(staffing.certificates) + 1:07d}"
    staffing.certificates.append(
        (len(staffing.certificates) + 1, number, user_id, course[0], issued, expires, False, None)
    )


def build_certificates(world: World, staffing: Staffing, rng: random.Random, today: date) -> None:
    """Per technician, the courses of the categories their outlet serves (most hold all, some miss one),
    the height-safety course, an older expired certificate now and then; some current ones have
    lapsed, some expire within 30 days. Managers: the service-manager certificate (70 %)."""
    roles = {user[0]: user[4] for user in world.users}
    by_category: dict[str | None, list[Row]] = {}
    for_technicians = {row[1] for row in staffing.course_roles if row[2] == "technician"}
    for course in staffing.courses:
        if course[8] and course[0] in for_technicians:
            by_category.setdefault(course[4], []).append(course)
    manager_course = next(c for c in staffing.courses if c[1] == "SVC-MGR")
    for membership in world.memberships:
        outlet_id, user_id = membership[1], membership[2]
        if roles[user_id] != "technician":
            if rng.random() < 0.7:
                _certificate(staffing, user_id, manager_course, today - timedelta(days=rng.randint(30, 2000)))
            continue
        wanted = [c for cat in staffing.outlet_categories[outlet_id - 1] for c in by_category.get(cat, [])]
        wanted += by_category[None]
        for course in wanted:
            if rng.random() > CERTIFIED_SHARE:
                continue
            span = round(course[5] * 30.44)
            # issued within one validity period before today, a few so long ago they have lapsed
            age = rng.randint(0, span - 1) if rng.random() > 0.06 else rng.randint(span, span + 200)
            if rng.random() < 0.25:  # a renewed one: the previous certificate, long expired
                _certificate(
                    staffing, user_id, course, today - timedelta(days=age + span + rng.randint(0, 60))
                )
            _certificate(staffing, user_id, course, today - timedelta(days=age))


def build_staffing(world: World, rng: random.Random, password_hash: str, today: date) -> Staffing:
    staffing = Staffing()
    build_coverage(world, staffing, rng)
    build_courses(staffing)
    build_technicians(world, staffing, rng, password_hash, today)
    build_certificates(world, staffing, rng, today)
    return staffing
