"""The dispatch ranking reads the last 30 days of offers per outlet."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T21:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index ticket_dispatch (dispatched_at, outlet) for recent on-time rates"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def create_index() -> None:
        await Finder().get_engine().run_ddl(
            "CREATE INDEX IF NOT EXISTS ticket_dispatch_recent ON ticket_dispatch (dispatched_at, outlet)"
        )

    manager.add_raw(create_index)
    return manager
