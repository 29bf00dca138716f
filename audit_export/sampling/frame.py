"""The sampling frame: which records of a period an auditor's sample is drawn from (read-only).

- ticket: created in the period and not cancelled;
- work_order: arrived on site or completed in the period;
- complaint: received in the period.

Strata: the outlet (the ticket's or work order's outlet; a complaint's ticket's outlet) by code,
or the product category of the unit served. A record without one is in the stratum "".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from audit_export.period import Period
from audit_export.sampling.draw import FrameRecord
from service_ops.errors import N_
from tickets.tables import Complaint, Ticket, WorkOrder


class SampleEntity(StrEnum):
    TICKET = "ticket"
    WORK_ORDER = "work_order"
    COMPLAINT = "complaint"

    @property
    def label(self) -> str:
        return {
            SampleEntity.TICKET: N_("Tickets"),
            SampleEntity.WORK_ORDER: N_("Work orders"),
            SampleEntity.COMPLAINT: N_("Complaints"),
        }[self]


class Stratify(StrEnum):
    NONE = "none"
    OUTLET = "outlet"
    CATEGORY = "category"

    @property
    def label(self) -> str:
        return {
            Stratify.NONE: N_("Not stratified"),
            Stratify.OUTLET: N_("By outlet"),
            Stratify.CATEGORY: N_("By product category"),
        }[self]


def _ticket_query(period: Period, stratify: Stratify) -> Any:
    stratum = {
        Stratify.OUTLET: Ticket.outlet._.code,
        Stratify.CATEGORY: Ticket.unit._.model._.category,
    }.get(stratify)
    columns = [Ticket.id.as_alias("entity_id")]
    if stratum is not None:
        columns.append(stratum.as_alias("stratum"))
    return (
        Ticket.select(*columns)
        .where(
            (Ticket.created_at >= period.start_at)
            & (Ticket.created_at < period.end_at)
            & Ticket.cancelled_at.is_null()
        )
        .order_by(Ticket.id)
    )


def _work_order_query(period: Period, stratify: Stratify) -> Any:
    stratum = {
        Stratify.OUTLET: WorkOrder.outlet._.code,
        Stratify.CATEGORY: WorkOrder.ticket._.unit._.model._.category,
    }.get(stratify)
    columns = [WorkOrder.id.as_alias("entity_id")]
    if stratum is not None:
        columns.append(stratum.as_alias("stratum"))
    arrived = (WorkOrder.arrived_at >= period.start_at) & (WorkOrder.arrived_at < period.end_at)
    completed = (WorkOrder.completed_at >= period.start_at) & (WorkOrder.completed_at < period.end_at)
    return WorkOrder.select(*columns).where(arrived | completed).order_by(WorkOrder.id)


def _complaint_query(period: Period, stratify: Stratify) -> Any:
    stratum = {
        Stratify.OUTLET: Complaint.ticket._.outlet._.code,
        Stratify.CATEGORY: Complaint.ticket._.unit._.model._.category,
    }.get(stratify)
    columns = [Complaint.id.as_alias("entity_id")]
    if stratum is not None:
        columns.append(stratum.as_alias("stratum"))
    return (
        Complaint.select(*columns)
        .where((Complaint.received_at >= period.start_at) & (Complaint.received_at < period.end_at))
        .order_by(Complaint.id)
    )


QUERIES = {
    SampleEntity.TICKET: _ticket_query,
    SampleEntity.WORK_ORDER: _work_order_query,
    SampleEntity.COMPLAINT: _complaint_query,
}


async def sampling_frame(entity: SampleEntity, period: Period, stratify: Stratify) -> list[FrameRecord]:
    """The frame ordered by id (the draw's reproducibility rests on this order)."""
    rows = await QUERIES[entity](period, stratify)
    return [
        FrameRecord(entity_id=int(row["entity_id"]), stratum=str(row.get("stratum") or "")) for row in rows
    ]
