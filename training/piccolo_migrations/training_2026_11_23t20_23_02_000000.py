"""Unique indexes the table classes cannot express on SQLite (Piccolo adds constraints by ALTER TABLE)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T20:23:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique indexes: one roll-call line per person and session, each role once per course"

STATEMENTS = [
    'CREATE UNIQUE INDEX attendance_session_user_unique ON attendance ("session", "user")',
    'CREATE UNIQUE INDEX course_role_course_role_unique ON course_role ("course", "role")',
    "CREATE INDEX certificate_user_course ON certificate (\"user\", \"course\")",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="training", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = Finder().get_engine()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
