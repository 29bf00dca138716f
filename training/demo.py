"""Demo training data, written through the services: a course catalogue, past sessions with roll
calls, and certificates — one technician qualified for air conditioners, one not, one certificate
expiring within 30 days, and a service manager certificate recorded from an external scan.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from service_ops import clock
from service_ops.actor import Actor
from service_ops.choices import ProductCategory, Role
from service_ops.tables import User
from training import services
from training.schemas import CourseCreate, ExternalCertificateCreate, RollCallEntry, SessionCreate
from training.tables import Course

# code, title, hours, category, required for, validity (months), pass mark, service manager cert
COURSES = [
    ("AC-INST", "空调安装维修上岗证", 16, ProductCategory.AIR_CONDITIONER, [Role.TECHNICIAN], 24, 60, False),
    ("WM-REP", "洗衣机维修上岗证", 12, ProductCategory.WASHING_MACHINE, [Role.TECHNICIAN], 24, 60, False),
    ("SM-CERT", "售后服务管理师", 40, None, [Role.SERVICE_MANAGER, Role.OUTLET_MANAGER], 36, 70, True),
    (
        "SVC-ETQ",
        "服务规范与礼仪",
        4,
        None,
        [Role.TECHNICIAN, Role.AGENT, Role.OUTLET_MANAGER],
        None,
        None,
        False,
    ),
]
PLACE = "深圳培训中心 3 楼"


def demo_scan() -> bytes:
    """A small, well-formed one-page PDF standing in for a scanned certificate."""
    text = b"BT /F1 18 Tf 72 720 Td (External certificate - demo scan) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=clock.org_zone())


async def _user_ids(usernames: list[str]) -> dict[str, int]:
    rows = await User.select(User.id, User.username).where(User.username.is_in(usernames or [""]))
    return {row["username"]: row["id"] for row in rows}


async def _session(
    system: Actor, course_id: int, trainer_id: int, day: date, entries: list[RollCallEntry]
) -> int:
    session_id = await services.schedule_session(
        system,
        SessionCreate(course_id=course_id, starts_at=_at_nine(day), trainer_id=trainer_id, place=PLACE),
    )
    return len(await services.record_roll_call(system, session_id, entries)) if entries else 0


async def _courses(system: Actor) -> dict[str, int]:
    course = {}
    for code, title, hours, category, roles, validity, pass_mark, manager_cert in COURSES:
        course[code] = await services.create_course(
            system,
            CourseCreate(
                code=code,
                title=title,
                hours=hours,
                category=category,
                required_roles=roles,
                validity_months=validity,
                pass_mark=pass_mark,
                is_service_manager_cert=manager_cert,
            ),
        )
    return course


def _passes(user_ids: list[int], scores: list[float | None]) -> list[RollCallEntry]:
    return [RollCallEntry(user_id=u, attended=True, score=s) for u, s in zip(user_ids, scores, strict=False)]


async def load_training_demo(
    system: Actor, trainer_username: str, technician_usernames: list[str], manager_usernames: list[str]
) -> dict[str, int]:
    """Load the demo catalogue and history once; returns counts (empty if it was already there).

    The second technician fails air conditioners (not qualified, for the dispatch demo); the first
    passed washing machines almost two years ago (that certificate expires within 30 days).
    """
    if await Course.exists().where(Course.code == COURSES[0][0]):
        return {}
    ids = await _user_ids([trainer_username, *technician_usernames, *manager_usernames])
    trainer = ids[trainer_username]
    technicians = [ids[name] for name in technician_usernames]
    managers = [ids[name] for name in manager_usernames]
    course = await _courses(system)
    today = clock.today()
    ac_scores: list[float | None] = [88.0, 52.0, *[75.0 + n for n in range(len(technicians) - 2)]]
    plan = [
        ("AC-INST", today - timedelta(days=60), _passes(technicians, ac_scores)),
        ("WM-REP", clock.add_months(today, -24) + timedelta(days=20), _passes(technicians[:1], [81.0])),
        (
            "SVC-ETQ",
            today - timedelta(days=30),
            _passes(technicians + managers, [None] * (len(technicians) + len(managers))),
        ),
        ("SM-CERT", today - timedelta(days=120), _passes(managers[:1], [82.0])),
    ]
    issued = 0
    for code, day, entries in plan:
        issued += await _session(system, course[code], trainer, day, entries)
    for user_id in managers[1:2]:
        issued += await _external_manager_certificate(system, user_id, course["SM-CERT"], today)
    return {"courses": len(COURSES), "sessions": len(plan), "certificates": issued}


async def _external_manager_certificate(system: Actor, user_id: int, course_id: int, today: date) -> int:
    await services.record_external_certificate(
        system,
        ExternalCertificateCreate(
            user_id=user_id,
            course_id=course_id,
            number=f"SMC-{today.year - 1}-{user_id:05d}",
            issuer="中国商业联合会",
            issued_on=today - timedelta(days=400),
        ),
        demo_scan(),
        "售后服务管理师证书.pdf",
    )
    return 1
