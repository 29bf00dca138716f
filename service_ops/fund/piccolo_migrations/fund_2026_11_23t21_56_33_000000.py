"""Covering index for the fund's aggregates (budget vs actual, reserve balance, KPIs)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T21:56:33:000000"
VERSION = "1.38.0"
DESCRIPTION = "Fund entry index by kind and date, covering the amount"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS fund_entry_kind_day ON fund_entry (kind, posted_on, amount_fen)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="fund", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = Finder().get_engine()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
