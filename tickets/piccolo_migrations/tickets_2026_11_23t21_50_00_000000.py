"""Uniqueness the field loop relies on: one step of a kind per visit, one alert per level, one visit number."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.conf.apps import Finder

ID = "2026-11-23T21:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique work-order steps, SLA alerts and live visit numbers; KPI indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS work_order_step_once ON work_order_step (work_order, step)",
    "CREATE UNIQUE INDEX IF NOT EXISTS sla_alert_once ON sla_alert (entity, entity_id, commitment, level)",
    "CREATE UNIQUE INDEX IF NOT EXISTS work_order_live_visit ON work_order (ticket, visit_no)"
    " WHERE status <> 'cancelled'",
    "CREATE INDEX IF NOT EXISTS work_order_technician_day ON work_order (technician, status, arrival_due)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = Finder().get_engine()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
