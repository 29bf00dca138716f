"""Fixtures of the documents tests."""

from __future__ import annotations

from typing import Any

import pytest

from service_ops.actor import Actor


@pytest.fixture
async def manager(make_user: Any) -> Actor:
    """A service manager: keeps the documents and registers."""
    made: Actor = await make_user("service_manager")
    return made


@pytest.fixture
def api_as(client: Any, make_user: Any) -> Any:
    """api_as(role) → (the test client with a bearer token of a new user of that role, that user)."""
    from tests.conftest import PASSWORD

    async def _as(role: str) -> tuple[Any, Actor]:
        actor: Actor = await make_user(role)
        response = await client.post(
            "/api/auth/token", json={"username": actor.username, "password": PASSWORD, "name": "tests"}
        )
        assert response.status_code == 201, response.text
        client.headers["Authorization"] = f"Bearer {response.json()['token']}"
        return client, actor

    return _as
