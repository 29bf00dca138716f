"""No input to any API endpoint gives a 500: schemathesis against the OpenAPI spec, on a live server.

Bounded (a few examples per operation) so the suite stays fast. Runs on whichever engine the
suite uses: the server shares the test database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import PASSWORD, ROOT

EXAMPLES_PER_OPERATION = int(os.environ.get("SERVICE_OPS_FUZZ_EXAMPLES", "12"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SERVICE_OPS = str(Path(sys.executable).parent / "service-ops")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a database of its own: fuzzing writes arbitrary records other tests must not see."""
    env = {**os.environ, "SERVICE_OPS_DATA_DIR": str(tmp_path_factory.mktemp("fuzz"))}
    if env.get("DATABASE_URL"):
        env["DATABASE_URL"] = _fresh_postgres_database(env["DATABASE_URL"])
    for command in (
        ["migrate"],
        *(
            ["create-user", name, "--role", "admin", "--password", PASSWORD]
            for name in ("fuzzadmin", "fuzzrevoker")
        ),
    ):
        subprocess.run([SERVICE_OPS, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    process = subprocess.Popen(
        [SERVICE_OPS, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, process)
        yield base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
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


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("server did not become healthy in 30 s")


@pytest.fixture(scope="module")
def admin_token(live_server: str) -> str:
    return _token_for(live_server, "fuzzadmin")


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
def test_no_input_causes_a_server_error(label: str, live_server: str, admin_token: str) -> None:
    operation = OPERATIONS[label]
    # Revoking tokens acts on the caller's own tokens: fuzz it as a user of its own, so the main
    # token stays valid for every other operation.
    token = (
        _token_for(live_server, "fuzzrevoker") if operation.path.startswith("/api/tokens/") else admin_token
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
        response = case.call(base_url=live_server, headers={"Authorization": f"Bearer {token}"})
        calls.append(response.status_code)
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"

    call()
    assert calls, "no request was made"
