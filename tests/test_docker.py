"""Static checks of the Docker packaging (no Docker engine needed: the files are parsed)."""

from __future__ import annotations

import json
import shlex
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKER_DIR = ROOT / "docker"
COMPOSE_FILE = DOCKER_DIR / "compose.yaml"
DOCKERFILE = DOCKER_DIR / "Dockerfile"

ALL_SERVICES = {"postgres", "redis", "migrate", "app", "worker"}
APP_SERVICES = ("app", "worker", "migrate")


# --- helpers ------------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "compose.yaml must be a mapping"
    assert isinstance(data.get("services"), dict), "compose.yaml needs a services mapping"
    return data


def service(name: str) -> dict[str, Any]:
    svc = compose()["services"].get(name)
    assert isinstance(svc, dict), f"service {name!r} missing or not a mapping"
    return svc


def depends_on(name: str) -> dict[str, str]:
    """depends_on as {service: condition}; the short list form means service_started."""
    raw = service(name).get("depends_on") or {}
    if isinstance(raw, list):
        return {dep: "service_started" for dep in raw}
    return {dep: (spec or {}).get("condition", "service_started") for dep, spec in raw.items()}


def environment(name: str) -> dict[str, str]:
    raw = service(name).get("environment") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in raw)
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def dockerfile_path(name: str) -> Path:
    build = service(name).get("build")
    assert build is not None, f"service {name!r} has no build section"
    if isinstance(build, str):
        build = {"context": build}
    context = (DOCKER_DIR / build.get("context", ".")).resolve()
    return (context / build.get("dockerfile", "Dockerfile")).resolve()


@cache
def instructions() -> tuple[tuple[str, str], ...]:
    """(INSTRUCTION, arguments) pairs with comments dropped and continuations joined."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        result.append((keyword.upper(), args.strip()))
    assert not pending, "Dockerfile ends inside a line continuation"
    return tuple(result)


def args_of(keyword: str) -> list[str]:
    return [args for kw, args in instructions() if kw == keyword]


def copy_sources() -> list[str]:
    """Every source path of every COPY/ADD taken from the build context."""
    sources: list[str] = []
    for kw, args in instructions():
        if kw not in {"COPY", "ADD"}:
            continue
        if args.startswith("["):
            parts = json.loads(args)
        else:
            parts = shlex.split(args)
        flags = [p for p in parts if p.startswith("--")]
        if any(flag.startswith("--from=") for flag in flags):
            continue  # copies from another stage, not from the context
        paths = [p for p in parts if not p.startswith("--")]
        assert len(paths) >= 2, f"{kw} {args!r} needs at least a source and a destination"
        sources.extend(paths[:-1])
    return sources


# --- compose.yaml --------------------------------------------------------------------------


def test_compose_has_all_services() -> None:
    assert ALL_SERVICES <= set(compose()["services"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_build_the_dockerfile(name: str) -> None:
    path = dockerfile_path(name)
    assert path == DOCKERFILE.resolve()
    assert path.is_file()


def test_app_services_share_one_build() -> None:
    builds = {json.dumps(service(name).get("build"), sort_keys=True) for name in APP_SERVICES}
    assert len(builds) == 1, "app, worker and migrate must build the same image"


@pytest.mark.parametrize("name", sorted(ALL_SERVICES - {"migrate"}))
def test_long_running_services_have_healthchecks(name: str) -> None:
    healthcheck = service(name).get("healthcheck")
    assert isinstance(healthcheck, dict), f"{name} has no healthcheck"
    assert not healthcheck.get("disable"), f"{name} healthcheck is disabled"
    test = healthcheck.get("test")
    assert test, f"{name} healthcheck has no test"
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, test


@pytest.mark.parametrize("name", ["app", "worker"])
def test_app_and_worker_wait_for_migrate_and_redis(name: str) -> None:
    deps = depends_on(name)
    assert deps.get("migrate") == "service_completed_successfully"
    assert deps.get("redis") == "service_healthy"


def test_migrate_is_one_shot_after_postgres() -> None:
    assert depends_on("migrate").get("postgres") == "service_healthy"
    assert str(service("migrate").get("restart", "no")) == "no"
    assert "migrate" in str(service("migrate").get("command"))


def test_app_healthcheck_hits_health_endpoint() -> None:
    test = service("app")["healthcheck"]["test"]
    assert "http://127.0.0.1:8000/health" in " ".join(test if isinstance(test, list) else [test])
    assert "8000:8000" in [str(port) for port in service("app").get("ports", [])]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_environment(name: str) -> None:
    env = environment(name)
    assert env.get("DATABASE_URL", "").startswith("postgresql://")
    assert env.get("REDIS_URL", "").startswith("redis://")
    assert env.get("SERVICE_OPS_SECRET_KEY", "").startswith("${SERVICE_OPS_SECRET_KEY:?")


def test_depends_on_targets_exist() -> None:
    names = set(compose()["services"])
    for name in names:
        missing = set(depends_on(name)) - names
        assert not missing, f"{name} depends on unknown services {missing}"


def test_named_volumes_are_declared() -> None:
    declared = set(compose().get("volumes") or {})
    for name, svc in compose()["services"].items():
        for volume in svc.get("volumes") or []:
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source")
            if source and not source.startswith((".", "/", "~")):
                assert source in declared, f"{name} uses undeclared volume {source!r}"


# --- Dockerfile ----------------------------------------------------------------------------


def test_dockerfile_basics() -> None:
    keywords = {kw for kw, _ in instructions()}
    assert instructions()[0][0] in {"FROM", "ARG"}
    assert {"FROM", "HEALTHCHECK", "EXPOSE", "USER", "CMD"} <= keywords
    assert any("8000" in args.split() for args in args_of("EXPOSE"))
    assert any("/health" in args for args in args_of("HEALTHCHECK"))
    assert any("uv sync --frozen --no-dev" in args for args in args_of("RUN"))


def test_dockerfile_runs_as_non_root() -> None:
    user = args_of("USER")[-1].split(":", 1)[0]
    assert user not in {"root", "0"}


def test_dockerfile_copies_existing_paths() -> None:
    sources = copy_sources()
    assert sources, "Dockerfile copies nothing"
    for source in sources:
        assert (ROOT / source).exists(), f"COPY source {source!r} not found in the repo"


def test_dockerfile_copies_every_wheel_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    copied = {source.removeprefix("./").rstrip("/") for source in copy_sources()}
    missing = {package.rstrip("/") for package in packages} - copied
    assert not missing, f"packages not copied into the image: {sorted(missing)}"
    assert {"pyproject.toml", "uv.lock", "README.md"} <= copied


# --- .dockerignore -------------------------------------------------------------------------


def test_dockerignore_keeps_local_state_out() -> None:
    patterns = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git", "var"} <= patterns
