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
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import AppServer, running_server

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
# Settings that would change what this test is about: the engine, the queue, the default language.
_STRIPPED_ENV = ("DATABASE_URL", "REDIS_URL", "SERVICE_OPS_DEFAULT_LOCALE")


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
    with running_server(env, data_dir, setup=[("migrate",), ("demo",)]) as server:
        yield server


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


TIMEOUT_MS = 10_000


@pytest.fixture
def new_page(browser: Any, app_server: AppServer) -> Iterator[Any]:
    """new_page(**context options) → a page in a fresh desktop-sized browser context."""
    contexts: list[Any] = []

    def _open(**options: Any) -> Any:
        context = browser.new_context(viewport=DESKTOP, base_url=app_server.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def submit(page: Any, button: Any, url: str | re.Pattern[str]) -> None:
    """Click a form's button and wait for the page it leads to (POST, redirect, GET)."""
    with page.expect_navigation(url=url):
        button.click()
