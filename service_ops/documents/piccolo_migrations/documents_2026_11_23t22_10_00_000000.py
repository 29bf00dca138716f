"""Indexes the table classes cannot express: one current version per kind (partial unique), each
version number once per kind."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T22:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One current controlled document per kind; unique version per kind"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS controlled_document_one_current ON controlled_document (kind)"
    " WHERE status = 'current'",
    "CREATE UNIQUE INDEX IF NOT EXISTS controlled_document_kind_version ON controlled_document (kind, version)",
    "CREATE INDEX IF NOT EXISTS service_target_kpi_period ON service_target (kpi_code, period_from, period_to)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="documents", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = Finder().get_engine()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
