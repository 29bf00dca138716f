"""Master data for the bench database: regions, models, outlets, staff, SLA policies, customers.

Pure and seeded: the same `random.Random(seed)` gives the same rows. Rows are tuples in the column
order of the `*_COLUMNS` lists, ready for asyncpg `copy_records_to_table`; ids are assigned here
(1..n) so later rows can refer to them without a round trip.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

Row = tuple[Any, ...]

REGION_COLUMNS = ["id", "code", "name", "parent", "level", "is_sales_region", "service_class"]
MODEL_COLUMNS = ["id", "code", "name", "category", "warranty_months"]
OUTLET_COLUMNS = [
    "id", "code", "name", "kind", "address", "region", "phone", "daily_capacity", "is_active",
    "agreement_number", "agreement_expires",
]  # fmt: skip
USER_COLUMNS = [
    "id", "username", "display_name", "password_hash", "role", "phone", "locale", "is_active",
    "is_management", "hired_on", "left_on", "created_at",
]  # fmt: skip
MEMBERSHIP_COLUMNS = ["id", "outlet", "user", "is_manager", "since", "until"]
POLICY_COLUMNS = [
    "id", "name", "kind", "priority", "service_class", "response_minutes", "arrival_minutes",
    "resolve_minutes", "is_active",
]  # fmt: skip
CUSTOMER_COLUMNS = ["id", "name", "address", "region", "created_at"]
PHONE_COLUMNS = ["id", "customer", "phone", "is_primary"]
UNIT_COLUMNS = ["id", "serial_number", "model", "customer", "purchase_date", "install_date"]

PROVINCES = [
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"),
    ("15", "内蒙古自治区"), ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"),
    ("31", "上海市"), ("32", "江苏省"), ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"),
    ("36", "江西省"), ("37", "山东省"), ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"),
    ("44", "广东省"), ("45", "广西壮族自治区"), ("46", "海南省"), ("50", "重庆市"),
    ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"), ("54", "西藏自治区"), ("61", "陕西省"),
    ("62", "甘肃省"), ("63", "青海省"), ("64", "宁夏回族自治区"), ("65", "新疆维吾尔自治区"),
]  # fmt: skip
PLACE_CHARS = "安宁平阳江山河南北东西新德清华丰泰兴和永长昌盛明光临水城林州海溪武文定远湖鹤金云通"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN_CHARS = "伟芳娜敏静磊军洋勇艳杰涛明超霞平刚英华丽强建国秀兰玉梅志红海燕鹏飞宇浩然欣怡子涵俊晨"
STREETS = ["人民路", "建设路", "解放路", "中山路", "和平路", "新华街", "胜利路", "文化路", "朝阳路"]
MOBILE_PREFIXES = [
    *range(130, 140), 145, 147, *range(150, 154), *range(155, 160), 166, 171, 173,
    *range(175, 179), *range(180, 190), 191, 198, 199,
]  # fmt: skip
# category: serial prefix, warranty months, model code stem, model names
CATEGORIES: dict[str, tuple[str, int, str, list[str]]] = {
    "air_conditioner": ("KT", 72, "KFR", ["1匹 变频挂机", "1.5匹 变频挂机", "2匹 柜机", "3匹 柜机"]),
    "washing_machine": ("XY", 36, "XQG", ["8公斤 滚筒", "10公斤 滚筒", "10公斤 波轮", "洗烘一体机"]),
    "refrigerator": ("BX", 36, "BCD", ["258升 三门", "408升 十字门", "508升 对开门", "600升 法式"]),
    "water_heater": ("RS", 24, "JSQ", ["13升 燃气", "16升 燃气", "60升 电热水器", "空气能 200升"]),
    "television": ("DS", 12, "TV", ["55寸 4K", "65寸 4K", "75寸 Mini LED", "85寸 Mini LED"]),
}
CATEGORY_WEIGHTS = [40, 20, 18, 14, 8]
INSTALLED_CATEGORIES = ("air_conditioner", "water_heater")
SERIES = ["睿享", "悦风", "静享", "智尊", "星耀"]
FACTORIES = ["SZ", "HF", "WH", "QD", "GZ", "ZS"]
CLASS_WEIGHT = {"urban": 4.0, "suburban": 2.0, "rural": 1.0}
# head-office roles: (role, how many, holds a management post)
STAFF_ROLES = [
    ("agent", 160, False), ("dispatcher", 24, False), ("service_manager", 6, True),
    ("hq_manager", 3, True), ("trainer", 4, False), ("finance", 4, False), ("auditor", 2, False),
    ("admin", 1, False),
]  # fmt: skip
# (name, kind, priority, service_class, response, arrival, resolve minutes); id = position + 1
SLA_POLICIES: list[tuple[str, str | None, str | None, str | None, int, int | None, int]] = [
    ("默认承诺", None, None, None, 120, 24 * 60, 72 * 60),
    ("城区维修", "repair", None, "urban", 60, 24 * 60, 48 * 60),
    ("郊区维修", "repair", None, "suburban", 90, 36 * 60, 60 * 60),
    ("农村地区", None, None, "rural", 120, 48 * 60, 96 * 60),
    ("紧急工单", None, "urgent", None, 30, 4 * 60, 24 * 60),
    ("咨询", "consult", None, None, 30, None, 24 * 60),
    ("城区安装", "install", None, "urban", 60, 48 * 60, 72 * 60),
]


@dataclass
class World:
    """The rows to load, plus the lookups the ticket history needs (lists indexed by id - 1)."""

    regions: list[Row] = field(default_factory=list)
    models: list[Row] = field(default_factory=list)
    outlets: list[Row] = field(default_factory=list)
    users: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    policies: list[Row] = field(default_factory=list)
    customers: list[Row] = field(default_factory=list)
    phones: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    counties: list[int] = field(default_factory=list)
    county_weights: list[float] = field(default_factory=list)
    county_label: dict[int, str] = field(default_factory=dict)
    region_class: dict[int, str] = field(default_factory=dict)
    customer_region: list[int] = field(default_factory=list)
    customer_phones: list[list[str]] = field(default_factory=list)
    customer_units: list[list[int]] = field(default_factory=list)
    customer_since: list[int] = field(default_factory=list)  # ordinal day the customer appeared
    unit_customer: list[int] = field(default_factory=list)
    unit_category: list[str] = field(default_factory=list)
    unit_since: list[int] = field(default_factory=list)  # ordinal purchase day
    hotline_user_ids: list[int] = field(default_factory=list)  # agents and dispatchers
    agent_ids: list[int] = field(default_factory=list)
    taken_phones: set[str] = field(default_factory=set)


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def place_name(rng: random.Random, suffix: str) -> str:
    return rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS) + suffix


def new_mobile(rng: random.Random, taken: set[str]) -> str:
    """A valid mainland mobile number (1[3-9] + 9 digits) not handed out before."""
    while True:
        number = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
        if number not in taken:
            taken.add(number)
            return number


def address_in(world: World, rng: random.Random, county_id: int) -> str:
    street = f"{rng.choice(STREETS)}{rng.randint(1, 999)}号"
    return f"{world.county_label[county_id]}{street}{rng.randint(1, 30)}栋{rng.randint(101, 3306)}室"


def build_regions(world: World, rng: random.Random) -> None:
    """Province / city / county tree (~3k rows, GB/T 2260-style codes); counties get a weight."""
    next_id = 1
    for code, province in PROVINCES:
        province_id = next_id
        world.regions.append((province_id, f"{code}0000", province, None, "province", False, "urban"))
        next_id += 1
        for city_no in range(1, rng.randint(5, 16) + 1):
            city_id, city = next_id, place_name(rng, "市")
            city_code = f"{code}{city_no:02d}00"
            world.regions.append((city_id, city_code, city, province_id, "city", True, "urban"))
            next_id += 1
            for county_no in range(1, rng.randint(5, 13) + 1):
                service_class = rng.choices(["urban", "suburban", "rural"], [35, 30, 35])[0]
                suffix = {"urban": "区", "suburban": rng.choice("区县"), "rural": "县"}[service_class]
                county = place_name(rng, suffix)
                region_code = f"{code}{city_no:02d}{county_no:02d}"
                world.regions.append((next_id, region_code, county, city_id, "county", True, service_class))
                world.region_class[next_id] = service_class
                world.county_label[next_id] = province + city + county
                world.counties.append(next_id)
                world.county_weights.append(CLASS_WEIGHT[service_class] * rng.lognormvariate(0, 0.5))
                next_id += 1


def build_models(world: World) -> None:
    for category, (_, warranty, stem, names) in CATEGORIES.items():
        for index, name in enumerate(names):
            for series_no, series in enumerate(SERIES):
                model_id = len(world.models) + 1
                code = f"{stem}-{index + 1}{series_no + 1}-{model_id:03d}"
                world.models.append((model_id, code, f"{series} {name}", category, warranty))


def _add_user(
    world: World,
    rng: random.Random,
    username: str,
    role: str,
    password_hash: str,
    today: date,
    management: bool = False,
) -> int:
    user_id = len(world.users) + 1
    hired = today - timedelta(days=rng.randint(30, 3000))
    created = datetime.combine(hired, datetime.min.time(), tzinfo=UTC)
    phone = new_mobile(rng, world.taken_phones)
    world.users.append(
        (
            user_id,
            username,
            person_name(rng),
            password_hash,
            role,
            phone,
            "zh_CN",
            True,
            management,
            hired,
            None,
            created,
        )
    )
    return user_id


def build_staff(world: World, rng: random.Random, password_hash: str, bench_hash: str, today: date) -> None:
    """Head-office staff (agents, dispatchers, managers...) and the bench agent."""
    for role, count, management in STAFF_ROLES:
        for number in range(1, count + 1):
            user_id = _add_user(world, rng, f"{role}{number:04d}", role, password_hash, today, management)
            if role in ("agent", "dispatcher"):
                world.hotline_user_ids.append(user_id)
            if role == "agent":
                world.agent_ids.append(user_id)
    _add_user(world, rng, "bench_agent", "agent", bench_hash, today)


def build_outlets(world: World, rng: random.Random, outlets: int, password_hash: str, today: date) -> None:
    """Own and authorised outlets, each with a manager and 2-7 technicians."""
    for outlet_id in range(1, outlets + 1):
        region = rng.choices(world.counties, world.county_weights)[0]
        own = rng.random() < 0.2
        agreement: tuple[str | None, date | None] = (
            (None, None) if own else (f"AG-{outlet_id:05d}", today + timedelta(days=rng.randint(30, 900)))
        )
        world.outlets.append(
            (
                outlet_id,
                f"OT{outlet_id:05d}",
                place_name(rng, "服务中心" if own else "授权网点"),
                "own" if own else "authorised",
                address_in(world, rng, region),
                region,
                new_mobile(rng, world.taken_phones),
                rng.randint(6, 30),
                rng.random() > 0.02,
                *agreement,
            )
        )
        staff = [(_add_user(world, rng, f"om{outlet_id:05d}", "outlet_manager", password_hash, today), True)]
        for number in range(1, rng.randint(2, 7) + 1):
            username = f"tech{outlet_id:05d}_{number}"
            staff.append((_add_user(world, rng, username, "technician", password_hash, today), False))
        for member_id, is_manager in staff:
            since = today - timedelta(days=rng.randint(30, 1500))
            membership_id = len(world.memberships) + 1
            world.memberships.append((membership_id, outlet_id, member_id, is_manager, since, None))


def build_policies(world: World) -> None:
    for index, (name, kind, priority, klass, response, arrival, resolve) in enumerate(SLA_POLICIES):
        world.policies.append((index + 1, name, kind, priority, klass, response, arrival, resolve, True))


def _add_units(
    world: World, rng: random.Random, customer_id: int, since: int, end_day: int, models: dict[str, list[int]]
) -> None:
    owned: list[int] = []
    for position in range(rng.choices([1, 2, 3], [82, 15, 3])[0]):
        unit_id = len(world.units) + 1
        category = rng.choices(list(CATEGORIES), CATEGORY_WEIGHTS)[0]
        bought = since - rng.randint(0, 20) if position == 0 else rng.randint(since, end_day)
        installed = None
        if category in INSTALLED_CATEGORIES:
            installed = date.fromordinal(min(bought + rng.randint(0, 10), end_day))
        year = date.fromordinal(bought).year
        serial = f"{CATEGORIES[category][0]}{year}{rng.choice(FACTORIES)}{unit_id:07d}"
        model = rng.choice(models[category])
        world.units.append((unit_id, serial, model, customer_id, date.fromordinal(bought), installed))
        world.unit_customer.append(customer_id)
        world.unit_category.append(category)
        world.unit_since.append(bought)
        owned.append(unit_id)
    world.customer_units.append(owned)


def build_customers(world: World, rng: random.Random, count: int, end: datetime) -> None:
    """Customers (1-2 unique mobiles each) and ~1.2 units each with unique serial numbers."""
    regions = rng.choices(world.counties, world.county_weights, k=count)
    models: dict[str, list[int]] = {}
    for model in world.models:
        models.setdefault(model[3], []).append(model[0])
    end_day = end.date().toordinal()
    for customer_id in range(1, count + 1):
        region = regions[customer_id - 1]
        since = end_day - int(rng.random() ** 0.7 * 5 * 365)  # recent customers are more common
        created = datetime.fromordinal(since).replace(tzinfo=UTC) + timedelta(seconds=rng.randrange(86400))
        address = address_in(world, rng, region)
        world.customers.append((customer_id, person_name(rng), address, region, created))
        world.customer_region.append(region)
        world.customer_since.append(since)
        numbers = [new_mobile(rng, world.taken_phones) for _ in range(2 if rng.random() < 0.3 else 1)]
        for position, number in enumerate(numbers):
            world.phones.append((len(world.phones) + 1, customer_id, number, position == 0))
        world.customer_phones.append(numbers)
        _add_units(world, rng, customer_id, since, end_day, models)


def build_world(
    rng: random.Random, *, outlets: int, customers: int, password_hash: str, bench_hash: str, end: datetime
) -> World:
    world = World()
    build_regions(world, rng)
    build_models(world)
    build_staff(world, rng, password_hash, bench_hash, end.date())
    build_outlets(world, rng, outlets, password_hash, end.date())
    build_policies(world)
    build_customers(world, rng, customers, end)
    return world
