"""Database engines: SQLite in the data folder by default, PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import sqlite3
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from service_ops.settings import Settings, get_settings

SQLITE_BUSY_TIMEOUT_S = 30


def make_engine(settings: Settings | None = None) -> Engine:
    """Build the Piccolo engine the settings ask for."""
    settings = settings or get_settings()
    if settings.uses_postgres:
        return PostgresEngine(config=settings.postgres_config())
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = str(settings.sqlite_path)
    _enable_wal(path)
    return SQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)


def _enable_wal(path: str) -> None:
    """WAL lets readers run beside the one writer; the mode persists in the file."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def engine() -> Any:
    """The engine every table is bound to (from piccolo_conf)."""
    from piccolo.conf.apps import Finder

    return Finder().get_engine()


_pool_users = 0


async def _keep_connection_as_is(connection: Any) -> None:
    """asyncpg resets a connection on every release (a round trip per query); the app keeps no
    session state on connections, so there is nothing to reset."""


async def start_pool(settings: Settings | None = None) -> None:
    """Open the PostgreSQL pool (shared: the app, the worker and tests may each ask for it)."""
    global _pool_users
    settings = settings or get_settings()
    db = engine()
    if isinstance(db, PostgresEngine):
        if _pool_users == 0:
            size = settings.db_pool_size
            await db.start_connection_pool(min_size=min(size, 2), max_size=size, reset=_keep_connection_as_is)
        _pool_users += 1


async def close_pool() -> None:
    global _pool_users
    db = engine()
    if isinstance(db, PostgresEngine) and _pool_users > 0:
        _pool_users -= 1
        if _pool_users == 0:
            await db.close_connection_pool()
