"""Demo field work: older visits worked and closed, a poor follow-up turned complaint, jobs left for today.

Written through the services with the clock set back, so every record has its audit events and the
timestamps a real week would have produced.
"""

from __future__ import annotations

import base64
import random
import struct
import zlib
from datetime import timedelta
from decimal import Decimal

from service_ops import clock
from service_ops.actor import Actor
from service_ops.auth import load_actor
from tickets import services
from tickets.choices import CapaSource, ComplaintCategory, GuaranteeKind, TicketKind, WorkResult
from tickets.field_schemas import PartLine, WorkOrderCompletion
from tickets.loop_schemas import CorrectiveActionCreate, GuaranteeCreate
from tickets.tables import Followup, Ticket, WorkOrder

WORKED_BEFORE = timedelta(days=3)
FINDINGS = {
    TicketKind.REPAIR: ("压缩机启动电容老化，更换后制冷正常", "E1-CAP", WorkResult.FIXED),
    TicketKind.INSTALL: ("按规范安装，试机正常，已讲解使用", "", WorkResult.INSTALLED),
    TicketKind.MAINTENANCE: ("清洗滤网与蒸发器，检查冷媒压力正常", "", WorkResult.FIXED),
}
SCORES = [5, 5, 4, 5, 4, 3, 5, 4]


def signature_png() -> str:
    """A small drawn-looking signature (a diagonal stroke), as the phone's canvas would send it."""
    width, height = 48, 16
    rows = b"".join(
        b"\x00" + bytes(0 if abs(x // 3 - y) < 1 else 255 for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode()


async def load_field_demo(staff: dict[str, Actor], rng: random.Random) -> dict[str, int]:
    """Work the visits of tickets older than three days; newer ones stay on the technicians' lists."""
    cutoff = clock.now() - WORKED_BEFORE
    orders = (
        await WorkOrder.select(
            WorkOrder.id, WorkOrder.technician, WorkOrder.kind, WorkOrder.ticket.created_at
        )
        .where((WorkOrder.status == "assigned") & (WorkOrder.ticket.created_at < cutoff))
        .order_by(WorkOrder.id)
    )
    worked = 0
    for order in orders:
        technician = await load_actor(order["technician"])
        assert technician is not None
        with clock.frozen_at(order["ticket.created_at"] + timedelta(hours=rng.randint(2, 5))):
            await _work(technician, order["id"], TicketKind(order["kind"]), rng)
        worked += 1
    followed = await _follow_up(staff, rng)
    await _guarantee_request(staff)
    return {"work_orders_completed": worked, "followups_done": followed}


async def _work(technician: Actor, order_id: int, kind: TicketKind, rng: random.Random) -> None:
    await services.take_step(technician, order_id, "en_route")
    clock.advance(timedelta(minutes=rng.randint(20, 50)))
    await services.take_step(technician, order_id, "arrived")
    clock.advance(timedelta(minutes=rng.randint(30, 90)))
    diagnosis, fault_code, result = FINDINGS[kind]
    parts = (
        [
            PartLine(
                part_no="CAP-35UF",
                name="启动电容 35μF",
                quantity=1,
                unit_price=Decimal("38.00"),
                in_warranty=True,
            )
        ]
        if kind == TicketKind.REPAIR
        else []
    )
    await services.complete_work_order(
        technician,
        order_id,
        WorkOrderCompletion(
            result=result,
            diagnosis=diagnosis,
            fault_code=fault_code,
            parts=parts,
            labour_fee=Decimal("0.00"),
            signature_png=signature_png(),
        ),
    )


async def _follow_up(staff: dict[str, Actor], rng: random.Random) -> int:
    """Most resolved jobs were called back the next day; one poor score became a complaint and an action."""
    due = await Followup.select(Followup.id, Followup.ticket.resolved_at).where(Followup.done_at.is_null())
    done = 0
    for index, followup in enumerate(due[:-2]):
        score = 2 if index == 1 else rng.choice(SCORES)
        with clock.frozen_at(followup["ticket.resolved_at"] + timedelta(hours=rng.randint(20, 30))):
            await services.record_followup(
                staff["agent2"], followup["id"], reached=True, score=score, comment=""
            )
            if score == 2:
                await _complaint_with_action(staff, followup["id"])
        done += 1
    return done


async def _complaint_with_action(staff: dict[str, Actor], followup_id: int) -> None:
    complaint_id = await services.complaint_from_followup(
        staff["agent2"],
        followup_id,
        category=ComplaintCategory.TIMELINESS,
        description="师傅迟到一个多小时，未提前告知",
    )
    clock.advance(timedelta(minutes=40))
    await services.acknowledge_complaint(staff["manager1"], complaint_id)
    await services.open_corrective_action(
        staff["manager1"],
        CorrectiveActionCreate(
            source=CapaSource.COMPLAINT,
            complaint_id=complaint_id,
            description="上门前 30 分钟电话告知客户；迟到超过 15 分钟须致歉并报备",
            owner_id=int(staff["om_ns"].user_id or 0),
            due_on=clock.today() + timedelta(days=14),
        ),
    )


async def _guarantee_request(staff: dict[str, Actor]) -> None:
    """A customer asks for a repair under the 三包 rules on the newest repair ticket."""
    ticket = (
        await Ticket.select(Ticket.id, Ticket.unit)
        .where((Ticket.kind == TicketKind.REPAIR.value) & Ticket.unit.is_not_null())
        .order_by(Ticket.id, ascending=False)
        .first()
    )
    if ticket is None:
        return
    await services.request_guarantee(
        staff["agent1"],
        GuaranteeCreate(
            unit_id=ticket["unit"], ticket_id=ticket["id"], kind=GuaranteeKind.REPAIR, reason="保修期内不制冷"
        ),
    )
