"""A realistic demo data set, written through the services (so its audit trail is real too)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from outlets.demo import load_network_demo
from outlets.queries import outlet_manager_ids, technicians_for
from outlets.schemas import MembershipCreate, OutletCreate
from outlets.services import add_member, create_outlet
from service_ops import clock, services
from service_ops.actor import Actor, system_actor
from service_ops.auth import load_actor
from service_ops.choices import ProductCategory, Role, ServiceClass
from service_ops.schemas import CustomerCreate, ProductModelCreate, RegionCreate, UnitCreate, UserCreate
from service_ops.tables import Customer
from tickets import services as ticket_services
from tickets.choices import Priority, TicketKind
from tickets.demo import load_field_demo
from tickets.dispatch_queries import ticket_category
from tickets.schemas import CallRecord, SlaPolicyWrite, TicketCreate
from tickets.tables import Ticket
from training.demo import load_training_demo

DEMO_PASSWORD = "demo-pass-2026"
DEMO_PHONE = "13800138000"
DEMO_SERIAL = "KT2024SZ000001"

REGIONS = [
    ("440000", "广东省", "province", None, False, ServiceClass.URBAN),
    ("440300", "深圳市", "city", "440000", True, ServiceClass.URBAN),
    ("440305", "南山区", "county", "440300", True, ServiceClass.URBAN),
    ("440306", "宝安区", "county", "440300", True, ServiceClass.SUBURBAN),
    ("440100", "广州市", "city", "440000", True, ServiceClass.URBAN),
    ("440106", "天河区", "county", "440100", True, ServiceClass.URBAN),
    ("441200", "肇庆市", "city", "440000", True, ServiceClass.RURAL),
]
MODELS = [
    ("KFR-35GW", "睿享 1.5匹 变频挂机", ProductCategory.AIR_CONDITIONER, 72),
    ("XQG100-B14", "10公斤 滚筒洗衣机", ProductCategory.WASHING_MACHINE, 36),
    ("BCD-508W", "508升 对开门冰箱", ProductCategory.REFRIGERATOR, 36),
    ("JSQ30-16", "16升 燃气热水器", ProductCategory.WATER_HEATER, 24),
]
STAFF = [
    ("admin", "系统管理员", Role.ADMIN),
    ("agent1", "李娜", Role.AGENT),
    ("agent2", "王芳", Role.AGENT),
    ("dispatcher1", "陈刚", Role.DISPATCHER),
    ("manager1", "刘洋", Role.SERVICE_MANAGER),
    ("trainer1", "赵敏", Role.TRAINER),
    ("finance1", "孙丽", Role.FINANCE),
    ("auditor1", "周审", Role.AUDITOR),
    ("om_ns", "黄强", Role.OUTLET_MANAGER),
    ("tech_ns1", "吴师傅", Role.TECHNICIAN),
    ("tech_ns2", "郑师傅", Role.TECHNICIAN),
    ("om_th", "何伟", Role.OUTLET_MANAGER),
    ("tech_th1", "马师傅", Role.TECHNICIAN),
    ("om_ba", "林峰", Role.OUTLET_MANAGER),
    ("tech_ba1", "罗师傅", Role.TECHNICIAN),
]
OUTLETS = [
    (
        "SZ-NS01",
        "深圳南山服务中心",
        "own",
        "深圳市南山区科技园南路 18 号",
        "440305",
        ["om_ns", "tech_ns1", "tech_ns2"],
    ),
    (
        "GZ-TH01",
        "广州天河授权网点",
        "authorised",
        "广州市天河区天河北路 233 号",
        "440106",
        ["om_th", "tech_th1"],
    ),
    (
        "SZ-BA01",
        "深圳宝安授权网点",
        "authorised",
        "深圳市宝安区新安街道 66 号",
        "440306",
        ["om_ba", "tech_ba1"],
    ),
]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
]
STREETS = ["科苑路", "深南大道", "天河北路", "体育西路", "宝安大道", "端州路"]
PROBLEMS = {
    TicketKind.REPAIR: [
        "空调不制冷，外机不转",
        "洗衣机脱水时异响很大",
        "冰箱冷藏室结冰",
        "热水器点不着火，显示 E1",
    ],
    TicketKind.INSTALL: ["新机上门安装，需要打孔", "洗衣机安装并调试"],
    TicketKind.MAINTENANCE: ["空调清洗保养", "热水器年度安全检查"],
    TicketKind.CONSULT: ["咨询保修期限", "咨询遥控器使用方法", "询问上门费用标准"],
}
SLA_POLICIES = [
    SlaPolicyWrite(name="默认承诺", response_minutes=120, arrival_minutes=24 * 60, resolve_minutes=72 * 60),
    SlaPolicyWrite(
        name="城区维修",
        kind=TicketKind.REPAIR,
        service_class="urban",
        response_minutes=60,
        arrival_minutes=24 * 60,
        resolve_minutes=48 * 60,
    ),
    SlaPolicyWrite(
        name="农村地区",
        service_class="rural",
        response_minutes=120,
        arrival_minutes=48 * 60,
        resolve_minutes=96 * 60,
    ),
    SlaPolicyWrite(
        name="紧急工单",
        priority=Priority.URGENT,
        response_minutes=30,
        arrival_minutes=4 * 60,
        resolve_minutes=24 * 60,
    ),
    SlaPolicyWrite(name="咨询", kind=TicketKind.CONSULT, response_minutes=30, resolve_minutes=24 * 60),
]


async def load_demo(force: bool = False, customers: int = 40, seed: int = 27922) -> dict[str, int]:
    """Load everything once; returns counts (empty if demo data was already there)."""
    if not force and await Customer.count() > 0:
        return {}
    rng = random.Random(seed)
    system = system_actor("demo")
    staff = await _load_staff(system)
    await _load_network(system)
    await load_network_demo(system)
    await load_training_demo(
        system,
        "trainer1",
        ["tech_ns1", "tech_ns2", "tech_th1", "tech_ba1"],
        ["manager1", "om_ns", "om_th", "om_ba"],
    )
    for policy in SLA_POLICIES:
        await ticket_services.create_sla_policy(system, policy)
    customer_units = await _load_customers(system, rng, customers)
    tickets = await _load_week_of_calls(staff["agent1"], staff["agent2"], rng, customer_units)
    await _dispatch_older_tickets(staff)
    field = await load_field_demo(staff, rng)
    return {
        **field,
        "staff": len(staff),
        "outlets": len(OUTLETS),
        "customers": len(customer_units),
        "tickets": tickets,
    }


async def _dispatch_older_tickets(staff: dict[str, Actor]) -> None:
    """Tickets older than two days went to an outlet, were accepted and got a qualified technician;
    newer ones wait in the dispatch queue."""
    cutoff = clock.now() - timedelta(days=2)
    waiting = (
        await Ticket.select(Ticket.id, Ticket.created_at)
        .where((Ticket.status == "new") & (Ticket.kind != "consult") & (Ticket.created_at < cutoff))
        .order_by(Ticket.id)
    )
    for row in waiting:
        with clock.frozen_at(row["created_at"] + timedelta(minutes=20)):
            await _dispatch_accept_assign(staff, row["id"])


async def _dispatch_accept_assign(staff: dict[str, Actor], ticket_id: int) -> None:
    if await ticket_services.auto_dispatch(staff["dispatcher1"], ticket_id) is None:
        return
    dispatched = await Ticket.select(Ticket.outlet).where(Ticket.id == ticket_id).first()
    assert dispatched is not None
    outlet_id = dispatched["outlet"]
    manager = await _outlet_manager(outlet_id)
    clock.advance(timedelta(minutes=10))
    await ticket_services.accept_dispatch(manager, ticket_id)
    options = await technicians_for(outlet_id, await ticket_category(ticket_id) or "", clock.today())
    qualified = [option for option in options if option.qualified]
    if qualified:
        clock.advance(timedelta(minutes=5))
        await ticket_services.assign_technician(manager, ticket_id, qualified[0].user_id)


async def _outlet_manager(outlet_id: int) -> Actor:
    manager_id = (await outlet_manager_ids(outlet_id))[0]
    actor = await load_actor(manager_id)
    assert actor is not None
    return actor


async def _load_staff(system: Actor) -> dict[str, Actor]:
    actors = {}
    for username, name, role in STAFF:
        user_id = await services.create_user(
            system,
            UserCreate(
                username=username,
                display_name=name,
                password=DEMO_PASSWORD,
                role=role,
                is_management=role in (Role.SERVICE_MANAGER, Role.OUTLET_MANAGER),
                hired_on=date(2024, 3, 1),
            ),
        )
        actors[username] = Actor(user_id=user_id, username=username, display_name=name, role=role)
    return actors


async def _load_network(system: Actor) -> None:
    for code, name, level, parent, is_sales, service_class in REGIONS:
        await services.create_region(
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
    for code, name, kind, address, region, members in OUTLETS:
        outlet_id = await create_outlet(
            system,
            OutletCreate(
                code=code,
                name=name,
                kind=kind,
                address=address,
                region_code=region,
                daily_capacity=12,
                agreement_number=f"AG-{code}" if kind == "authorised" else None,
                agreement_expires=date(2027, 12, 31) if kind == "authorised" else None,
            ),
        )
        for index, username in enumerate(members):
            await add_member(
                system,
                outlet_id,
                MembershipCreate(username=username, is_manager=index == 0, since=date(2024, 3, 1)),
            )
    for code, name, category, months in MODELS:
        await services.create_product_model(
            system, ProductModelCreate(code=code, name=name, category=category, warranty_months=months)
        )


async def _load_customers(system: Actor, rng: random.Random, count: int) -> list[tuple[int, int, str]]:
    """(customer id, unit id, phone) for each demo customer; the first one is the documented caller."""
    sales_regions = [code for code, _, level, _, _, _ in REGIONS if level == "county"] + ["441200"]
    loaded = []
    for index in range(count):
        phone = DEMO_PHONE if index == 0 else f"13{rng.randint(5, 9)}{rng.randint(10_000_000, 99_999_999)}"
        name = "张伟" if index == 0 else rng.choice(SURNAMES) + rng.choice(GIVEN)
        region = sales_regions[index % len(sales_regions)]
        customer_id = await services.create_customer(
            system,
            CustomerCreate(
                name=name,
                region_code=region,
                phones=[phone],
                address=f"{rng.choice(STREETS)} {rng.randint(1, 300)} 号 {rng.randint(101, 3004)} 室",
            ),
        )
        model = MODELS[index % len(MODELS)]
        purchased = clock.today() - timedelta(days=rng.randint(30, 365 * 4))
        serial = DEMO_SERIAL if index == 0 else f"{model[0][:3].replace('-', '')}{purchased:%Y}SZ{index:06d}"
        unit_id = await services.register_unit(
            system,
            UnitCreate(
                serial_number=serial,
                model_code=model[0],
                customer_id=customer_id,
                purchase_date=purchased,
                install_date=purchased + timedelta(days=2),
            ),
        )
        loaded.append((customer_id, unit_id, phone))
    return loaded


async def _load_week_of_calls(
    agent1: Actor, agent2: Actor, rng: random.Random, customer_units: list[tuple[int, int, str]]
) -> int:
    """Seven days of calls, each opening a ticket, at office hours, written with the clock set back."""
    start = clock.now().replace(hour=1, minute=0, second=0, microsecond=0) - timedelta(days=7)
    tickets = 0
    for day in range(7):
        for minute in sorted(rng.randint(0, 9 * 60) for _ in range(rng.randint(3, 6))):
            moment = start + timedelta(days=day, minutes=minute)
            agent = rng.choice([agent1, agent2])
            customer_id, unit_id, phone = rng.choice(customer_units[1:])
            with clock.frozen_at(moment):
                await _one_call(agent, rng, customer_id, unit_id, phone)
            tickets += 1
    return tickets


async def _one_call(agent: Actor, rng: random.Random, customer_id: int, unit_id: int, phone: str) -> None:
    received = clock.now()
    answered = received + timedelta(seconds=rng.choice([4, 8, 12, 15, 18, 26, 41]))
    call_id = await ticket_services.record_call(
        agent,
        CallRecord(
            phone=phone,
            customer_id=customer_id,
            received_at=received,
            answered_at=answered,
            ended_at=answered + timedelta(minutes=rng.randint(2, 9)),
        ),
    )
    kind = rng.choice(
        [TicketKind.REPAIR, TicketKind.REPAIR, TicketKind.INSTALL, TicketKind.MAINTENANCE, TicketKind.CONSULT]
    )
    clock.advance(timedelta(minutes=2))
    ticket_id = await ticket_services.create_ticket(
        agent,
        TicketCreate(
            kind=kind,
            customer_id=customer_id,
            unit_id=None if kind == TicketKind.CONSULT else unit_id,
            call_id=call_id,
            description=rng.choice(PROBLEMS[kind]),
            priority=Priority.URGENT if rng.random() < 0.1 else Priority.NORMAL,
        ),
    )
    clock.advance(timedelta(minutes=rng.choice([5, 20, 45, 90, 150])))
    if kind == TicketKind.CONSULT:
        await ticket_services.resolve_ticket(agent, ticket_id, "已在电话中答复客户")
    elif rng.random() < 0.06:
        await ticket_services.cancel_ticket(agent, ticket_id, "客户来电取消")
    elif rng.random() < 0.85:
        await ticket_services.record_first_response(agent, ticket_id)
