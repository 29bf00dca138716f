"""Real-browser end-to-end fixtures: the app as its own process on SQLite, and Debian's chromium.

The server is started exactly as an operator would: `service-ops migrate`, `service-ops demo`,
`service-ops serve`, in a temporary data folder, with DATABASE_URL / REDIS_URL removed so it runs
on SQLite even when the rest of the test session uses PostgreSQL and Redis.

The browser is /usr/bin/chromium (install it with scripts/ensure-chromium.sh), driven by the
Python Playwright package; Playwright's own browser downloads are never used. Without chromium
these tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
STARTUP_TIMEOUT = 30.0
# Settings that would change what this test is about: the engine, the queue, the default language.
_STRIPPED_ENV = ("DATABASE_URL", "REDIS_URL", "SERVICE_OPS_DEFAULT_LOCALE")


def service_ops_command() -> Path:
    return Path(sys.executable).parent / "service-ops"


@dataclass
class AppServer:
    base_url: str
    data_dir: Path
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run `service-ops <args>` against this server's data folder."""
        return subprocess.run(
            [str(service_ops_command()), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def chromium_executable() -> Path:
    """Debian's chromium, or skip (fail under CI=true) with the way to install it."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh to install Debian's chromium"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def app_server(chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """`service-ops migrate && service-ops demo && service-ops serve` on a free port, SQLite, demo data."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = {key: value for key, value in os.environ.items() if key not in _STRIPPED_ENV}
    env.update(SERVICE_OPS_DATA_DIR=str(data_dir), SERVICE_OPS_SECRET_KEY="e2e-secret-key-not-for-production")
    port = _free_port()
    server = AppServer(
        base_url=f"http://127.0.0.1:{port}", data_dir=data_dir, env=env, log_path=data_dir / "serve.log"
    )
    for step in (("migrate",), ("demo",)):
        result = server.cli(*step)
        assert result.returncode == 0, f"service-ops {step[0]} failed:\n{result.stdout}\n{result.stderr}"

    with server.log_path.open("wb") as log:
        server.process = subprocess.Popen(
            [str(service_ops_command()), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(f"{server.base_url}/health"):
            if server.process.poll() is not None:
                pytest.fail(f"service-ops serve exited early:\n{server.log_tail()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"GET /health not 200 after {STARTUP_TIMEOUT:.0f} s:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        _stop(server.process)


@pytest.fixture(scope="module")
def browser(chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Headless Debian chromium with a throw-away HOME; never a Playwright-downloaded browser."""
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("chromium-home")
    browser_env: dict[str, str | float | bool] = {
        **os.environ,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_executable), headless=True, args=CHROMIUM_ARGS, env=browser_env
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
