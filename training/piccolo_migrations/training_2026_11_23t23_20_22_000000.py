"""A session code, when set, names one session: a unique index (both engines; NULLs do not clash)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T23:20:22:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique training session codes"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def create_unique_index() -> None:
        await Finder().get_engine().run_ddl(
            "CREATE UNIQUE INDEX training_session_code_unique ON training_session (code)"
        )

    manager.add_raw(create_unique_index)
    return manager
