"""State changes for outlets and who works at them."""

from __future__ import annotations

from outlets.schemas import MembershipCreate, OutletCreate
from outlets.tables import Outlet, OutletMembership
from service_ops import clock
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import Conflict, Invalid
from service_ops.queries import region_id_for_code
from service_ops.tables import User
from service_ops.uow import unit_of_work
from service_ops.validation import normalise_phone, required_text

OUTLET_KINDS = ("own", "authorised")
NETWORK_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER)


async def create_outlet(actor: Actor, data: OutletCreate) -> int:
    check_role(actor, NETWORK_ROLES)
    code = required_text(data.code, "code", 20).upper()
    if data.kind not in OUTLET_KINDS:
        raise Invalid("An outlet is “own” or “authorised”.", field="kind")
    if data.kind == "authorised" and not (data.agreement_number and data.agreement_expires):
        raise Invalid(
            "An authorised outlet needs an agreement number and expiry date.", field="agreement_number"
        )
    if not 1 <= data.daily_capacity <= 1000:
        raise Invalid("Daily capacity must be between 1 and 1000 jobs.", field="daily_capacity")
    async with unit_of_work(actor) as uow:
        if await Outlet.exists().where(Outlet.code == code):
            raise Conflict("Outlet code “{code}” already exists.", field="code", code=code)
        outlet = Outlet(
            code=code,
            name=required_text(data.name, "name", 100),
            kind=data.kind,
            address=required_text(data.address, "address", 255),
            region=await region_id_for_code(data.region_code),
            phone=normalise_phone(data.phone) if data.phone else None,
            daily_capacity=data.daily_capacity,
            is_active=True,
            agreement_number=data.agreement_number,
            agreement_expires=data.agreement_expires,
        )
        await outlet.save()
        uow.record("outlets.outlet_created", "outlet", outlet.id, after=outlet.to_dict())
        return int(outlet.id)


async def add_member(actor: Actor, outlet_id: int, data: MembershipCreate) -> int:
    """A person starts working at an outlet."""
    check_role(actor, NETWORK_ROLES)
    async with unit_of_work(actor) as uow:
        user = await User.select(User.id).where(User.username == data.username.strip().lower()).first()
        if user is None:
            raise Invalid("Unknown user “{username}”.", field="username", username=data.username[:64])
        if not await Outlet.exists().where(Outlet.id == outlet_id):
            raise Invalid("Unknown outlet {id}.", field="outlet_id", id=outlet_id)
        membership = OutletMembership(
            outlet=outlet_id, user=user["id"], is_manager=data.is_manager, since=data.since or clock.today()
        )
        await membership.save()
        uow.record(
            "outlets.member_added",
            "outlet_membership",
            membership.id,
            after={
                "outlet": outlet_id,
                "user": user["id"],
                "is_manager": data.is_manager,
                "since": membership.since,
            },
        )
        return int(membership.id)
