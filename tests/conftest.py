"""Test set-up: a fresh database per run (SQLite file, or a PostgreSQL database of its own),
schema from the real migrations, and helpers to act as users through the HTTP stack.

Engine: SQLite unless DATABASE_URL is set. With CI=true a configured but unreachable
PostgreSQL or Redis is an error, never a skip.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
_BASE_DATABASE_URL = os.environ.get("DATABASE_URL")
_TEST_DB_NAME = f"service_ops_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
_DATA_DIR = tempfile.mkdtemp(prefix="service_ops_test_")


def _postgres_admin_url() -> str:
    assert _BASE_DATABASE_URL is not None
    return _BASE_DATABASE_URL


def _test_database_url() -> str:
    base, _, _ = _postgres_admin_url().rpartition("/")
    return f"{base}/{_TEST_DB_NAME}"


async def _create_postgres_database() -> None:
    import asyncpg

    connection = await asyncpg.connect(_postgres_admin_url().replace("postgresql://", "postgres://", 1))
    try:
        await connection.execute(f'CREATE DATABASE "{_TEST_DB_NAME}"')
    finally:
        await connection.close()


async def _drop_postgres_database() -> None:
    import asyncpg

    connection = await asyncpg.connect(_postgres_admin_url().replace("postgresql://", "postgres://", 1))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{_TEST_DB_NAME}" WITH (FORCE)')
    finally:
        await connection.close()


def pytest_configure(config: pytest.Config) -> None:
    """Point the settings at the test database before any table module is imported."""
    os.environ["SERVICE_OPS_DATA_DIR"] = _DATA_DIR
    os.environ["SERVICE_OPS_SECRET_KEY"] = "test-secret-key-0123456789abcdef"
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    if _BASE_DATABASE_URL:
        asyncio.run(_create_postgres_database())
        os.environ["DATABASE_URL"] = _test_database_url()
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _test_redis_url(os.environ["REDIS_URL"])
        asyncio.run(_flush_test_redis())


def _test_redis_url(url: str) -> str:
    """Jobs of this run go to a Redis database of their own (15), emptied first."""
    base, _, last = url.rstrip("/").rpartition("/")
    server = base if last.isdigit() else url.rstrip("/")
    return f"{server}/15"


async def _flush_test_redis() -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(os.environ["REDIS_URL"])
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _BASE_DATABASE_URL:
        asyncio.run(_drop_postgres_database())


def engine_name() -> str:
    return "postgres" if _BASE_DATABASE_URL else "sqlite"


async def run_jobs() -> None:
    """Run queued background jobs to completion: an arq worker in burst mode, or in-process."""
    from service_ops import queue
    from service_ops.settings import get_settings
    from service_ops.worker import run_supervised

    await queue.drain()
    if get_settings().uses_redis:
        await run_supervised(burst=True)


@pytest.fixture(scope="session", autouse=True)
async def migrated_database() -> AsyncIterator[None]:
    """Schema from the committed migrations, once per run, with the connection pool open."""
    from service_ops import db, queue
    from service_ops.app import wire_domains
    from service_ops.cli import run_migrations
    from service_ops.settings import get_settings

    await run_migrations()
    await db.start_pool()
    wire_domains()
    await queue.start(get_settings(), run_periodic=False)
    yield
    await queue.stop()
    await db.close_pool()


@pytest.fixture(scope="session")
async def app() -> AsyncIterator[Any]:
    """The app; what its lifespan would start (pool, job queue) is started by migrated_database."""
    from service_ops.app import create_app

    yield create_app()


_counter = itertools.count(1)


def unique(prefix: str) -> str:
    """A value no other test uses (the database is shared by the whole run)."""
    return f"{prefix}{os.getpid() % 1000:03d}{next(_counter):05d}"


@pytest.fixture(scope="session")
def data_dir() -> Iterator[Path]:
    yield Path(_DATA_DIR)


class Browserless:
    """An HTTP client acting as one user: a session cookie + CSRF token (pages), or a bearer token (API)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def csrf(self) -> str:
        response = await self.client.get("/login")
        token = self.client.cookies.get("csrftoken")
        assert token, response.text[:200]
        import re

        match = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
        assert match
        return match.group(1)

    async def login(self, username: str, password: str) -> Any:
        token = await self.csrf()
        return await self.client.post(
            "/login", data={"username": username, "password": password, "next": "/", "_csrf_token": token}
        )

    async def post_form(self, path: str, data: dict[str, Any]) -> Any:
        token = await self.csrf()
        return await self.client.post(path, data={**data, "_csrf_token": token})


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    import httpx

    # In the test's own event loop (Litestar's AsyncTestClient runs the app in another thread).
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
def as_browser(client: Any) -> Browserless:
    return Browserless(client)


@pytest.fixture
def system() -> Any:
    from service_ops.actor import system_actor

    return system_actor("tests")


PASSWORD = "test-pass-1234"


@pytest.fixture
def make_user(system: Any) -> Any:
    """make_user(role) → the Actor of a new active user with password PASSWORD."""
    from service_ops import services
    from service_ops.actor import Actor
    from service_ops.choices import Role
    from service_ops.schemas import UserCreate

    async def _make(role: str = "agent", locale: str | None = None) -> Actor:
        username = unique(role.replace("_", ""))
        user_id = await services.create_user(
            system,
            UserCreate(
                username=username, display_name=username, password=PASSWORD, role=Role(role), locale=locale
            ),
        )
        return Actor(
            user_id=user_id, username=username, display_name=username, role=Role(role), locale=locale
        )

    return _make


@pytest.fixture
def api_client(client: Any, make_user: Any) -> Any:
    """api_client(role) → the test client with a bearer token of a new user of that role."""

    async def _as(role: str = "agent") -> Any:
        actor = await make_user(role)
        response = await client.post(
            "/api/auth/token", json={"username": actor.username, "password": PASSWORD, "name": "tests"}
        )
        assert response.status_code == 201, response.text
        client.headers["Authorization"] = f"Bearer {response.json()['token']}"
        return client

    return _as


@pytest.fixture
async def world(system: Any) -> dict[str, Any]:
    """A region, a product model, a customer with one unit, and a catch-all SLA policy."""
    from datetime import timedelta

    from service_ops import clock, services
    from service_ops.choices import ProductCategory
    from service_ops.schemas import CustomerCreate, ProductModelCreate, RegionCreate, UnitCreate
    from tickets import services as ticket_services
    from tickets.schemas import SlaPolicyWrite

    region_code = unique("R")[-12:]
    await services.create_region(
        system, RegionCreate(code=region_code, name="测试区", level="county", is_sales_region=True)
    )
    model_code = unique("M-")
    await services.create_product_model(
        system,
        ProductModelCreate(
            code=model_code, name="测试空调", category=ProductCategory.AIR_CONDITIONER, warranty_months=12
        ),
    )
    phone = "139" + unique("")[-8:].rjust(8, "0")
    customer_id = await services.create_customer(
        system,
        CustomerCreate(name="测试客户", address="测试路 1 号", region_code=region_code, phones=[phone]),
    )
    serial = unique("SN")
    unit_id = await services.register_unit(
        system,
        UnitCreate(
            serial_number=serial,
            model_code=model_code,
            customer_id=customer_id,
            purchase_date=clock.today() - timedelta(days=30),
        ),
    )
    policies = await ticket_services_list()
    if not any(p.kind is None and p.priority is None and p.service_class is None for p in policies):
        await ticket_services.create_sla_policy(
            system,
            SlaPolicyWrite(
                name="catch-all", response_minutes=120, arrival_minutes=1440, resolve_minutes=4320
            ),
        )
    return {
        "region_code": region_code,
        "model_code": model_code,
        "customer_id": customer_id,
        "phone": phone,
        "serial": serial,
        "unit_id": unit_id,
    }


async def ticket_services_list() -> list[Any]:
    from tickets import queries

    return await queries.list_sla_policies()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Outside the browser tests (their Playwright loop owns the thread), every test waits for the
    in-process jobs it started."""
    for item in items:
        if "e2e" not in item.path.parts:
            item.add_marker(pytest.mark.usefixtures("finish_background_jobs"))


@pytest.fixture
async def finish_background_jobs() -> AsyncIterator[None]:
    """In-process jobs a test started finish before the next test counts anything."""
    yield
    from service_ops import queue

    await queue.drain()
