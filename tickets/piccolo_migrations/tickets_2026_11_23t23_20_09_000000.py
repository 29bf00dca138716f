"""An imported call's external id is unique (an index: SQLite cannot add a UNIQUE column)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T23:20:09:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique index on call (external_id)"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def create_index() -> None:
        await Finder().get_engine().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS call_external_id_unique ON call (external_id)"
        )

    manager.add_raw(create_index)
    return manager
