"""A realistic demo data set, written through the services (so its audit trail is real too)."""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from outlets.demo import load_network_demo
from outlets.queries import outlet_manager_ids, technicians_for
from outlets.schemas import MembershipCreate, OutletCreate
from outlets.services import add_member, create_outlet
from service_ops import clock, services
from service_ops.actor import Actor, system_actor
from service_ops.auth import load_actor
from service_ops.choices import ProductCategory, Role, ServiceClass
from service_ops.documents import services as document_services
from service_ops.documents.choices import DocumentKind, Horizon, RewardKind
from service_ops.documents.schemas import (
    DocumentCreate,
    ManagementReviewWrite,
    RewardPenaltyWrite,
    ServiceTargetWrite,
)
from service_ops.fund import services as fund_services
from service_ops.fund.choices import EntryKind
from service_ops.fund.schemas import AccountCreate, EntryCreate
from service_ops.fund.tables import FundAccount
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


HISTORY_MONTHS = 6
HISTORY_TICKETS_PER_MONTH = 60
HISTORY_PREFIX = "H"
DOCUMENTS = {
    DocumentKind.SERVICE_MANUAL: ("售后服务手册", "After-sales service manual"),
    DocumentKind.SERVICE_PROCEDURES: ("售后服务工作程序", "Service procedures"),
    DocumentKind.SERVICE_COMMITMENT: ("售后服务承诺书", "Service commitment"),
    DocumentKind.SERVICE_CONCEPT: ("售后服务理念", "Service concept"),
    DocumentKind.ORG_CHART: ("售后服务组织机构图", "Organisation chart"),
    DocumentKind.JOB_DESCRIPTIONS: ("售后服务岗位职责说明书", "Job descriptions"),
    DocumentKind.MANAGEMENT_REP_APPOINTMENT: (
        "关于任命售后服务管理者代表的决定",
        "Management representative",
    ),
    DocumentKind.SUPERVISION_APPOINTMENT: ("关于任命售后服务监督员的决定", "Service supervision"),
    DocumentKind.LEGAL_REGISTER: ("适用法律法规及标准清单", "Register of applicable laws"),
    DocumentKind.FUND_BUDGET: ("售后服务资金预算", "Service fund budget"),
}
APPOINTEES = {
    DocumentKind.MANAGEMENT_REP_APPOINTMENT: "manager1",
    DocumentKind.SUPERVISION_APPOINTMENT: "auditor1",
}
YEARLY_BUDGET = Decimal("1200000.00")


async def load_demo(
    force: bool = False, customers: int = 40, seed: int = 27922, history_months: int = HISTORY_MONTHS
) -> dict[str, int]:
    """Load everything once; returns counts (empty if demo data was already there).

    `history_months` months of generated history (0: none) are imported first, as a customer's
    old system would hand them over, so the KPIs and prerequisite P1 (three months of records)
    have data behind them.
    """
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
    history = await load_history_demo(system, history_months, seed) if history_months > 0 else 0
    evidence = await load_service_system_demo(staff)
    return {
        **field,
        **evidence,
        "staff": len(staff),
        "outlets": len(OUTLETS),
        "customers": len(customer_units),
        "tickets": tickets,
        "history_records": history,
    }


async def load_history_demo(system: Actor, months: int, seed: int) -> int:
    """Generate `months` whole months of history ending before this month and import them."""
    from audit_export.history.generate import write_bundle
    from audit_export.history.services import import_history

    start = clock.add_months(clock.today().replace(day=1), -months)
    with tempfile.TemporaryDirectory(prefix="demo-history-") as folder:
        counts = write_bundle(
            Path(folder),
            start=start,
            months=months,
            tickets_per_month=HISTORY_TICKETS_PER_MONTH,
            seed=seed,
            prefix=HISTORY_PREFIX,
        )
        await import_history(system, Path(folder))
    return sum(counts.values())


async def load_service_system_demo(staff: dict[str, Actor]) -> dict[str, int]:
    """The service system's evidence: controlled documents of every kind (with the appointments),
    this year's fund budget, service targets, a management review and a reward."""
    manager = staff["manager1"]
    today = clock.today()
    approved = clock.add_months(today, -HISTORY_MONTHS)
    for kind, (title, english) in DOCUMENTS.items():
        appointee = APPOINTEES.get(kind)
        await document_services.register_document(
            manager,
            DocumentCreate(
                kind=kind,
                title=f"{today.year} 年{title}" if kind == DocumentKind.FUND_BUDGET else title,
                version="A/0",
                approver_id=_id(manager),
                approved_on=approved,
                effective_on=approved,
                appointee_id=_id(staff[appointee]) if appointee else None,
            ),
            demo_pdf(f"{english} - version A/0 - approved {approved.isoformat()}"),
            f"{title}.pdf",
        )
    await _post_yearly_budget(staff["finance1"], today)
    technicians = [staff[username] for username, _, role in STAFF if role == Role.TECHNICIAN]
    certificates = await _certify_for_history_courses(staff["trainer1"], technicians, today)
    targets = await _set_targets(manager, today)
    await document_services.record_management_review(
        manager,
        ManagementReviewWrite(
            held_on=today - timedelta(days=20),
            attendees=["刘洋（管理者代表）", "黄强", "何伟", "林峰", "孙丽", "周审"],
            inputs="上半年服务指标完成情况、顾客投诉与回访结果、网点检查结论、培训与持证情况",
            decisions="保持 24 小时上门承诺；加强肇庆农村地区网点覆盖；空调安装人员年内全部持证",
            actions="服务部 30 日内提交农村网点建设方案；培训部组织第四季度安装复训",
        ),
    )
    await document_services.record_reward_penalty(
        manager,
        RewardPenaltyWrite(
            decided_on=today - timedelta(days=10),
            kind=RewardKind.REWARD,
            reason="连续三个月顾客满意度第一，零投诉",
            person_id=_id(staff["tech_ns1"]),
            amount=Decimal("500.00"),
        ),
    )
    return {
        "documents": len(DOCUMENTS),
        "targets": targets,
        "management_reviews": 1,
        "rewards": 1,
        "external_certificates": certificates,
    }


def _id(actor: Actor) -> int:
    assert actor.user_id is not None
    return actor.user_id


async def _post_yearly_budget(finance: Actor, today: date) -> None:
    """This year's budget in the ledger, unless the imported history already posted one."""
    from audit_export.ledger import budget_of_year

    budget = await budget_of_year(today.year)
    if budget is not None and budget.count > 0:
        return
    if not await FundAccount.exists().where(FundAccount.code == "budget"):
        await fund_services.create_account(
            finance, AccountCreate(code="budget", name="售后服务预算", default_kind=EntryKind.BUDGET)
        )
    await fund_services.post_entry(
        finance,
        EntryCreate(
            posted_on=date(today.year, 1, 1),
            kind=EntryKind.BUDGET,
            amount=YEARLY_BUDGET,
            account="budget",
            memo=f"{today.year} 年度售后服务资金预算",
        ),
    )


async def _certify_for_history_courses(trainer: Actor, technicians: list[Actor], today: date) -> int:
    """The demo technicians also hold (external certificates of) the courses the imported history
    requires of technicians, so they stay as qualified as the training demo made them (and the
    service team has fully certified members, P6)."""
    from training import queries as training_queries
    from training import services as training_services
    from training.demo import COURSES
    from training.schemas import ExternalCertificateCreate

    demo_courses = {course[0] for course in COURSES}
    required = (await training_queries.required_courses(None, [Role.TECHNICIAN.value])).get(
        Role.TECHNICIAN.value, {}
    )
    imported = {course_id: code for course_id, code in required.items() if code not in demo_courses}
    held = await training_queries.held_courses([_id(t) for t in technicians], list(imported), today)
    recorded = 0
    for technician in technicians:
        for course_id, code in sorted(imported.items()):
            if (_id(technician), course_id) in held:
                continue
            number = f"CHEAA-{today.year}-{code}-{_id(technician):04d}"
            await training_services.record_external_certificate(
                trainer,
                ExternalCertificateCreate(
                    user_id=_id(technician),
                    course_id=course_id,
                    number=number,
                    issuer="中国家用电器服务维修协会",
                    issued_on=today - timedelta(days=60),
                ),
                demo_pdf(f"Certificate {number}"),
                f"{number}.pdf",
            )
            recorded += 1
    return recorded


async def _set_targets(manager: Actor, today: date) -> int:
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    targets = [
        (Horizon.ANNUAL, year_start, year_end, "response_on_time_rate", ">=0.95"),
        (Horizon.ANNUAL, year_start, year_end, "arrival_on_time_rate", ">=0.90"),
        (Horizon.ANNUAL, year_start, year_end, "followup_coverage_7d", ">=0.90"),
        (Horizon.ANNUAL, year_start, year_end, "repeat_repair_rate_30d", "<=0.03"),
        (Horizon.LONG, year_start, date(today.year + 2, 12, 31), "csat_mean", ">=4.5"),
    ]
    for horizon, period_from, period_to, kpi_code, target in targets:
        await document_services.create_service_target(
            manager,
            ServiceTargetWrite(
                horizon=horizon,
                period_from=period_from,
                period_to=period_to,
                kpi_code=kpi_code,
                target=target,
                owner_id=_id(manager),
            ),
        )
    return len(targets)


def demo_pdf(text: str) -> bytes:
    """A one-page PDF showing one line of (ASCII) text: small, valid, different per text."""
    line = text.encode("ascii", "replace").replace(b"\\", b"").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 760 Td (" + line + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\n"
    out += b"startxref\n" + str(xref).encode() + b"\n%%EOF\n"
    return bytes(out)


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
