"""The example bundle (tests/data/history/example) with codes made unique for one test."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from service_ops.tables import AuditEvent
from tests.conftest import ROOT, unique

EXAMPLE = ROOT / "tests" / "data" / "history" / "example"
TABLES = {
    "region": "code",
    "product_model": "code",
    "customer": "code",
    "unit": "serial_number",
    "app_user": "username",
    "outlet": "code",
    "course": "code",
    "training_session": "code",
    "certificate": "number",
    "ticket": "number",
    "call": "external_id",
    "work_order": "number",
    "fund_entry": "external_id",
}
# Tables whose rows belong to an imported row: table → (SQL selecting them, pattern of the prefix).
CHILDREN = {
    "customer_phone": "SELECT p.* FROM customer_phone p JOIN customer c ON c.id = p.customer "
    "WHERE c.code LIKE {} ORDER BY p.id",
    "outlet_coverage": "SELECT x.* FROM outlet_coverage x JOIN outlet o ON o.id = x.outlet "
    "WHERE o.code LIKE {} ORDER BY x.id",
    "outlet_category": "SELECT x.* FROM outlet_category x JOIN outlet o ON o.id = x.outlet "
    "WHERE o.code LIKE {} ORDER BY x.id",
    "outlet_membership": "SELECT x.* FROM outlet_membership x JOIN outlet o ON o.id = x.outlet "
    "WHERE o.code LIKE {} ORDER BY x.id",
    "course_role": "SELECT x.* FROM course_role x JOIN course c ON c.id = x.course "
    "WHERE c.code LIKE {} ORDER BY x.id",
    "attendance": 'SELECT x.* FROM attendance x JOIN training_session s ON s.id = x."session" '
    "WHERE s.code LIKE {} ORDER BY x.id",
}


def example_bundle(folder: Path) -> tuple[Path, str]:
    """A copy of the example bundle in `folder` whose codes start with a fresh prefix (EX → prefix)."""
    prefix = unique("")
    target = folder / "bundle"
    shutil.copytree(EXAMPLE, target)
    for path in target.iterdir():
        text = path.read_text(encoding="utf-8-sig")
        path.write_text(text.replace("EX", prefix).replace("ex_", f"x{prefix}_"), encoding="utf-8")
    return target, prefix


def edit(bundle: Path, file_name: str, old: str, new: str) -> None:
    path = bundle / file_name
    text = path.read_text(encoding="utf-8")
    assert old in text, (file_name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def snapshot(prefix: str) -> dict[str, list[dict[str, Any]]]:
    """Every row (every column) of the imported tables whose natural key carries `prefix`."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for table, key in TABLES.items():
        pattern = f"x{prefix}%" if table == "app_user" else f"{prefix}%"
        rows[table] = await AuditEvent.raw(
            f"SELECT * FROM {table} WHERE {key} LIKE {{}} ORDER BY id", pattern
        )
    for table, sql in CHILDREN.items():
        rows[table] = await AuditEvent.raw(sql, f"{prefix}%")
    return rows


async def table_counts() -> dict[str, int]:
    counts = {}
    for table in [*TABLES, *CHILDREN, "audit_event"]:
        rows = await AuditEvent.raw(f"SELECT COUNT(*) AS n FROM {table}")
        counts[table] = int(rows[0]["n"])
    return counts
