"""Guards, parameter types and form helpers the loop controllers share."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.params import HeaderParameter, QueryParameter

from service_ops.auth import connection_actor, requires
from service_ops.choices import Role
from service_ops.errors import Invalid
from service_ops.web import MAX_ID

READ = requires(*Role)
FOLLOWUP_ROLES = (Role.AGENT, Role.SERVICE_MANAGER)
REGISTER_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
HANDLER_ROLES = (Role.AGENT, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
MANAGER_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER)
CAPA_OPEN_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER, Role.OUTLET_MANAGER)
FOLLOWUP = requires(*FOLLOWUP_ROLES, write=True)
SETTINGS = requires(Role.SERVICE_MANAGER, write=True)
REGISTER = requires(*REGISTER_ROLES, write=True)
HANDLE = requires(*HANDLER_ROLES, write=True)
MANAGE = requires(*MANAGER_ROLES, write=True)
GUARANTEE_REQUEST = requires(Role.AGENT, Role.SERVICE_MANAGER, write=True)
GUARANTEE_RULES = requires(Role.SERVICE_MANAGER, write=True)
CAPA_OPEN = requires(*CAPA_OPEN_ROLES, write=True)
CAPA_CLOSE = requires(*(role for role in Role if role != Role.AUDITOR), write=True)
"""The owner (any role) or a service manager; the service checks which."""

IdempotencyHeader = Annotated[
    str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=100)
]
PageNo = Annotated[int, QueryParameter(ge=1, le=100000)]
FollowupState = Annotated[
    str,
    QueryParameter(name="state", pattern="^(pending|overdue|done)$", description="pending, overdue or done"),
]
"""The `state` query parameter (a name Litestar reserves for handler arguments, hence the alias)."""
Lookup = Annotated[str, QueryParameter(max_length=100, description="Phone, serial number or name")]
OptionalId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
Req = Request[Any, Any, Any]


def may(request: Req, *roles: Role) -> bool:
    actor = connection_actor(request)
    return actor is not None and actor.role != Role.AUDITOR and actor.has_role(*roles)


def form_key(form: dict[str, str]) -> str | None:
    return form.get("idempotency_key") or None


def yes_no(form: dict[str, str], name: str) -> bool:
    value = form.get(name, "")
    if value not in ("yes", "no"):
        raise Invalid("Please answer yes or no.", field=name)
    return value == "yes"


def optional_int(form: dict[str, str], name: str) -> int | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise Invalid("“{field}” must be a whole number.", field=name)
    return int(raw)
