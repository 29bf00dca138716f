"""Indexes the table classes cannot express: one frozen snapshot per period, one pack export and
one history import in flight at a time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-24T00:25:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One frozen snapshot per period; one pack per period and one import in flight"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS kpi_snapshot_one_frozen ON kpi_snapshot (period_from, period_to)"
    " WHERE kind = 'frozen'",
    "CREATE INDEX IF NOT EXISTS kpi_snapshot_latest ON kpi_snapshot (kind, period_from, period_to, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS evidence_pack_one_in_flight ON evidence_pack (period_from, period_to)"
    " WHERE status IN ('queued', 'running')",
    "CREATE UNIQUE INDEX IF NOT EXISTS history_import_one_in_flight ON history_import_job ((1))"
    " WHERE status IN ('queued', 'running')",
    "CREATE UNIQUE INDEX IF NOT EXISTS audit_sample_case_position ON audit_sample_case (sample, position)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="audit_export", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = Finder().get_engine()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
