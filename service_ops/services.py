"""State changes for people and master data. Each one is a unit of work with its audit event."""

from __future__ import annotations

from typing import Any

from service_ops import clock, queries
from service_ops.actor import Actor
from service_ops.audit import canonical_json
from service_ops.auth import check_role, hash_password, new_api_token
from service_ops.choices import RegionLevel, Role, ServiceClass
from service_ops.errors import Conflict, Invalid, NotFound
from service_ops.i18n import SUPPORTED_LOCALES
from service_ops.schemas import (
    ApiTokenIssued,
    CustomerCreate,
    CustomerRegistration,
    ProductModelCreate,
    RegionCreate,
    UnitCreate,
    UserCreate,
)
from service_ops.tables import (
    ApiToken,
    Customer,
    CustomerPhone,
    Notification,
    OutboxMessage,
    ProductModel,
    Region,
    Unit,
    User,
)
from service_ops.uow import unit_of_work
from service_ops.validation import normalise_phone, normalise_serial, required_text

MASTER_DATA_ROLES = (Role.AGENT, Role.SERVICE_MANAGER, Role.HQ_MANAGER)
MIN_PASSWORD_LENGTH = 8


def _user_snapshot(row: User) -> dict[str, Any]:
    return {
        "username": row.username,
        "display_name": row.display_name,
        "role": row.role,
        "locale": row.locale,
        "is_active": row.is_active,
        "is_management": row.is_management,
    }


async def create_user(actor: Actor, data: UserCreate) -> int:
    check_role(actor, [Role.ADMIN])
    username = required_text(data.username, "username", 64).lower()
    if len(data.password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            "The password must have at least {min} characters.",
            field="password",
            min=MIN_PASSWORD_LENGTH,
        )
    locale = _supported_locale(data.locale)
    async with unit_of_work(actor) as uow:
        if await User.exists().where(User.username == username):
            raise Conflict("The username “{username}” is taken.", field="username", username=username)
        user = User(
            username=username,
            display_name=required_text(data.display_name, "display_name", 100),
            password_hash=hash_password(data.password),
            role=data.role.value,
            phone=normalise_phone(data.phone) if data.phone else None,
            locale=locale,
            is_management=data.is_management,
            hired_on=data.hired_on or clock.today(),
            created_at=clock.now(),
        )
        await user.save()
        uow.record("service_ops.user_created", "user", user.id, after=_user_snapshot(user))
        return int(user.id)


def _supported_locale(locale: str | None) -> str | None:
    if locale is not None and locale not in SUPPORTED_LOCALES:
        raise Invalid("Unsupported language “{locale}”.", field="locale", locale=locale)
    return locale


async def set_user_locale(actor: Actor, locale: str | None) -> None:
    """A user chooses the language of their pages (None: follow the browser)."""
    if actor.user_id is None:
        raise Invalid("Only a logged-in user has a language preference.")
    locale = _supported_locale(locale)
    async with unit_of_work(actor) as uow:
        row = await User.objects().get(User.id == actor.user_id)
        if row is None:
            raise NotFound("User not found.")
        before = row.locale
        await User.update({User.locale: locale}).where(User.id == actor.user_id)
        uow.record(
            "service_ops.user_locale_set",
            "user",
            actor.user_id,
            before={"locale": before},
            after={"locale": locale},
        )


async def issue_api_token(actor: Actor, name: str) -> ApiTokenIssued:
    """A bearer token for the actor's own API use; shown once, stored as a hash."""
    if actor.user_id is None:
        raise Invalid("Only a user can hold an API token.")
    token_name = required_text(name, "name", 100)
    token, digest = new_api_token()
    async with unit_of_work(actor) as uow:
        row = ApiToken(user=actor.user_id, name=token_name, token_hash=digest, created_at=clock.now())
        await row.save()
        uow.record(
            "service_ops.api_token_issued",
            "api_token",
            row.id,
            after={"user": actor.user_id, "name": token_name},
        )
        return ApiTokenIssued(id=int(row.id), name=token_name, token=token)


async def revoke_api_token(actor: Actor, token_id: int) -> None:
    async with unit_of_work(actor) as uow:
        row = await ApiToken.objects().get((ApiToken.id == token_id) & (ApiToken.user == actor.user_id))
        if row is None or row.revoked_at is not None:
            raise NotFound("No active token {id} of yours.", id=token_id)
        revoked_at = clock.now()
        await ApiToken.update({ApiToken.revoked_at: revoked_at}).where(ApiToken.id == token_id)
        uow.record(
            "service_ops.api_token_revoked",
            "api_token",
            token_id,
            before={"revoked_at": None},
            after={"revoked_at": revoked_at},
        )


async def create_region(actor: Actor, data: RegionCreate) -> int:
    check_role(actor, [Role.SERVICE_MANAGER, Role.HQ_MANAGER])
    code = required_text(data.code, "code", 12)
    if data.level not in {level.value for level in RegionLevel}:
        raise Invalid("Unknown region level “{level}”.", field="level", level=data.level)
    async with unit_of_work(actor) as uow:
        if await Region.exists().where(Region.code == code):
            raise Conflict("Region code “{code}” already exists.", field="code", code=code)
        parent_id = await queries.region_id_for_code(data.parent_code) if data.parent_code else None
        region = Region(
            code=code,
            name=required_text(data.name, "name", 100),
            level=data.level,
            parent=parent_id,
            is_sales_region=data.is_sales_region,
            service_class=ServiceClass(data.service_class).value,
        )
        await region.save()
        uow.record(
            "service_ops.region_created",
            "region",
            region.id,
            after={
                "code": code,
                "name": region.name,
                "parent": parent_id,
                "is_sales_region": region.is_sales_region,
                "service_class": region.service_class,
            },
        )
        return int(region.id)


async def create_customer(actor: Actor, data: CustomerCreate) -> int:
    check_role(actor, MASTER_DATA_ROLES)
    name = required_text(data.name, "name", 100)
    address = required_text(data.address, "address", 255)
    phones = _distinct_phones(data.phones)
    async with unit_of_work(actor) as uow:
        region_id = await queries.region_id_for_code(data.region_code)
        customer = Customer(name=name, address=address, region=region_id, created_at=clock.now())
        await customer.save()
        await CustomerPhone.insert(
            *[
                CustomerPhone(customer=customer.id, phone=phone, is_primary=index == 0)
                for index, phone in enumerate(phones)
            ]
        )
        uow.record(
            "service_ops.customer_created",
            "customer",
            customer.id,
            after={"name": name, "address": address, "region": region_id, "phones": phones},
        )
        return int(customer.id)


def _distinct_phones(raw_phones: list[str]) -> list[str]:
    if not raw_phones:
        raise Invalid("A customer needs at least one phone number.", field="phones")
    phones: list[str] = []
    for raw in raw_phones[:5]:
        phone = normalise_phone(raw, field="phones")
        if phone not in phones:
            phones.append(phone)
    return phones


async def create_product_model(actor: Actor, data: ProductModelCreate) -> int:
    check_role(actor, [Role.SERVICE_MANAGER, Role.HQ_MANAGER])
    code = required_text(data.code, "code", 40).upper()
    if not 0 <= data.warranty_months <= 240:
        raise Invalid("Warranty months must be between 0 and 240.", field="warranty_months")
    async with unit_of_work(actor) as uow:
        if await ProductModel.exists().where(ProductModel.code == code):
            raise Conflict("Product model “{code}” already exists.", field="code", code=code)
        model = ProductModel(
            code=code,
            name=required_text(data.name, "name", 100),
            category=data.category.value,
            warranty_months=data.warranty_months,
        )
        await model.save()
        uow.record(
            "service_ops.product_model_created",
            "product_model",
            model.id,
            after={
                "code": code,
                "name": model.name,
                "category": model.category,
                "warranty_months": model.warranty_months,
            },
        )
        return int(model.id)


async def register_unit(actor: Actor, data: UnitCreate) -> int:
    """Record a customer's unit; warranty runs from the purchase date."""
    check_role(actor, MASTER_DATA_ROLES)
    serial = normalise_serial(data.serial_number)
    if data.purchase_date > clock.today():
        raise Invalid("The purchase date cannot be in the future.", field="purchase_date")
    if data.install_date is not None and data.install_date < data.purchase_date:
        raise Invalid("The install date cannot be before the purchase date.", field="install_date")
    async with unit_of_work(actor) as uow:
        model = (
            await ProductModel.select(ProductModel.id)
            .where(ProductModel.code == data.model_code.strip().upper())
            .first()
        )
        if model is None:
            raise Invalid("Unknown product model “{code}”.", field="model_code", code=data.model_code[:40])
        if not await Customer.exists().where(Customer.id == data.customer_id):
            raise Invalid("Unknown customer {id}.", field="customer_id", id=data.customer_id)
        if await Unit.exists().where(Unit.serial_number == serial):
            raise Conflict(
                "Serial number “{serial}” is already registered.",
                field="serial_number",
                serial=serial,
            )
        unit = Unit(
            serial_number=serial,
            model=model["id"],
            customer=data.customer_id,
            purchase_date=data.purchase_date,
            install_date=data.install_date,
        )
        await unit.save()
        uow.record(
            "service_ops.unit_registered",
            "unit",
            unit.id,
            after={
                "serial_number": serial,
                "model": model["id"],
                "customer": data.customer_id,
                "purchase_date": data.purchase_date,
                "install_date": data.install_date,
            },
        )
        return int(unit.id)


async def queue_customer_message(
    actor: Actor, recipient: str, body: str, entity: str, entity_id: object, secret: str | None = None
) -> bool:
    """Put an SMS in the outbox once per (entity, recipient); False if it was already queued.

    A `secret` in the body (a confirmation code) is masked in the audit trail: the trail is evidence
    many people read, the code is the customer's alone.
    """
    already = await OutboxMessage.exists().where(
        (OutboxMessage.entity == entity)
        & (OutboxMessage.entity_id == str(entity_id))
        & (OutboxMessage.recipient == recipient)
    )
    if already:
        return False
    async with unit_of_work(actor) as uow:
        message = OutboxMessage(
            channel="sms",
            recipient=recipient,
            body=body,
            entity=entity,
            entity_id=str(entity_id),
            created_at=clock.now(),
        )
        await message.save()
        uow.record(
            "service_ops.message_queued",
            "outbox_message",
            message.id,
            after={
                "recipient": recipient,
                "body": body.replace(secret, "*" * len(secret)) if secret else body,
                "entity": entity,
                "entity_id": str(entity_id),
            },
        )
        return True


async def register_customer(actor: Actor, data: CustomerRegistration) -> int:
    """Create a customer and their unit in one transaction: both are written, or neither."""
    async with unit_of_work(actor):
        customer_id = await create_customer(actor, data.customer)
        if data.unit is not None:
            await register_unit(
                actor,
                UnitCreate(
                    serial_number=data.unit.serial_number,
                    model_code=data.unit.model_code,
                    customer_id=customer_id,
                    purchase_date=data.unit.purchase_date,
                    install_date=data.unit.install_date,
                ),
            )
        return customer_id


async def notify(
    actor: Actor, user_id: int, message: str, entity: str, entity_id: object, **params: Any
) -> bool:
    """Send an in-app notification once per (user, message, entity); False if already sent.

    `message` is an untranslated message id (mark it with N_); it is shown in the reader's language.
    """
    exists = await Notification.exists().where(
        (Notification.user == user_id)
        & (Notification.message == message)
        & (Notification.entity == entity)
        & (Notification.entity_id == str(entity_id))
    )
    if exists:
        return False
    async with unit_of_work(actor) as uow:
        row = Notification(
            user=user_id,
            message=message,
            params=canonical_json(params),
            entity=entity,
            entity_id=str(entity_id),
            created_at=clock.now(),
        )
        await row.save()
        uow.record(
            "service_ops.notification_sent",
            "notification",
            row.id,
            after={"user": user_id, "message": message, "entity": entity, "entity_id": str(entity_id)},
        )
        return True


async def mark_notifications_read(actor: Actor, notification_ids: list[int]) -> int:
    """The reader has seen these of their own notifications."""
    if actor.user_id is None:
        raise Invalid("Only a user reads notifications.")
    async with unit_of_work(actor) as uow:
        unread = await Notification.select(Notification.id).where(
            (Notification.user == actor.user_id)
            & Notification.id.is_in(notification_ids or [0])
            & Notification.read_at.is_null()
        )
        ids = [row["id"] for row in unread]
        if not ids:
            raise NotFound("No unread notifications of yours were given.")
        moment = clock.now()
        await Notification.update({Notification.read_at: moment}).where(Notification.id.is_in(ids))
        uow.record("service_ops.notifications_read", "user", actor.user_id, after={"read": ids})
        return len(ids)
