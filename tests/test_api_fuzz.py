"""No input to any API endpoint gives a 500: schemathesis against the OpenAPI spec, on a live server.

Bounded (a few examples per operation) so the suite stays fast. Runs on whichever engine the
suite uses: the server shares the test database.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import PASSWORD
from tests.live_server import AppServer, running_server

EXAMPLES_PER_OPERATION = int(os.environ.get("SERVICE_OPS_FUZZ_EXAMPLES", "12"))


USERS = ("fuzzadmin", "fuzzrevoker")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A server on a database of its own: fuzzing writes arbitrary records other tests must not see."""
    data_dir = tmp_path_factory.mktemp("fuzz")
    env = {**os.environ, "SERVICE_OPS_DATA_DIR": str(data_dir)}
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = _fresh_postgres_database(env["DATABASE_URL"])
    setup = [
        ("migrate",),
        *(("create-user", name, "--role", "admin", "--password", PASSWORD) for name in USERS),
    ]
    try:
        with running_server(env, data_dir, setup) as server:
            yield server
    finally:
        if env.get("DATABASE_URL") != os.environ.get("DATABASE_URL"):
            asyncio.run(_drop_database(env["DATABASE_URL"]))


def _fresh_postgres_database(url: str) -> str:
    base, _, name = url.rpartition("/")
    fuzz_url = f"{base}/{name}_fuzz"
    asyncio.run(_execute(url, f'CREATE DATABASE "{name}_fuzz"'))
    return fuzz_url


async def _drop_database(url: str) -> None:
    base, _, name = url.rpartition("/")
    await _execute(f"{base}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _execute(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql://", "postgres://", 1))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def admin_token(live_server: AppServer) -> str:
    return _token_for(live_server.base_url, "fuzzadmin")


def _token_for(live_server: str, username: str) -> str:
    response = httpx.post(
        f"{live_server}/api/auth/token", json={"username": username, "password": PASSWORD, "name": "fuzz"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def _api_schema() -> Any:
    """The spec the app serves at /api/docs/openapi.json (built in-process, identical)."""
    from service_ops.app import create_app

    return schemathesis.openapi.from_dict(create_app().openapi_schema.to_schema())


SCHEMA = _api_schema()
OPERATIONS = {
    f"{operation.method.upper()} {operation.path}": operation
    for operation in (result.ok() for result in SCHEMA.get_all_operations())
}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_input_causes_a_server_error(label: str, live_server: AppServer, admin_token: str) -> None:
    operation = OPERATIONS[label]
    # Revoking tokens acts on the caller's own tokens: fuzz it as a user of its own, so the main
    # token stays valid for every other operation.
    token = (
        _token_for(live_server.base_url, "fuzzrevoker")
        if operation.path.startswith("/api/tokens/")
        else admin_token
    )
    calls: list[int] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def call(case: Any) -> None:
        response = case.call(base_url=live_server.base_url, headers={"Authorization": f"Bearer {token}"})
        calls.append(response.status_code)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path}: {response.text[:300]}\n{live_server.log_tail(60)}"
        )

    call()
    assert calls, "no request was made"
