"""Indexes for the call screen's prefix searches (PostgreSQL needs pattern_ops under a non-C collation)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T20:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Prefix-search indexes on customer phones and names"

POSTGRES_SQL = [
    "CREATE INDEX IF NOT EXISTS customer_phone_phone_prefix ON customer_phone (phone varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS customer_name_prefix ON customer (name varchar_pattern_ops)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="service_ops", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = Finder().get_engine()
        if engine.engine_type == "postgres":  # SQLite's LIKE uses the plain indexes already
            for statement in POSTGRES_SQL:
                await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
