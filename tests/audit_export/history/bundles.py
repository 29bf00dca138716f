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
    rows["customer_phone"] = await AuditEvent.raw(
        "SELECT p.* FROM customer_phone p JOIN customer c ON c.id = p.customer WHERE c.code LIKE {} "
        "ORDER BY p.id",
        f"{prefix}%",
    )
    return rows


async def table_counts() -> dict[str, int]:
    counts = {}
    for table in [*TABLES, "customer_phone", "audit_event"]:
        rows = await AuditEvent.raw(f"SELECT COUNT(*) AS n FROM {table}")
        counts[table] = int(rows[0]["n"])
    return counts
