"""The corrective action register: open ones first, earliest due (so overdue) first."""

from __future__ import annotations

from datetime import date
from typing import Any

from service_ops import clock
from service_ops.errors import NotFound
from tickets.choices import CapaSource, SlaState
from tickets.loop_queries.common import PAGE_SIZE
from tickets.loop_schemas import CorrectiveActionRead
from tickets.tables import CorrectiveAction

CAPA_COLUMNS = (
    *CorrectiveAction.all_columns(),
    CorrectiveAction.complaint.number.as_alias("complaint_number"),
    CorrectiveAction.owner.display_name.as_alias("owner_name"),
    CorrectiveAction.created_by.display_name.as_alias("created_by_name"),
)


def capa_state(due_on: date, closed_on: date | None, today: date) -> SlaState:
    if closed_on is not None:
        return SlaState.MET if closed_on <= due_on else SlaState.MISSED
    return SlaState.OVERDUE if today > due_on else SlaState.RUNNING


def capa_read(row: dict[str, Any], today: date) -> CorrectiveActionRead:
    return CorrectiveActionRead(
        id=row["id"],
        number=row["number"],
        source=CapaSource(row["source"]),
        complaint_id=row["complaint"],
        complaint_number=row["complaint_number"],
        source_ref=row["source_ref"],
        description=row["description"],
        owner_id=row["owner"],
        owner_name=row["owner_name"],
        opened_on=row["opened_on"],
        due_on=row["due_on"],
        closed_on=row["closed_on"],
        state=capa_state(row["due_on"], row["closed_on"], today),
        closure_note=row["closure_note"],
        effectiveness_check=row["effectiveness_check"],
        effective=row["effective"],
        created_by=row["created_by_name"],
    )


async def list_corrective_actions(page: int = 1) -> list[CorrectiveActionRead]:
    """Open actions first (earliest due first, so overdue ones lead), then closed ones, newest first."""
    today = clock.today()
    open_rows = (
        await CorrectiveAction.select(*CAPA_COLUMNS)
        .where(CorrectiveAction.closed_on.is_null())
        .order_by(CorrectiveAction.due_on)
        .order_by(CorrectiveAction.id)
    )
    closed_rows = await (
        CorrectiveAction.select(*CAPA_COLUMNS)
        .where(CorrectiveAction.closed_on.is_not_null())
        .order_by(CorrectiveAction.closed_on, ascending=False)
        .order_by(CorrectiveAction.id, ascending=False)
        .limit(PAGE_SIZE)
    )
    listed = [capa_read(row, today) for row in [*open_rows, *closed_rows]]
    return listed[(max(page, 1) - 1) * PAGE_SIZE :][:PAGE_SIZE]


async def get_corrective_action(action_id: int) -> CorrectiveActionRead:
    row = await CorrectiveAction.select(*CAPA_COLUMNS).where(CorrectiveAction.id == action_id).first()
    if row is None:
        raise NotFound("Corrective action {id} not found.", id=action_id)
    return capa_read(row, clock.today())


async def corrective_actions_of_complaint(complaint_id: int) -> list[CorrectiveActionRead]:
    rows = (
        await CorrectiveAction.select(*CAPA_COLUMNS)
        .where(CorrectiveAction.complaint == complaint_id)
        .order_by(CorrectiveAction.id)
    )
    today = clock.today()
    return [capa_read(row, today) for row in rows]
