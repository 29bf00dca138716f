"""What the documents' services share: who may write, and checking the people they name."""

from __future__ import annotations

from service_ops.choices import Role
from service_ops.errors import Invalid
from service_ops.tables import User

WRITE_ROLES = (Role.SERVICE_MANAGER, Role.HQ_MANAGER)
"""Service managers and head-office managers keep the documents and registers (admin always may)."""


async def existing_user(user_id: int, field: str, active: bool = False) -> str:
    """The display name of a person the record names; a 400 when there is none (or not active)."""
    row = await User.select(User.display_name, User.is_active).where(User.id == user_id).first()
    if row is None or (active and not row["is_active"]):
        raise Invalid("Unknown or inactive person {id}.", field=field, id=user_id)
    return str(row["display_name"])
