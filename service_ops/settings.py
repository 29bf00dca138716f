"""Typed, frozen settings read from the environment on first use (never at import time)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

ENV_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "SERVICE_OPS_SECRET_KEY",
    "SERVICE_OPS_DATA_DIR",
    "SERVICE_OPS_TIMEZONE",
    "SERVICE_OPS_DEFAULT_LOCALE",
    "SERVICE_OPS_UPLOAD_MAX_BYTES",
    "SERVICE_OPS_DB_POOL_SIZE",
    "SERVICE_OPS_AUTO_DISPATCH",
    "SERVICE_OPS_SNAPSHOT_MINUTES",
)


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about its environment."""

    database_url: str | None
    redis_url: str | None
    secret_key: str
    data_dir: Path
    timezone: str = "Asia/Shanghai"
    default_locale: str = "zh_CN"
    upload_max_bytes: int = 10 * 1024 * 1024
    db_pool_size: int = 10
    auto_dispatch: bool = False
    snapshot_minutes: int = 60

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def uses_redis(self) -> bool:
        return self.redis_url is not None

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "service_ops.sqlite3"

    def postgres_config(self) -> dict[str, object]:
        """asyncpg connection parameters parsed from DATABASE_URL."""
        assert self.database_url is not None
        url = urlparse(self.database_url)
        return {
            "host": url.hostname or "127.0.0.1",
            "port": url.port or 5432,
            "user": url.username or "postgres",
            "password": url.password or "",
            "database": (url.path or "/postgres").lstrip("/") or "postgres",
        }


def _secret_key(data_dir: Path) -> str:
    """Use SERVICE_OPS_SECRET_KEY, else a key generated once and kept in the data folder."""
    configured = os.environ.get("SERVICE_OPS_SECRET_KEY")
    if configured:
        return configured
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    key_file.write_text(key)
    return key


def load_settings() -> Settings:
    """Read the environment now and build a Settings object."""
    data_dir = Path(os.environ.get("SERVICE_OPS_DATA_DIR", "./var")).resolve()
    database_url = os.environ.get("DATABASE_URL") or None
    if database_url and not database_url.startswith(("postgres://", "postgresql://")):
        raise ValueError("DATABASE_URL must start with postgres:// or postgresql://")
    return Settings(
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=_secret_key(data_dir),
        data_dir=data_dir,
        timezone=os.environ.get("SERVICE_OPS_TIMEZONE", "Asia/Shanghai"),
        default_locale=os.environ.get("SERVICE_OPS_DEFAULT_LOCALE", "zh_CN"),
        upload_max_bytes=int(os.environ.get("SERVICE_OPS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)),
        db_pool_size=int(os.environ.get("SERVICE_OPS_DB_POOL_SIZE", 10)),
        auto_dispatch=os.environ.get("SERVICE_OPS_AUTO_DISPATCH", "").lower() in ("1", "true", "yes"),
        snapshot_minutes=max(int(os.environ.get("SERVICE_OPS_SNAPSHOT_MINUTES", 60)), 1),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded on first call."""
    return load_settings()
