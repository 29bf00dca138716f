"""The technician's job list reads his open visits and those finished today, not his whole history."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T23:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index work_order (technician, completed_at) for the job list"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def create_index() -> None:
        await Finder().get_engine().run_ddl(
            "CREATE INDEX IF NOT EXISTS work_order_technician_completed ON work_order (technician, completed_at)"
        )

    manager.add_raw(create_index)
    return manager
