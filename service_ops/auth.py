"""Authentication (session cookie or bearer token), passwords, and the one guard factory."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler

from service_ops.actor import Actor
from service_ops.choices import Role
from service_ops.errors import NotAuthenticated, PermissionDenied
from service_ops.tables import ApiToken, User

_hasher = PasswordHasher()
ScopeResolver = Callable[[int], Awaitable[frozenset[int]]]
_scope_resolvers: list[ScopeResolver] = []
READ_ONLY_ROLES = frozenset({Role.AUDITOR})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_token() -> tuple[str, str]:
    """A fresh bearer token and the SHA-256 we keep of it."""
    token = "so_" + secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def register_scope_resolver(resolver: ScopeResolver) -> None:
    """The outlets domain tells auth which outlets a user works at (wired by the app factory)."""
    if resolver not in _scope_resolvers:
        _scope_resolvers.append(resolver)


async def actor_from_row(row: dict[str, Any]) -> Actor:
    outlet_ids: frozenset[int] = frozenset()
    for resolver in _scope_resolvers:
        outlet_ids |= await resolver(row["id"])
    return Actor(
        user_id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        locale=row["locale"],
        outlet_ids=outlet_ids,
    )


async def load_actor(user_id: int) -> Actor | None:
    row = await User.select().where((User.id == user_id) & (User.is_active.eq(True))).first()
    return await actor_from_row(row) if row else None


async def actor_for_token(token: str) -> Actor | None:
    row = (
        await ApiToken.select(ApiToken.user)
        .where((ApiToken.token_hash == token_digest(token)) & (ApiToken.revoked_at.is_null()))
        .first()
    )
    return await load_actor(row["user"]) if row else None


async def authenticate(username: str, password: str) -> Actor | None:
    """The actor for a correct username and password of an active user, else None."""
    row = await User.select().where(User.username == username.strip()).first()
    if row is None:
        _hasher.hash(password)  # same cost either way: no user-enumeration by timing
        return None
    if not row["is_active"] or not password_matches(row["password_hash"], password):
        return None
    return await actor_from_row(row)


def connection_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor | None:
    actor = connection.scope.get("state", {}).get("actor")
    return actor if isinstance(actor, Actor) else None


CurrentActor = NamedDependency[Actor]
"""Handler parameter: the logged-in actor (guards have already checked the role)."""

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def requires(*roles: Role, write: bool = False) -> Guard:
    """Guard: the actor is logged in and holds one of `roles` (admin always may).

    Read-only roles (auditor) pass read guards for every page but never a `write` guard.
    """
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        actor = connection_actor(connection)
        if actor is None:
            raise NotAuthenticated("Please log in to continue.")
        if actor.role in READ_ONLY_ROLES and not write:
            return
        if not actor.has_role(*allowed):
            raise PermissionDenied("Your role ({role}) may not do this.", role=actor.role.value)

    return guard


def require_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    actor = connection_actor(connection)
    if actor is None:
        raise NotAuthenticated("Please log in to continue.")
    return actor


def check_role(actor: Actor, roles: Iterable[Role]) -> None:
    """Services check roles too: jobs and CLI calls do not pass through route guards."""
    if actor.is_system or actor.has_role(*roles):
        return
    raise PermissionDenied("Your role ({role}) may not do this.", role=actor.role.value)
