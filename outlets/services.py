"""State changes for outlets: details, coverage, categories, status, who works there, inspections."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from msgspec import UNSET

from outlets import events
from outlets.checks import (
    UPDATABLE_FIELDS,
    check_terms,
    checked_categories,
    cleaned_field,
    optional_text,
    region_ids_for_codes,
)
from outlets.schemas import InspectionCreate, MembershipCreate, OutletCreate, OutletUpdate
from outlets.tables import Outlet, OutletCategory, OutletCoverage, OutletInspection, OutletMembership
from service_ops import clock
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.choices import Role
from service_ops.errors import N_, Conflict, Invalid, InvalidTransition, NotFound
from service_ops.queries import region_id_for_code
from service_ops.tables import Region, User
from service_ops.uow import lock_row, unit_of_work
from service_ops.validation import normalise_phone, required_text

NETWORK_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER)
MAX_FINDINGS = 4000


async def create_outlet(actor: Actor, data: OutletCreate) -> int:
    """A new outlet with the regions it covers and the categories it serves, written together."""
    check_role(actor, NETWORK_ROLES)
    code = required_text(data.code, "code", 20).upper()
    check_terms(data.kind, data.agreement_number, data.agreement_expires, data.daily_capacity)
    categories = checked_categories(data.categories)
    async with unit_of_work(actor) as uow:
        if await Outlet.exists().where(Outlet.code == code):
            raise Conflict("Outlet code “{code}” already exists.", field="code", code=code)
        coverage = await region_ids_for_codes(data.region_codes)
        outlet = Outlet(
            code=code,
            name=required_text(data.name, "name", 100),
            kind=data.kind,
            address=required_text(data.address, "address", 255),
            region=await region_id_for_code(data.region_code),
            phone=normalise_phone(data.phone) if data.phone else None,
            contact_name=optional_text(data.contact_name, "contact_name", 100),
            daily_capacity=data.daily_capacity,
            is_active=True,
            agreement_number=optional_text(data.agreement_number, "agreement_number", 40),
            agreement_expires=data.agreement_expires,
        )
        await outlet.save()
        await _replace_coverage(outlet.id, coverage)
        await _replace_categories(outlet.id, categories)
        after = {**outlet.to_dict(), "coverage": list(coverage), "categories": categories}
        uow.record(events.OUTLET_CREATED, "outlet", outlet.id, after=after)
        return int(outlet.id)


async def update_outlet(actor: Actor, outlet_id: int, data: OutletUpdate) -> None:
    """Change an outlet's details; only the fields given change."""
    check_role(actor, NETWORK_ROLES)
    async with unit_of_work(actor) as uow:
        outlet = await _locked_outlet(outlet_id)
        before = outlet.to_dict()
        for name in UPDATABLE_FIELDS:
            value = getattr(data, name)
            if value is not UNSET:
                setattr(outlet, name, cleaned_field(name, value))
        if data.region_code is not UNSET:
            outlet.region = await region_id_for_code(data.region_code)
        check_terms(outlet.kind, outlet.agreement_number, outlet.agreement_expires, outlet.daily_capacity)
        after = outlet.to_dict()
        if after == before:
            raise Invalid("Nothing to change: give at least one new value.")
        await outlet.save()
        uow.record(events.OUTLET_UPDATED, "outlet", outlet_id, before=before, after=after)


async def set_coverage(actor: Actor, outlet_id: int, region_codes: Collection[str]) -> None:
    """The regions an outlet covers (each with its descendants), replacing the list it had."""
    check_role(actor, NETWORK_ROLES)
    async with unit_of_work(actor) as uow:
        await _locked_outlet(outlet_id)
        coverage = await region_ids_for_codes(region_codes)
        before = await _coverage_codes(outlet_id)
        await _replace_coverage(outlet_id, coverage)
        after = sorted(coverage)
        uow.record(
            events.COVERAGE_SET, "outlet", outlet_id, before={"coverage": before}, after={"coverage": after}
        )


async def set_categories(actor: Actor, outlet_id: int, categories: Collection[str]) -> None:
    """The product categories an outlet serves, replacing the list it had."""
    check_role(actor, NETWORK_ROLES)
    chosen = checked_categories(categories)
    async with unit_of_work(actor) as uow:
        await _locked_outlet(outlet_id)
        rows = await OutletCategory.select(OutletCategory.category).where(OutletCategory.outlet == outlet_id)
        before = sorted(row["category"] for row in rows)
        await _replace_categories(outlet_id, chosen)
        uow.record(
            events.CATEGORIES_SET,
            "outlet",
            outlet_id,
            before={"categories": before},
            after={"categories": sorted(chosen)},
        )


async def activate_outlet(actor: Actor, outlet_id: int, reason: str) -> None:
    """An inactive outlet takes jobs again."""
    await _set_active(actor, outlet_id, True, reason)


async def deactivate_outlet(actor: Actor, outlet_id: int, reason: str) -> None:
    """An outlet stops taking jobs (it stays on record with its history)."""
    await _set_active(actor, outlet_id, False, reason)


async def _set_active(actor: Actor, outlet_id: int, active: bool, reason: str) -> None:
    check_role(actor, NETWORK_ROLES)
    why = required_text(reason, "reason", 1000)
    async with unit_of_work(actor) as uow:
        outlet = await _locked_outlet(outlet_id)
        if outlet.is_active == active:
            raise InvalidTransition(
                N_("This outlet is already active.") if active else N_("This outlet is already inactive.")
            )
        outlet.is_active = active
        await outlet.save([Outlet.is_active])
        uow.record(
            events.OUTLET_ACTIVATED if active else events.OUTLET_DEACTIVATED,
            "outlet",
            outlet_id,
            before={"is_active": not active},
            after={"is_active": active},
            reason=why,
        )


async def add_member(actor: Actor, outlet_id: int, data: MembershipCreate) -> int:
    """A person starts working at an outlet."""
    check_role(actor, NETWORK_ROLES)
    async with unit_of_work(actor) as uow:
        user = await User.select(User.id).where(User.username == data.username.strip().lower()).first()
        if user is None:
            raise Invalid("Unknown user “{username}”.", field="username", username=data.username[:64])
        if not await Outlet.exists().where(Outlet.id == outlet_id):
            raise Invalid("Unknown outlet {id}.", field="outlet_id", id=outlet_id)
        if await OutletMembership.exists().where(
            (OutletMembership.outlet == outlet_id)
            & (OutletMembership.user == user["id"])
            & OutletMembership.until.is_null()
        ):
            raise Conflict(
                "{username} already works at this outlet.", field="username", username=data.username
            )
        membership = OutletMembership(
            outlet=outlet_id, user=user["id"], is_manager=data.is_manager, since=data.since or clock.today()
        )
        await membership.save()
        uow.record(
            events.MEMBER_ADDED,
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


async def end_membership(actor: Actor, membership_id: int, until: date | None = None) -> None:
    """A person stops working at an outlet; `until` is their last day there (default today)."""
    check_role(actor, NETWORK_ROLES)
    last_day = until or clock.today()
    async with unit_of_work(actor) as uow:
        membership = await OutletMembership.objects().get(OutletMembership.id == membership_id)
        if membership is None:
            raise NotFound("Membership {id} not found.", id=membership_id)
        if membership.until is not None:
            raise InvalidTransition("This membership has already ended.")
        if last_day < membership.since:
            raise Invalid("The last day cannot be before the person started there.", field="until")
        membership.until = last_day
        await membership.save([OutletMembership.until])
        uow.record(
            events.MEMBERSHIP_ENDED,
            "outlet_membership",
            membership_id,
            before={"until": None},
            after={"outlet": membership.outlet, "user": membership.user, "until": last_day},
        )


async def record_inspection(actor: Actor, outlet_id: int, data: InspectionCreate) -> int:
    """A supervision visit: the day, the inspector, the checklist score (0–100) and what was found."""
    check_role(actor, NETWORK_ROLES)
    if not 0 <= data.score <= 100:
        raise Invalid("The score must be between 0 and 100.", field="score")
    if data.inspected_on > clock.today():
        raise Invalid("An inspection cannot be dated in the future.", field="inspected_on")
    findings = data.findings.strip()
    if len(findings) > MAX_FINDINGS:
        raise Invalid(
            "The field “{field}” is too long (at most {max} characters).", field="findings", max=4000
        )
    async with unit_of_work(actor) as uow:
        await _locked_outlet(outlet_id)
        inspection = OutletInspection(
            outlet=outlet_id,
            inspected_on=data.inspected_on,
            inspector=await _inspector_id(actor, data.inspector_username),
            score=data.score,
            findings=findings,
            created_at=clock.now(),
        )
        await inspection.save()
        after = {k: v for k, v in inspection.to_dict().items() if k != "id"}
        uow.record(events.INSPECTION_RECORDED, "outlet_inspection", inspection.id, after=after)
        return int(inspection.id)


async def _inspector_id(actor: Actor, username: str | None) -> int:
    if not username:
        if actor.user_id is None:
            raise Invalid("Name the inspector.", field="inspector_username")
        return actor.user_id
    row = await User.select(User.id).where(User.username == username.strip().lower()).first()
    if row is None:
        raise Invalid("Unknown user “{username}”.", field="inspector_username", username=username[:64])
    return int(row["id"])


async def _locked_outlet(outlet_id: int) -> Outlet:
    await lock_row(Outlet, outlet_id)
    outlet = await Outlet.objects().get(Outlet.id == outlet_id)
    if outlet is None:
        raise NotFound("Outlet {id} not found.", id=outlet_id)
    return outlet


async def _coverage_codes(outlet_id: int) -> list[str]:
    rows = await OutletCoverage.select(OutletCoverage.region).where(OutletCoverage.outlet == outlet_id)
    ids = [row["region"] for row in rows]
    if not ids:
        return []
    return sorted(row["code"] for row in await Region.select(Region.code).where(Region.id.is_in(ids)))


async def _replace_coverage(outlet_id: int, coverage: dict[str, int]) -> None:
    rows = await OutletCoverage.select(OutletCoverage.id, OutletCoverage.region).where(
        OutletCoverage.outlet == outlet_id
    )
    have = {row["region"]: row["id"] for row in rows}
    wanted = set(coverage.values())
    dropped = [row_id for region, row_id in have.items() if region not in wanted]
    if dropped:
        await OutletCoverage.delete().where(OutletCoverage.id.is_in(dropped))
    added = [OutletCoverage(outlet=outlet_id, region=region) for region in wanted - set(have)]
    if added:
        await OutletCoverage.insert(*added)


async def _replace_categories(outlet_id: int, categories: list[str]) -> None:
    rows = await OutletCategory.select(OutletCategory.id, OutletCategory.category).where(
        OutletCategory.outlet == outlet_id
    )
    have = {row["category"]: row["id"] for row in rows}
    dropped = [row_id for category, row_id in have.items() if category not in categories]
    if dropped:
        await OutletCategory.delete().where(OutletCategory.id.is_in(dropped))
    added = [OutletCategory(outlet=outlet_id, category=c) for c in categories if c not in have]
    if added:
        await OutletCategory.insert(*added)
