"""An outlet lists a region or a category once: unique indexes (both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T20:22:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique (outlet, region) coverage and (outlet, category) pairs"

UNIQUE_INDEXES = [
    "CREATE UNIQUE INDEX outlet_coverage_outlet_region_unique ON outlet_coverage (outlet, region)",
    "CREATE UNIQUE INDEX outlet_category_outlet_category_unique ON outlet_category (outlet, category)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="outlets", description=DESCRIPTION)

    async def create_unique_indexes() -> None:
        engine = Finder().get_engine()
        for statement in UNIQUE_INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(create_unique_indexes)
    return manager
