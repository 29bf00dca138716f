"""Who is acting: a logged-in user, an API token's user, or the system (jobs, CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field

from service_ops.choices import Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    role: Role
    locale: str | None = None
    outlet_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def audit_name(self) -> str:
        return self.username if self.user_id is not None else f"system:{self.username}"

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles or self.role == Role.ADMIN or self.is_system


def system_actor(name: str = "system") -> Actor:
    """The actor for jobs, migrations and CLI commands."""
    return Actor(user_id=None, username=name, display_name=name, role=Role.ADMIN)
