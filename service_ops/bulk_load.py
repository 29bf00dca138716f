"""Bulk loads of the core's master data for the history import (regions, models, customers, units, staff).

Each function takes rows already validated (values by column name of the bundle's file) and the
origin (`import:<bundle sha256>`) and writes them with executemany inside the caller's open unit of
work. They record no audit event: the import records one for the whole bundle. `updates` pairs a
row's new values with the values stored now.

Every domain's bulk load names the history-import user (`import_user_id`) as the author of the
records it writes where the table needs one and the bundle has none, so that account lives here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service_ops import clock
from service_ops.bulk import allocate_ids, execute_many, ids_by, remember_ids
from service_ops.choices import Role

Values = dict[str, Any]
Updates = Sequence[tuple[Values, Values]]

UNUSABLE_PASSWORD = "!"  # never a valid argon2 hash: imported staff set a password before logging in
IMPORT_USERNAME = "history-import"


async def import_user_id() -> int:
    """The account imported records name as their author: inactive, no usable password, made on first use."""
    found = await ids_by("app_user", "username", [IMPORT_USERNAME])
    if IMPORT_USERNAME not in found:
        await execute_many(
            "INSERT INTO app_user (display_name, role, is_management, is_active, username, "
            "password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    "History import",
                    Role.AUDITOR.value,
                    False,
                    False,
                    IMPORT_USERNAME,
                    UNUSABLE_PASSWORD,
                    clock.now(),
                )
            ],
        )
        found = await ids_by("app_user", "username", [IMPORT_USERNAME])
    return found[IMPORT_USERNAME]


async def load_regions(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Regions by code; `level` is already worked out; parents are set once every row exists."""
    await execute_many(
        "INSERT INTO region (code, name, parent, level, is_sales_region, service_class, origin) "
        "VALUES (?, ?, NULL, ?, ?, 'urban', ?)",
        [(v["code"], v["name"], v["level"], v["is_sales_region"], origin) for v in inserts],
    )
    await execute_many(
        "UPDATE region SET name = ?, level = ?, is_sales_region = ? WHERE code = ?",
        [(v["name"], v["level"], v["is_sales_region"], v["code"]) for v, _ in updates],
    )
    rows = [*inserts, *(v for v, _ in updates)]
    ids = await ids_by("region", "code", [v["parent_code"] for v in rows])
    await execute_many(
        "UPDATE region SET parent = ? WHERE code = ?",
        [(ids.get(v["parent_code"]), v["code"]) for v in rows],
    )


async def load_product_models(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    await execute_many(
        "INSERT INTO product_model (code, category, name, warranty_months, origin) VALUES (?, ?, ?, ?, ?)",
        [(v["code"], v["category"], v["name"], v["warranty_months"], origin) for v in inserts],
    )
    await execute_many(
        "UPDATE product_model SET category = ?, name = ?, warranty_months = ? WHERE code = ?",
        [(v["category"], v["name"], v["warranty_months"], v["code"]) for v, _ in updates],
    )


async def load_customers(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Customers by code with their primary phone (a changed phone replaces the one stored)."""
    rows = [*inserts, *(v for v, _ in updates)]
    regions = await ids_by("region", "code", [v["region_code"] for v in rows])
    now = clock.now()
    new_ids = await allocate_ids("customer", len(inserts))
    await execute_many(
        "INSERT INTO customer (id, name, address, region, created_at, code, origin) "
        "VALUES (?, ?, '', ?, ?, ?, ?)",
        [
            (id_, v["name"], regions[v["region_code"]], now, v["code"], origin)
            for id_, v in zip(new_ids, inserts, strict=True)
        ],
    )
    remember_ids("customer", "code", zip([v["code"] for v in inserts], new_ids, strict=True))
    await execute_many(
        "UPDATE customer SET name = ?, region = ? WHERE code = ?",
        [(v["name"], regions[v["region_code"]], v["code"]) for v, _ in updates],
    )
    customers = await ids_by("customer", "code", [v["code"] for v in rows])
    new_phones = [(customers[v["code"]], v["phone"]) for v in inserts]
    changed = [(v, current) for v, current in updates if v["phone"] != current["phone"]]
    new_phones += [(customers[v["code"]], v["phone"]) for v, current in changed if current["phone"] is None]
    await execute_many(
        "INSERT INTO customer_phone (customer, phone, is_primary) VALUES (?, ?, ?)",
        [(customer, phone, True) for customer, phone in new_phones],
    )
    await execute_many(
        "UPDATE customer_phone SET phone = ? WHERE customer = ? AND phone = ?",
        [(v["phone"], customers[v["code"]], current["phone"]) for v, current in changed if current["phone"]],
    )


async def load_units(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Units by serial number (`serial_no`), with their model and customer by code."""
    rows = [*inserts, *(v for v, _ in updates)]
    models = await ids_by("product_model", "code", [v["model_code"] for v in rows])
    customers = await ids_by("customer", "code", [v["customer_code"] for v in rows])

    def params(v: Values) -> tuple[Any, ...]:
        return (models[v["model_code"]], customers[v["customer_code"]], v["purchased_on"], v["installed_on"])

    new_ids = await allocate_ids("unit", len(inserts))
    await execute_many(
        "INSERT INTO unit (id, model, customer, purchase_date, install_date, serial_number, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(id_, *params(v), v["serial_no"], origin) for id_, v in zip(new_ids, inserts, strict=True)],
    )
    remember_ids("unit", "serial_number", zip([v["serial_no"] for v in inserts], new_ids, strict=True))
    await execute_many(
        "UPDATE unit SET model = ?, customer = ?, purchase_date = ?, install_date = ? "
        "WHERE serial_number = ?",
        [(*params(v), v["serial_no"]) for v, _ in updates],
    )


def _staff_params(v: Values) -> tuple[Any, ...]:
    return (v["name"], v["role"], v["hired_on"], v["left_on"], v["is_management"], v["left_on"] is None)


async def load_staff(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Users by username (`code`); new ones cannot log in until given a password."""
    now = clock.now()
    await execute_many(
        "INSERT INTO app_user (display_name, role, hired_on, left_on, is_management, is_active, "
        "username, password_hash, created_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*_staff_params(v), v["code"], UNUSABLE_PASSWORD, now, origin) for v in inserts],
    )
    await execute_many(
        "UPDATE app_user SET display_name = ?, role = ?, hired_on = ?, left_on = ?, is_management = ?, "
        "is_active = ? WHERE username = ?",
        [(*_staff_params(v), v["code"]) for v, _ in updates],
    )
