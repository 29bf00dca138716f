"""The schema comes from the committed migrations, which match the table classes exactly."""

from __future__ import annotations

import pytest
from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.conf.apps import Finder

from tests.conftest import engine_name

APPS = ["service_ops", "fund", "documents", "training", "outlets", "tickets", "audit_export"]


@pytest.mark.parametrize("app_name", APPS)
async def test_migrations_describe_every_table_change(app_name: str) -> None:
    app_config = Finder().get_app_config(app_name)
    statements = await AutoMigrationManager(auto_input="y").get_alter_statements(app_config=app_config)
    pending = [line for item in statements for line in item.statements]
    assert pending == [], (
        f"{app_name}: tables changed without a migration: run `piccolo migrations new {app_name} --auto`"
    )


async def _database_columns(table_name: str) -> set[str]:
    from service_ops.tables import AuditEvent

    if engine_name() == "postgres":
        rows = await AuditEvent.raw(
            "SELECT column_name AS name FROM information_schema.columns WHERE table_name = {}", table_name
        )
    else:
        rows = await AuditEvent.raw(f"SELECT name FROM pragma_table_info('{table_name}')")
    return {row["name"] for row in rows}


async def test_migrated_database_has_every_table_and_column() -> None:
    for app_config in Finder().get_app_configs():
        for table in app_config.table_classes:
            expected = {column._meta.db_column_name for column in table._meta.columns}
            actual = await _database_columns(table._meta.tablename)
            assert actual == expected, table._meta.tablename
