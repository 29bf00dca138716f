"""三包 requests and rules: the register, the rules in force, failed repairs of a unit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from service_ops import clock
from service_ops.errors import NotFound
from tickets import loop_settings
from tickets.choices import GuaranteeKind, TicketKind, WorkResult
from tickets.guarantee_rules import DEFAULT_RULES, GuaranteeDecision, Rule, rule_from_row
from tickets.loop_queries.common import PAGE_SIZE, local_midnight, loop_clock
from tickets.loop_schemas import GuaranteeRead, GuaranteeRuleRead
from tickets.tables import GuaranteeRequest, GuaranteeRule, WorkOrder

GUARANTEE_COLUMNS = (
    *GuaranteeRequest.all_columns(),
    GuaranteeRequest.ticket.number.as_alias("ticket_number"),
    GuaranteeRequest.unit.serial_number.as_alias("serial_number"),
    GuaranteeRequest.unit.customer.as_alias("customer_id"),
    GuaranteeRequest.unit._.customer._.name.as_alias("customer_name"),
    GuaranteeRequest.decided_by.display_name.as_alias("decided_by_name"),
    GuaranteeRequest.created_by.display_name.as_alias("created_by_name"),
)


def guarantee_read(row: dict[str, Any], now: datetime, near: int) -> GuaranteeRead:
    return GuaranteeRead(
        id=row["id"],
        number=row["number"],
        ticket_id=row["ticket"],
        ticket_number=row["ticket_number"],
        unit_id=row["unit"],
        serial_number=row["serial_number"],
        customer_id=row["customer_id"],
        customer_name=row["customer_name"],
        kind=GuaranteeKind(row["kind"]),
        reason=row["reason"],
        requested_at=row["requested_at"],
        decision_clock=loop_clock(row["requested_at"], row["due_at"], row["decided_at"], now, near),
        eligible_rule=row["eligible_rule"],
        decided_at=row["decided_at"],
        decision=GuaranteeDecision(row["decision"]) if row["decision"] else None,
        decision_rule=row["decision_rule"],
        decision_note=row["decision_note"],
        decided_by=row["decided_by_name"],
        created_by=row["created_by_name"],
    )


async def list_guarantees(page: int = 1) -> list[GuaranteeRead]:
    """Undecided requests first (earliest legal due time first), then decided ones, newest first."""
    now, near = clock.now(), (await loop_settings.current()).near_breach_percent
    pending = (
        await GuaranteeRequest.select(*GUARANTEE_COLUMNS)
        .where(GuaranteeRequest.decided_at.is_null())
        .order_by(GuaranteeRequest.due_at)
    )
    decided = await (
        GuaranteeRequest.select(*GUARANTEE_COLUMNS)
        .where(GuaranteeRequest.decided_at.is_not_null())
        .order_by(GuaranteeRequest.decided_at, ascending=False)
        .limit(PAGE_SIZE)
    )
    listed = [guarantee_read(row, now, near) for row in [*pending, *decided]]
    return listed[(max(page, 1) - 1) * PAGE_SIZE :][:PAGE_SIZE]


async def get_guarantee(request_id: int) -> GuaranteeRead:
    row = await GuaranteeRequest.select(*GUARANTEE_COLUMNS).where(GuaranteeRequest.id == request_id).first()
    if row is None:
        raise NotFound("三包 request {id} not found.", id=request_id)
    return guarantee_read(row, clock.now(), (await loop_settings.current()).near_breach_percent)


async def list_guarantee_rules() -> list[GuaranteeRuleRead]:
    return [GuaranteeRuleRead(**row) for row in await GuaranteeRule.select().order_by(GuaranteeRule.code)]


async def get_guarantee_rule(rule_id: int) -> GuaranteeRuleRead:
    row = await GuaranteeRule.select().where(GuaranteeRule.id == rule_id).first()
    if row is None:
        raise NotFound("三包 rule {id} not found.", id=rule_id)
    return GuaranteeRuleRead(**row)


async def rules_in_force() -> tuple[list[Rule], bool]:
    """The active configured rules, or the defaults when none is active; True when configured."""
    rows = await GuaranteeRule.select().where(GuaranteeRule.is_active.eq(True)).order_by(GuaranteeRule.code)
    if rows:
        return [rule_from_row(row) for row in rows], True
    return list(DEFAULT_RULES), False


async def failed_repairs_in_warranty(unit_id: int, purchase_date: date, warranty_end: date) -> int:
    """Visits with result "not fixed" on the unit's repair tickets, completed within its warranty period."""
    return int(
        await WorkOrder.count().where(
            (WorkOrder.ticket._.unit == unit_id)
            & (WorkOrder.ticket._.kind == TicketKind.REPAIR.value)
            & (WorkOrder.result == WorkResult.NOT_FIXED.value)
            & (WorkOrder.completed_at >= local_midnight(purchase_date))
            & (WorkOrder.completed_at < local_midnight(warranty_end + timedelta(days=1)))
        )
    )
