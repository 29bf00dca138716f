"""Make the audit trail append-only in the database itself (rule 2)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T20:07:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Append-only audit_event: triggers reject UPDATE and DELETE"

POSTGRES_SQL = [
    """
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only (% rejected)', TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER audit_event_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
    """
    CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
    """,
]

SQLITE_SQL = [
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only (UPDATE rejected)'); END
    """,
    """
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only (DELETE rejected)'); END
    """,
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service_ops", description=DESCRIPTION)

    async def create_triggers() -> None:
        engine = Finder().get_engine()
        statements = POSTGRES_SQL if engine.engine_type == "postgres" else SQLITE_SQL
        for statement in statements:
            await engine.run_ddl(statement)

    manager.add_raw(create_triggers)
    return manager
