"""`service-ops`: serve, worker, migrate, create-user, demo, import-history, audit verify,
export-evidence, verify-pack."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import logging
import os
import sys
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, TypeVar

import click

T = TypeVar("T")


def _prepare_environment() -> None:
    """Piccolo finds its configuration through PICCOLO_CONF; default to the project's."""
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if project_root not in sys.path:
        sys.path.insert(0, project_root)


def _run(coroutine: Awaitable[T]) -> T:
    async def with_pool() -> T:
        from service_ops import db, queue
        from service_ops.app import wire_domains
        from service_ops.settings import get_settings

        wire_domains()
        await db.start_pool()
        await queue.start(get_settings(), run_periodic=False)
        try:
            return await coroutine
        finally:
            await queue.stop()
            await db.close_pool()

    return asyncio.run(with_pool())


@click.group()
def main() -> None:
    """After-sales service operations, audit-ready for GB/T 27922."""
    _prepare_environment()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


async def run_migrations() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    with contextlib.redirect_stdout(sys.stderr):
        result = await run_forwards(app_name="all")
    if not result.success:
        raise click.ClickException(f"migrations failed: {result.message}")


@main.command()
def migrate() -> None:
    """Bring the database schema up to date (SQLite or PostgreSQL)."""
    asyncio.run(run_migrations())
    click.echo("migrations: up to date")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Processes (PostgreSQL only).")
def serve(host: str, port: int, workers: int) -> None:
    """Run the web app."""
    import uvicorn

    from service_ops.settings import get_settings

    if workers > 1 and not get_settings().uses_postgres:
        raise click.ClickException(
            "several workers need PostgreSQL (DATABASE_URL); SQLite serves one process"
        )
    uvicorn.run(
        "service_ops.asgi:app", host=host, port=port, workers=workers, proxy_headers=True, log_level="info"
    )


@main.command()
@click.option("--burst", is_flag=True, help="Drain the queue and exit.")
def worker(burst: bool) -> None:
    """Run background jobs from Redis (needs REDIS_URL); restarts itself if Redis goes away."""
    from service_ops.settings import get_settings
    from service_ops.worker import run_supervised

    if not get_settings().uses_redis:
        raise click.ClickException("REDIS_URL is not set: without it, jobs run inside `service-ops serve`")
    asyncio.run(run_supervised(burst=burst))


@main.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(
        [
            "agent",
            "dispatcher",
            "outlet_manager",
            "technician",
            "trainer",
            "finance",
            "service_manager",
            "hq_manager",
            "auditor",
            "admin",
        ]
    ),
)
@click.option("--name", "display_name", default=None, help="Display name (defaults to the username).")
@click.option("--password", default=None, help="Prompted for when omitted.")
def create_user(username: str, role: str, display_name: str | None, password: str | None) -> None:
    """Create a user (the first admin, or anyone from a script)."""
    from service_ops import services
    from service_ops.actor import system_actor
    from service_ops.choices import Role
    from service_ops.errors import DomainError
    from service_ops.schemas import UserCreate

    password = password or getpass.getpass("Password: ")
    data = UserCreate(
        username=username, display_name=display_name or username, password=password, role=Role(role)
    )
    try:
        user_id = _run(services.create_user(system_actor("cli"), data))
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created user {username} (id {user_id}, role {role})")


@main.command()
@click.option("--force", is_flag=True, help="Load even if the database already holds customers.")
@click.option(
    "--history-months",
    default=6,
    show_default=True,
    type=click.IntRange(0, 36),
    help="Months of generated history imported before the demo week.",
)
@click.option("--no-history", is_flag=True, help="Load no generated history (same as --history-months 0).")
def demo(force: bool, history_months: int, no_history: bool) -> None:
    """Load the demo data set (outlets, staff, customers with units, a week of calls and tickets,
    months of imported history, and the service system's documents, budget and registers)."""
    from service_ops.demo import DEMO_PASSWORD, load_demo

    months = 0 if no_history else history_months
    loaded: dict[str, Any] = _run(load_demo(force=force, history_months=months))
    if not loaded:
        click.echo("demo data already present (use --force to load again)")
    else:
        click.echo("demo data loaded: " + ", ".join(f"{count} {name}" for name, count in loaded.items()))
    click.echo(
        f"demo logins (password {DEMO_PASSWORD}): agent1 (hotline agent), dispatcher1, "
        "om_ns / om_ba (outlet managers), tech_ns1 (technician), trainer1, manager1 (service manager), "
        "auditor1, admin"
    )


@main.command("import-history")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def import_history(path: Path) -> None:
    """Validate a history bundle (folder or .zip of CSV files) and import it, all or nothing."""
    from audit_export.history.services import MAX_PROBLEMS_SHOWN, HistoryImportInvalid
    from audit_export.history.services import import_history as run_import
    from audit_export.services.history_jobs import STEPS_PER_FILE, bundle_file_count
    from service_ops.actor import system_actor
    from service_ops.i18n import current_locale, translations

    steps = bundle_file_count(path) * STEPS_PER_FILE
    bar = click.progressbar(
        length=steps, label="import", file=sys.stderr, show_pos=True, item_show_func=lambda item: item
    )

    def progress(file_name: str, stage: str) -> None:
        bar.update(1, current_item=f"{stage} {file_name}")

    try:
        with bar:
            report = _run(run_import(system_actor("cli"), path, progress))
            bar.update(max(0, steps - bar.pos), current_item="done")
    except HistoryImportInvalid as error:
        translate = translations(current_locale()).ugettext
        for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
            click.echo(problem.text(translate))
        if len(error.problems) > MAX_PROBLEMS_SHOWN:
            click.echo(f"... and {len(error.problems) - MAX_PROBLEMS_SHOWN} more problems")
        click.echo(f"{len(error.problems)} problems: nothing was imported", err=True)
        sys.exit(1)
    for name, counts in report.files.items():
        click.echo(
            f"{name}: {counts['inserted']} inserted, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
    click.echo(f"bundle {report.sha256}: {len(report.corrections)} corrections")


@main.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 and name the first broken event if any was altered."""
    from service_ops.audit import verify_chain

    result = _run(verify_chain())
    if result.ok:
        click.echo(f"OK: {result.checked} events, chain intact")
        return
    click.echo(
        f"BROKEN at seq {result.broken_seq}: {result.problem} ({result.checked} events before it are intact)"
    )
    sys.exit(1)


def _as_of_option(value: str | None) -> Any:
    """`--as-of`: an ISO date or date-time; without an offset it is read in the organisation's zone."""
    from datetime import datetime

    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or time") from error


@main.command("export-evidence")
@click.option("--from", "period_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day.")
@click.option(
    "--to", "period_to", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Day after the last."
)
@click.option("--as-of", "as_of", default=None, help="ISO 8601 moment the pack describes (default now).")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The .zip to write."
)
def export_evidence(period_from: Any, period_to: Any, as_of: str | None, out: Path) -> None:
    """Write the evidence pack of the period [from, to) (the same pack the web's export produces)."""
    from audit_export.period import Period, checked_as_of
    from audit_export.services.packs import export_pack
    from service_ops.actor import system_actor
    from service_ops.errors import DomainError
    from service_ops.i18n import gettext

    try:
        period = Period(period_from.date(), period_to.date())
        moment = checked_as_of(_as_of_option(as_of))  # refused before anything is opened or written
        built = _run(export_pack(system_actor("cli"), period, moment, out))
    except DomainError as error:
        raise click.ClickException(gettext(error.message, **error.params)) from error
    click.echo(f"{out}: {built.size_bytes} bytes, sha256 {built.sha256}")


@main.command("verify-pack")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_pack(file: Path) -> None:
    """Check an evidence pack's files against its manifest; exit 1 naming each file that fails."""
    from audit_export.pack.verify import verify_pack as verify

    result = verify(file)
    if result.ok:
        click.echo(f"OK: {result.files_checked} files match the manifest")
        return
    for problem in result.problems:
        click.echo(f"FAILED {problem}", err=True)
    sys.exit(1)


if __name__ == "__main__":
    main()
