"""A customer's newest tickets first, for the call screen's history."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T20:55:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index ticket (customer, id desc) for the call screen history"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def create_index() -> None:
        await Finder().get_engine().run_ddl(
            "CREATE INDEX IF NOT EXISTS ticket_customer_newest ON ticket (customer, id DESC)"
        )

    manager.add_raw(create_index)
    return manager
