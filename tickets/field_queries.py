"""Read-only queries for the field: a technician's jobs, one work order in full, its photos."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from service_ops import clock
from service_ops import queries as core
from service_ops.actor import Actor
from service_ops.choices import Role
from service_ops.errors import NotFound, PermissionDenied
from service_ops.schemas import CustomerRead
from tickets import sla
from tickets.choices import RESULTS_BY_KIND, Payer, SlaState, TicketKind, WorkOrderStatus, WorkResult
from tickets.field_schemas import FieldJobRead, PartRead, PhotoRead, StepAnswer, StepRead, WorkOrderRead
from tickets.schemas import Clock
from tickets.services.work_orders.common import NEXT_STEP, OPEN_VISIT
from tickets.services.work_orders.files import stored_file
from tickets.tables import WorkOrder, WorkOrderPart, WorkOrderPhoto, WorkOrderStep

JOB_LIMIT = 100
CENT = Decimal("0.01")
_UNIT: Any = WorkOrder.ticket.unit
JOB_COLUMNS = (
    *WorkOrder.all_columns(),
    WorkOrder.ticket.number.as_alias("ticket_number"),
    WorkOrder.ticket.description.as_alias("symptom_text"),
    WorkOrder.ticket.customer.as_alias("customer_id"),
    _UNIT.serial_number.as_alias("serial_number"),
    _UNIT.model.name.as_alias("model_name"),
    WorkOrder.technician.display_name.as_alias("technician_name"),
)


def money(value: Any) -> Decimal:
    """An amount as stored, with its two decimals (SQLite returns 99.5 for 99.50)."""
    return Decimal(value or 0).quantize(CENT)


def arrival_clock(row: dict[str, Any], now: datetime) -> Clock:
    """The visit's arrival commitment: met or missed once arrived, else running, due soon or overdue."""
    if row["status"] == WorkOrderStatus.CANCELLED.value and row["arrived_at"] is None:
        return Clock(due=row["arrival_due"], done=None, state=SlaState.STOPPED, minutes_left=None)
    done = row["arrived_at"]
    return Clock(
        due=row["arrival_due"],
        done=done,
        state=sla.clock_state(row["created_at"], row["arrival_due"], done, now),
        minutes_left=None if done else sla.minutes_left(row["arrival_due"], now),
    )


def _job_fields(row: dict[str, Any], customer: CustomerRead | None, now: datetime) -> dict[str, Any]:
    status = WorkOrderStatus(row["status"])
    return {
        "id": row["id"],
        "number": row["number"],
        "ticket_number": row["ticket_number"],
        "kind": TicketKind(row["kind"]),
        "visit_no": row["visit_no"],
        "status": status,
        "next_step": NEXT_STEP.get(status),
        "customer_name": customer.name if customer else "",
        "address": customer.address if customer else "",
        "phone": customer.phones[0] if customer and customer.phones else None,
        "model_name": row["model_name"],
        "appointment_start": row["appointment_start"],
        "appointment_end": row["appointment_end"],
        "arrival": arrival_clock(row, now),
        "in_warranty": row["in_warranty"],
        "completed_at": row["completed_at"],
    }


def _sort_key(job: FieldJobRead) -> tuple[int, datetime]:
    """Open jobs first, by appointment (else arrival commitment); then today's finished ones."""
    if job.status in OPEN_VISIT:
        moment = job.appointment_start or job.arrival.due
        return (0, moment) if moment else (1, datetime.max.replace(tzinfo=clock.now().tzinfo))
    return (2, job.completed_at or clock.now())


async def my_jobs(technician_id: int) -> list[FieldJobRead]:
    """The technician's open visits (overdue, today's and later ones) and the ones finished today."""
    now = clock.now()
    start_of_day = datetime.combine(clock.today(), datetime.min.time(), tzinfo=clock.org_zone())
    rows = await (
        WorkOrder.select(*JOB_COLUMNS)
        .where(
            (WorkOrder.technician == technician_id)
            & (
                WorkOrder.status.is_in([status.value for status in OPEN_VISIT])
                | (WorkOrder.completed_at >= start_of_day)
            )
        )
        .order_by(WorkOrder.arrival_due)
        .limit(JOB_LIMIT)
    )
    customers = {c.id: c for c in await core.customers_by_ids(sorted({r["customer_id"] for r in rows}))}
    jobs = [FieldJobRead(**_job_fields(row, customers.get(row["customer_id"]), now)) for row in rows]
    return sorted(jobs, key=_sort_key)


def check_can_read(actor: Actor, technician_id: int, outlet_id: int) -> None:
    """A technician reads his own visits, an outlet manager his outlet's; other roles read all."""
    if actor.role == Role.TECHNICIAN and actor.user_id != technician_id:
        raise PermissionDenied("This job is assigned to another technician.")
    if actor.role == Role.OUTLET_MANAGER and outlet_id not in actor.outlet_ids:
        raise PermissionDenied("This job belongs to another outlet.")


async def get_work_order(work_order_id: int, reader: Actor | None = None) -> WorkOrderRead:
    """One visit in full; with `reader`, only if that person may see it."""
    row = await WorkOrder.select(*JOB_COLUMNS).where(WorkOrder.id == work_order_id).first()
    if row is None:
        raise NotFound("Work order {id} not found.", id=work_order_id)
    if reader is not None:
        check_can_read(reader, row["technician"], row["outlet"])
    found = await core.customers_by_ids([row["customer_id"]])
    customer = found[0] if found else None
    return WorkOrderRead(
        **_job_fields(row, customer, clock.now()),
        ticket_id=row["ticket"],
        outlet_id=row["outlet"],
        technician_id=row["technician"],
        technician_name=row["technician_name"],
        phones=customer.phones if customer else [],
        serial_number=row["serial_number"],
        symptom=row["symptom"] or row["symptom_text"],
        created_at=row["created_at"],
        en_route_at=row["en_route_at"],
        arrived_at=row["arrived_at"],
        result=WorkResult(row["result"]) if row["result"] else None,
        results=sorted(RESULTS_BY_KIND.get(row["kind"], frozenset())),
        diagnosis=row["diagnosis"],
        fault_code=row["fault_code"],
        parts=await _parts(work_order_id),
        parts_fee=money(row["parts_fee"]),
        labour_fee=money(row["labour_fee"]),
        total_fee=money(row["total_fee"]),
        customer_pays=money(row["customer_pays"]),
        payer=Payer(row["payer"]),
        confirmed_by=row["confirmed_by"],
        confirmed_at=row["confirmed_at"],
        confirmation_sent_at=row["confirmation_sent_at"],
        cancelled_at=row["cancelled_at"],
        cancel_reason=row["cancel_reason"],
        previous_id=row["previous"],
        steps=await steps_of(work_order_id),
        photos=await photos_of(work_order_id),
    )


async def _parts(work_order_id: int) -> list[PartRead]:
    rows = await (
        WorkOrderPart.select(
            WorkOrderPart.part_no,
            WorkOrderPart.name,
            WorkOrderPart.quantity,
            WorkOrderPart.unit_price,
            WorkOrderPart.in_warranty,
        )
        .where(WorkOrderPart.work_order == work_order_id)
        .order_by(WorkOrderPart.id)
    )
    return [PartRead(**{**row, "unit_price": money(row["unit_price"])}) for row in rows]


STEP_COLUMNS = (
    WorkOrderStep.step,
    WorkOrderStep.taken_at,
    WorkOrderStep.device_at,
    WorkOrderStep.received_at,
    WorkOrderStep.was_offline,
    WorkOrderStep.actor.display_name.as_alias("actor_name"),
)


def _step_read(row: dict[str, Any]) -> StepRead:
    return StepRead(
        **{column: row[column] for column in StepRead.__struct_fields__ if column != "step"},
        step=WorkOrderStatus(row["step"]),
    )


async def steps_of(work_order_id: int) -> list[StepRead]:
    rows = await (
        WorkOrderStep.select(*STEP_COLUMNS)
        .where(WorkOrderStep.work_order == work_order_id)
        .order_by(WorkOrderStep.id)
    )
    return [_step_read(row) for row in rows]


async def step_answer(step_id: int) -> StepAnswer:
    """One recorded step with its visit's status (one query: the step API's whole answer)."""
    row = (
        await WorkOrderStep.select(
            *STEP_COLUMNS, WorkOrderStep.work_order.as_alias("work_order_id"), WorkOrderStep.work_order.status
        )
        .where(WorkOrderStep.id == step_id)
        .first()
    )
    if row is None:
        raise NotFound("Step {id} not found.", id=step_id)
    return StepAnswer(
        work_order_id=row["work_order_id"],
        status=WorkOrderStatus(row["work_order.status"]),
        step=_step_read(row),
    )


def _photo_read(row: dict[str, Any]) -> PhotoRead:
    return PhotoRead(
        id=row["id"],
        work_order_id=row["work_order"],
        sha256=row["sha256"],
        content_type=row["content_type"],
        size=row["size"],
        caption=row["caption"],
        uploaded_at=row["uploaded_at"],
    )


async def photos_of(work_order_id: int) -> list[PhotoRead]:
    rows = await (
        WorkOrderPhoto.select().where(WorkOrderPhoto.work_order == work_order_id).order_by(WorkOrderPhoto.id)
    )
    return [_photo_read(row) for row in rows]


async def photo_file(photo_id: int, reader: Actor) -> tuple[Path, str]:
    """The stored file of a photo and its media type, for someone who may see the work order."""
    row = (
        await WorkOrderPhoto.select(
            WorkOrderPhoto.work_order, WorkOrderPhoto.path, WorkOrderPhoto.content_type
        )
        .where(WorkOrderPhoto.id == photo_id)
        .first()
    )
    if row is None:
        raise NotFound("Photo {id} not found.", id=photo_id)
    await get_work_order_scope(row["work_order"], reader)
    return stored_file(row["path"]), row["content_type"]


async def get_work_order_scope(work_order_id: int, reader: Actor) -> None:
    row = (
        await WorkOrder.select(WorkOrder.technician, WorkOrder.outlet)
        .where(WorkOrder.id == work_order_id)
        .first()
    )
    if row is None:
        raise NotFound("Work order {id} not found.", id=work_order_id)
    check_can_read(reader, row["technician"], row["outlet"])


async def visits_of_ticket(ticket_id: int) -> list[dict[str, Any]]:
    """The ticket's work orders, visit by visit (the ticket page lists them with their state)."""
    return list(
        await WorkOrder.select(
            WorkOrder.id,
            WorkOrder.number,
            WorkOrder.visit_no,
            WorkOrder.status,
            WorkOrder.result,
            WorkOrder.arrival_due,
            WorkOrder.arrived_at,
            WorkOrder.completed_at,
            WorkOrder.technician.display_name.as_alias("technician_name"),
        )
        .where(WorkOrder.ticket == ticket_id)
        .order_by(WorkOrder.visit_no)
        .order_by(WorkOrder.id)
    )
