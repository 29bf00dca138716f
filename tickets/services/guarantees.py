"""三包 requests (repair / replacement / refund guarantee) and the rules that decide them.

When a request is registered, the rules in force (tickets.guarantee_rules) say whether it
qualifies and by when it must be decided; the facts they looked at go into the audit event.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import timedelta
from typing import Any, cast

from piccolo.columns import Column

from service_ops import clock, idempotency, numbering
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import Conflict, Invalid, NotFound
from service_ops.queries import warranty_end
from service_ops.tables import Unit
from service_ops.uow import lock_row, unit_of_work
from service_ops.validation import required_text
from tickets import events, loop_queries
from tickets.guarantee_rules import (
    DEFAULT_DECIDE_WITHIN_DAYS,
    NO_RULE,
    GuaranteeDecision,
    UnitFacts,
    matching_rule,
)
from tickets.loop_schemas import GuaranteeCreate, GuaranteeRuleWrite
from tickets.tables import GuaranteeRequest, GuaranteeRule, Ticket

__all__ = ["create_guarantee_rule", "decide_guarantee", "request_guarantee", "update_guarantee_rule"]

REQUEST_ROLES = (Role.AGENT, Role.SERVICE_MANAGER)
DECIDE_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER)
RULE_ROLES = (Role.SERVICE_MANAGER,)
REQUEST_SNAPSHOT = (
    "number",
    "unit",
    "ticket",
    "kind",
    "reason",
    "requested_at",
    "due_at",
    "eligible_rule",
)
RULE_CODE = re.compile(r"^[a-z0-9][a-z0-9_]{1,63}$")
"""Event names of rule changes (not in tickets.events yet), with their audit-trail labels."""


async def request_guarantee(actor: Actor, data: GuaranteeCreate, idempotency_key: str | None = None) -> int:
    """Register a request now; the rules in force set whether it qualifies and its legal decision time."""
    check_role(actor, REQUEST_ROLES)
    replayed = await idempotency.replayed_entity_id(actor, "request_guarantee", idempotency_key)
    if replayed is not None:
        return int(replayed)
    reason = required_text(data.reason, "reason", 4000)
    async with unit_of_work(actor) as uow:
        facts = await _facts(data)
        rules, configured = await loop_queries.rules_in_force()
        rule = matching_rule(rules, data.kind, facts)
        moment = clock.now()
        day = moment.astimezone(clock.org_zone()).strftime("%Y%m%d")
        request = GuaranteeRequest(
            number=f"G{day}{await numbering.next_value('guarantee:' + day):05d}",
            ticket=data.ticket_id,
            unit=data.unit_id,
            kind=data.kind.value,
            reason=reason,
            requested_at=moment,
            due_at=moment + timedelta(days=rule.decide_within_days if rule else DEFAULT_DECIDE_WITHIN_DAYS),
            eligible_rule=rule.code if rule else "",
            created_by=actor.user_id,
        )
        await request.save()
        await idempotency.remember(
            actor, "request_guarantee", idempotency_key, "guarantee_request", request.id
        )
        after = {column: getattr(request, column) for column in REQUEST_SNAPSHOT}
        after.update(asdict(facts), rules="configured" if configured else "defaults")
        uow.record(events.GUARANTEE_REQUESTED, "guarantee_request", request.id, after=after)
        return int(request.id)


async def _facts(data: GuaranteeCreate) -> UnitFacts:
    """The unit's days since purchase, warranty and failed repairs today (its ticket must be about it)."""
    unit = (
        await Unit.select(Unit.purchase_date, Unit.model.warranty_months)
        .where(Unit.id == data.unit_id)
        .first()
    )
    if unit is None:
        raise Invalid("Unknown unit {id}.", field="unit_id", id=data.unit_id)
    if data.ticket_id is not None:
        ticket = await Ticket.select(Ticket.unit).where(Ticket.id == data.ticket_id).first()
        if ticket is None or ticket["unit"] != data.unit_id:
            raise Invalid("Ticket {id} is not about this unit.", field="ticket_id", id=data.ticket_id)
    today, purchased = clock.today(), unit["purchase_date"]
    end = warranty_end(purchased, unit["model.warranty_months"])
    return UnitFacts(
        days_since_purchase=(today - purchased).days,
        in_warranty=today <= end,
        failed_repairs=await loop_queries.failed_repairs_in_warranty(data.unit_id, purchased, end),
    )


async def decide_guarantee(
    actor: Actor, request_id: int, decision: GuaranteeDecision | str, note: str = ""
) -> None:
    """Grant or refuse, once; granting what no rule allows, or refusing what a rule allows, needs a note."""
    check_role(actor, DECIDE_ROLES)
    try:
        verdict = GuaranteeDecision(decision)
    except ValueError as error:
        raise Invalid("The decision is “granted” or “refused”.", field="decision") from error
    text = (note or "").strip()
    if len(text) > 4000:
        raise Invalid("The note is too long (at most {max} characters).", field="note", max=4000)
    async with unit_of_work(actor) as uow:
        await lock_row(GuaranteeRequest, request_id)
        request = await GuaranteeRequest.objects().get(GuaranteeRequest.id == request_id)
        if request is None:
            raise NotFound("三包 request {id} not found.", id=request_id)
        if request.decided_at is not None:
            raise Conflict("This request was already decided ({decision}).", decision=request.decision)
        _check_note(verdict, request.eligible_rule, text)
        request.decided_at, request.decision = clock.now(), verdict.value
        request.decision_rule = request.eligible_rule or NO_RULE
        request.decision_note, request.decided_by = text, actor.user_id
        await request.save(
            [
                GuaranteeRequest.decided_at,
                GuaranteeRequest.decision,
                GuaranteeRequest.decision_rule,
                GuaranteeRequest.decision_note,
                GuaranteeRequest.decided_by,
            ]
        )
        uow.record(
            events.GUARANTEE_DECIDED,
            "guarantee_request",
            request_id,
            before={"decision": None},
            after={
                "decision": verdict.value,
                "decided_at": request.decided_at,
                "decision_rule": request.decision_rule,
                "on_time": request.decided_at <= request.due_at,
            },
            reason=text or None,
        )


def _check_note(verdict: GuaranteeDecision, eligible_rule: str, note: str) -> None:
    """A decision against the rules says why."""
    if note:
        return
    if verdict == GuaranteeDecision.GRANTED and not eligible_rule:
        raise Invalid("No 三包 rule allows this request: granting it needs a note saying why.", field="note")
    if verdict == GuaranteeDecision.REFUSED and eligible_rule:
        raise Invalid(
            "The request qualifies under rule {rule}: refusing it needs a note saying why.",
            field="note",
            rule=eligible_rule,
        )


async def create_guarantee_rule(actor: Actor, data: GuaranteeRuleWrite) -> int:
    """A configured rule; once any configured rule is active, the configured ones replace the defaults."""
    check_role(actor, RULE_ROLES)
    values = _rule_values(data)
    async with unit_of_work(actor) as uow:
        if await GuaranteeRule.exists().where(GuaranteeRule.code == values["code"]):
            raise Conflict("三包 rule “{code}” already exists.", field="code", code=values["code"])
        rule = GuaranteeRule(**values)
        await rule.save()
        uow.record(events.GUARANTEE_RULE_CREATED, "guarantee_rule", rule.id, after=values)
        return int(rule.id)


async def update_guarantee_rule(actor: Actor, rule_id: int, data: GuaranteeRuleWrite) -> None:
    """Change a rule for requests registered from now on; its code stays (requests refer to it)."""
    check_role(actor, RULE_ROLES)
    values = _rule_values(data)
    async with unit_of_work(actor) as uow:
        await lock_row(GuaranteeRule, rule_id)
        before = await GuaranteeRule.select().where(GuaranteeRule.id == rule_id).first()
        if before is None:
            raise NotFound("三包 rule {id} not found.", id=rule_id)
        if before["code"] != values["code"]:
            raise Invalid(
                "A rule's code cannot change (requests refer to it); add a new rule instead.", field="code"
            )
        await GuaranteeRule.update(cast(dict[Column | str, Any], values)).where(GuaranteeRule.id == rule_id)
        uow.record(
            events.GUARANTEE_RULE_UPDATED,
            "guarantee_rule",
            rule_id,
            before={key: before[key] for key in values},
            after=values,
        )


def _rule_values(data: GuaranteeRuleWrite) -> dict[str, Any]:
    code = (data.code or "").strip().lower()
    if not RULE_CODE.match(code) or code == NO_RULE:
        raise Invalid(
            "A rule code has 2 to 64 lower-case letters, digits or underscores (and is not “no_rule”).",
            field="code",
        )
    _check_range(data.decide_within_days, "decide_within_days", 1, 90)
    if data.max_days_since_purchase is not None:
        _check_range(data.max_days_since_purchase, "max_days_since_purchase", 1, 3650)
    if data.min_failed_repairs is not None:
        _check_range(data.min_failed_repairs, "min_failed_repairs", 1, 20)
    description = (data.description or "").strip()
    if len(description) > 1000:
        raise Invalid(
            "The description is too long (at most {max} characters).", field="description", max=1000
        )
    return {
        "code": code,
        "kind": data.kind.value,
        "max_days_since_purchase": data.max_days_since_purchase,
        "min_failed_repairs": data.min_failed_repairs,
        "decide_within_days": data.decide_within_days,
        "description": description,
        "is_active": bool(data.is_active),
    }


def _check_range(value: int, field: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not low <= value <= high:
        raise Invalid(
            "“{field}” must be a whole number from {low} to {high}.", field=field, low=low, high=high
        )
