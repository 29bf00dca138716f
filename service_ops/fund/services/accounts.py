"""Fund accounts: open, change, the standard accounts automatic postings use; audited downloads."""

from __future__ import annotations

import re
from typing import Any

from service_ops import i18n
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.errors import Conflict, Invalid, NotFound
from service_ops.fund import events
from service_ops.fund.choices import STANDARD_ACCOUNTS, EntryKind
from service_ops.fund.schemas import AccountCreate, AccountUpdate
from service_ops.fund.services.common import READ_ROLES, WRITE_ROLES
from service_ops.fund.tables import FundAccount
from service_ops.settings import get_settings
from service_ops.uow import UnitOfWork, unit_of_work
from service_ops.validation import required_text

__all__ = ["create_account", "record_export", "update_account"]

ACCOUNT_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")


def _account_code(raw: str) -> str:
    code = (raw or "").strip().lower()
    if not ACCOUNT_CODE.match(code):
        raise Invalid(
            "An account code has 2 to 32 letters, digits or _ . - characters, e.g. parts.", field="code"
        )
    return code


async def create_account(actor: Actor, data: AccountCreate) -> int:
    """Open a ledger account (e.g. parts, labour, training, outlet settlements)."""
    check_role(actor, WRITE_ROLES)
    values: dict[str, Any] = {
        "code": _account_code(data.code),
        "name": required_text(data.name, "name", 100),
        "default_kind": data.default_kind.value if data.default_kind else None,
        "is_active": bool(data.is_active),
    }
    async with unit_of_work(actor) as uow:
        if await FundAccount.exists().where(FundAccount.code == values["code"]):
            raise Conflict("Fund account “{code}” already exists.", field="code", code=values["code"])
        account = FundAccount(**values)
        await account.save()
        uow.record(events.ACCOUNT_CREATED, "fund_account", account.id, after=values)
        return int(account.id)


async def update_account(actor: Actor, account_id: int, data: AccountUpdate) -> None:
    """Rename an account, change its default kind, or (de)activate it; its entries stay as they are."""
    check_role(actor, WRITE_ROLES)
    async with unit_of_work(actor) as uow:
        row = await FundAccount.select().where(FundAccount.id == account_id).first()
        if row is None:
            raise NotFound("Fund account {id} not found.", id=account_id)
        before = {key: row[key] for key in ("name", "default_kind", "is_active")}
        after = dict(before)
        if isinstance(data.name, str):
            after["name"] = required_text(data.name, "name", 100)
        if data.default_kind is None or isinstance(data.default_kind, EntryKind):
            after["default_kind"] = data.default_kind.value if data.default_kind else None
        if isinstance(data.is_active, bool):
            after["is_active"] = data.is_active
        await FundAccount.update(
            {
                FundAccount.name: after["name"],
                FundAccount.default_kind: after["default_kind"],
                FundAccount.is_active: after["is_active"],
            }
        ).where(FundAccount.id == account_id)
        uow.record(events.ACCOUNT_UPDATED, "fund_account", account_id, before=before, after=after)


async def standard_account(uow: UnitOfWork, code: str) -> int:
    """The id of a standard account, made on first use (named in the organisation's language)."""
    row = await FundAccount.select(FundAccount.id).where(FundAccount.code == code).first()
    if row is not None:
        return int(row["id"])
    name = i18n.translations(get_settings().default_locale).ugettext(STANDARD_ACCOUNTS[code])
    values: dict[str, Any] = {
        "code": code,
        "name": name,
        "default_kind": EntryKind.EXPENSE.value,
        "is_active": True,
    }
    account = FundAccount(**values)
    await account.save()
    uow.record(events.ACCOUNT_CREATED, "fund_account", account.id, after=values)
    return int(account.id)


async def record_export(actor: Actor, export: str, parameters: dict[str, Any]) -> None:
    """Audit a download of fund figures (bookkeeping: it changes no fund state)."""
    check_role(actor, READ_ROLES)
    async with unit_of_work(actor) as uow:
        uow.record(events.EXPORT_DOWNLOADED, "fund_export", export, after=parameters)
