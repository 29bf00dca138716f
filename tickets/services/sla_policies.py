"""SLA policies: the configurable commitments tickets get when they are opened."""

from __future__ import annotations

from typing import Any, cast

from piccolo.columns import Column

from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role, ServiceClass
from service_ops.errors import Invalid, NotFound
from service_ops.uow import unit_of_work
from service_ops.validation import required_text
from tickets import events
from tickets.schemas import SlaPolicyWrite
from tickets.tables import SlaPolicy

SLA_ADMIN_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER)


async def create_sla_policy(actor: Actor, data: SlaPolicyWrite) -> int:
    check_role(actor, SLA_ADMIN_ROLES)
    values = _policy_values(data)
    async with unit_of_work(actor) as uow:
        policy = SlaPolicy(**values)
        await policy.save()
        uow.record(events.SLA_POLICY_CREATED, "sla_policy", policy.id, after=values)
        return int(policy.id)


async def update_sla_policy(actor: Actor, policy_id: int, data: SlaPolicyWrite) -> None:
    """Change targets for tickets created from now on; existing tickets keep their commitments."""
    check_role(actor, SLA_ADMIN_ROLES)
    values = _policy_values(data)
    async with unit_of_work(actor) as uow:
        before = await SlaPolicy.select().where(SlaPolicy.id == policy_id).first()
        if before is None:
            raise NotFound("SLA policy {id} not found.", id=policy_id)
        await SlaPolicy.update(cast(dict[Column | str, Any], values)).where(SlaPolicy.id == policy_id)
        uow.record(
            events.SLA_POLICY_UPDATED,
            "sla_policy",
            policy_id,
            before={key: before[key] for key in values},
            after=values,
        )


def _policy_values(data: SlaPolicyWrite) -> dict[str, Any]:
    if data.service_class is not None and data.service_class not in {c.value for c in ServiceClass}:
        raise Invalid("Unknown region class “{value}”.", field="service_class", value=data.service_class[:20])
    if data.resolve_minutes < data.response_minutes:
        raise Invalid("Resolution cannot be due before the first response.", field="resolve_minutes")
    if (
        data.arrival_minutes is not None
        and not data.response_minutes <= data.arrival_minutes <= data.resolve_minutes
    ):
        raise Invalid("Arrival must be due between the response and the resolution.", field="arrival_minutes")
    return {
        "name": required_text(data.name, "name", 100),
        "kind": data.kind.value if data.kind else None,
        "priority": data.priority.value if data.priority else None,
        "service_class": data.service_class,
        "response_minutes": data.response_minutes,
        "arrival_minutes": data.arrival_minutes,
        "accept_minutes": data.accept_minutes,
        "resolve_minutes": data.resolve_minutes,
        "is_active": data.is_active,
    }
