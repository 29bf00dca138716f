"""Settings: read lazily from the environment, every variable documented in .env.example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service_ops.settings import ENV_VARS, load_settings
from tests.conftest import ROOT


def test_env_example_lists_exactly_the_variables_the_code_reads() -> None:
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.M))
    assert documented == set(ENV_VARS)
    source = (ROOT / "service_ops" / "settings.py").read_text()
    read_in_code = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source))
    assert read_in_code == set(ENV_VARS)


def test_embedded_default_without_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SERVICE_OPS_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert not settings.uses_postgres and not settings.uses_redis
    assert settings.sqlite_path.parent == tmp_path
    assert settings.default_locale == "zh_CN" and settings.timezone == "Asia/Shanghai"
    assert load_settings().secret_key == settings.secret_key, "the generated key is kept"


def test_production_shape_from_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SERVICE_OPS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://svc:pw@db.internal:6543/ops")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/2")
    settings = load_settings()
    assert settings.uses_postgres and settings.uses_redis
    assert settings.postgres_config() == {
        "host": "db.internal",
        "port": 6543,
        "user": "svc",
        "password": "pw",
        "database": "ops",
    }


def test_a_database_url_of_another_kind_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SERVICE_OPS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "mysql://x@y/z")
    with pytest.raises(ValueError, match="postgres"):
        load_settings()
