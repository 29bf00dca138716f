"""The core's own files of a history bundle: regions, product models, customers, units, staff.

Each file's rows are written by the core's bulk loads (`service_ops.bulk_load`); staff
`outlet_code` is where a person works: an outlets membership, written by the outlets domain's bulk
load (`outlets.bulk_load.load_memberships`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from audit_export.history.loaders import bulk_write, check_serial
from audit_export.history.spec import (
    Column,
    FileSpec,
    FileWork,
    Key,
    Problem,
    Reference,
    Row,
    RowProblems,
    Values,
    register_file_spec,
)
from outlets import bulk_load as outlets_bulk_load
from service_ops import bulk_load
from service_ops.bulk import select_in
from service_ops.choices import ProductCategory, RegionLevel, Role
from service_ops.errors import N_, Invalid
from service_ops.validation import normalise_phone


def _by_key(rows: list[dict[str, Any]], key: str) -> dict[Key, Values]:
    return {(row[key],): row for row in rows}


# regions.csv ------------------------------------------------------------------------------------

_NEXT_LEVEL = {RegionLevel.PROVINCE: RegionLevel.CITY, RegionLevel.CITY: RegionLevel.COUNTY}


async def _existing_regions(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await select_in(
        "SELECT r.code, r.name, p.code AS parent_code, r.is_sales_region FROM region r "
        "LEFT JOIN region p ON p.id = r.parent WHERE r.code IN ({values})",
        [key[0] for key in keys],
    )
    return _by_key(rows, "code")


def _check_region(values: Values) -> RowProblems:
    if values["parent_code"] == values["code"]:
        yield "parent_code", N_("A region cannot be its own parent."), {}


async def _region_levels(rows: list[Row], _plan: Any) -> list[Problem]:
    """No cycles through parents; each row's level follows from its parent (province → city → county)."""
    parents: dict[str, str | None] = {}
    levels: dict[str, str] = {}
    wanted = {row.values["parent_code"] for row in rows} - {None}
    while wanted:  # the database ancestors of the bundle's parents, one level per query
        found = await select_in(
            "SELECT r.code, r.level, p.code AS parent_code FROM region r "
            "LEFT JOIN region p ON p.id = r.parent WHERE r.code IN ({values})",
            wanted,
        )
        parents.update({row["code"]: row["parent_code"] for row in found})
        levels.update({row["code"]: row["level"] for row in found})
        wanted = {row["parent_code"] for row in found} - {None} - set(parents)
    in_bundle = {row.values["code"]: row.values["parent_code"] for row in rows}
    parents.update(in_bundle)
    problems = []
    for row in rows:
        seen: list[str] = []
        code: str | None = row.values["code"]
        while code is not None and code not in seen:
            seen.append(code)
            code = parents.get(code)
        if code is not None:
            problems.append(Problem("regions.csv", row.line, "parent_code", N_("Regions form a cycle.")))
    if problems:
        return problems

    def level_of(code: str) -> RegionLevel:
        if code not in in_bundle:
            return RegionLevel(levels.get(code, RegionLevel.PROVINCE))
        parent = in_bundle[code]
        if parent is None:
            return RegionLevel.PROVINCE
        return _NEXT_LEVEL.get(level_of(parent), RegionLevel.COUNTY)

    for row in rows:
        row.values["level"] = level_of(row.values["code"]).value
    return problems


register_file_spec(
    FileSpec(
        name="regions.csv",
        columns=(
            Column("code", required=True, max_length=12),
            Column("name", required=True, max_length=100),
            Column("parent_code", max_length=12),
            Column("is_sales_region", "bool", default=False),
        ),
        key=("code",),
        load_existing=_existing_regions,
        write=bulk_write(bulk_load.load_regions),
        references=(Reference("parent_code", "regions.csv"),),
        validate_row=_check_region,
        validate_file=_region_levels,
    )
)


# product_models.csv -----------------------------------------------------------------------------


async def _existing_models(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await select_in(
        "SELECT code, category, name, warranty_months FROM product_model WHERE code IN ({values})",
        [key[0] for key in keys],
    )
    return _by_key(rows, "code")


register_file_spec(
    FileSpec(
        name="product_models.csv",
        columns=(
            Column("code", required=True, max_length=40, case="upper"),
            Column("category", required=True, choices=tuple(ProductCategory)),
            Column("name", required=True, max_length=100),
            Column("warranty_months", "int", required=True, minimum=0, maximum=240),
        ),
        key=("code",),
        load_existing=_existing_models,
        write=bulk_write(bulk_load.load_product_models),
    )
)


# customers.csv ----------------------------------------------------------------------------------


async def _existing_customers(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await select_in(
        "SELECT c.code, c.name, r.code AS region_code, (SELECT p.phone FROM customer_phone p "
        "WHERE p.customer = c.id ORDER BY p.is_primary DESC, p.id LIMIT 1) AS phone "
        "FROM customer c JOIN region r ON r.id = c.region WHERE c.code IN ({values})",
        [key[0] for key in keys],
    )
    return _by_key(rows, "code")


def _check_customer(values: Values) -> RowProblems:
    try:
        values["phone"] = normalise_phone(values["phone"])
    except Invalid as error:
        yield "phone", error.message, {k: v for k, v in error.params.items() if k != "field"}


register_file_spec(
    FileSpec(
        name="customers.csv",
        columns=(
            Column("code", required=True, max_length=40),
            Column("name", required=True, max_length=100),
            Column("phone", required=True, max_length=40),
            Column("region_code", required=True, max_length=12),
        ),
        key=("code",),
        load_existing=_existing_customers,
        table="customer",
        write=bulk_write(bulk_load.load_customers),
        references=(Reference("region_code", "regions.csv"),),
        validate_row=_check_customer,
    )
)


# units.csv --------------------------------------------------------------------------------------


async def _existing_units(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await select_in(
        "SELECT u.serial_number AS serial_no, m.code AS model_code, c.code AS customer_code, "
        "u.purchase_date AS purchased_on, u.install_date AS installed_on FROM unit u "
        "JOIN product_model m ON m.id = u.model JOIN customer c ON c.id = u.customer "
        "WHERE u.serial_number IN ({values})",
        [key[0] for key in keys],
    )
    return _by_key(rows, "serial_no")


def _check_unit(values: Values) -> RowProblems:
    yield from check_serial(values, "serial_no")
    installed, purchased = values["installed_on"], values["purchased_on"]
    if installed is not None and installed < purchased:
        yield "installed_on", N_("The install date cannot be before the purchase date."), {}


register_file_spec(
    FileSpec(
        name="units.csv",
        columns=(
            Column("serial_no", required=True, max_length=40, case="upper"),
            Column("model_code", required=True, max_length=40, case="upper"),
            Column("customer_code", required=True, max_length=40),
            Column("purchased_on", "date", required=True),
            Column("installed_on", "date"),
        ),
        key=("serial_no",),
        load_existing=_existing_units,
        table="unit",
        write=bulk_write(bulk_load.load_units),
        references=(
            Reference("model_code", "product_models.csv"),
            Reference("customer_code", "customers.csv"),
        ),
        validate_row=_check_unit,
    )
)


# staff.csv --------------------------------------------------------------------------------------


async def _existing_staff(keys: Sequence[Key]) -> dict[Key, Values]:
    rows = await select_in(
        "SELECT username AS code, display_name AS name, role, hired_on, left_on, is_management "
        "FROM app_user WHERE username IN ({values})",
        [key[0] for key in keys],
    )
    outlets = await outlets_bulk_load.existing_memberships([row["code"] for row in rows])
    for row in rows:
        row["outlet_code"] = outlets.get(row["code"])
    return _by_key(rows, "code")


def _check_staff(values: Values) -> RowProblems:
    hired, left = values["hired_on"], values["left_on"]
    if hired is not None and left is not None and left < hired:
        yield "left_on", N_("The leaving date cannot be before the hiring date."), {}


async def _write_staff(work: FileWork, origin: str) -> None:
    """The users, then where each works (their imported outlet membership)."""
    await bulk_write(bulk_load.load_staff)(work, origin)
    await outlets_bulk_load.load_memberships(
        [
            {
                "username": v["code"],
                "outlet_code": v["outlet_code"],
                "since": v["hired_on"],
                "until": v["left_on"],
                "is_manager": v["role"] == Role.OUTLET_MANAGER,
            }
            for v in [*(row.values for row in work.inserts), *(row.values for row, _ in work.updates)]
        ],
        origin,
    )


register_file_spec(
    FileSpec(
        name="staff.csv",
        columns=(
            Column("code", required=True, max_length=64, case="lower"),
            Column("name", required=True, max_length=100),
            Column("role", required=True, choices=tuple(Role)),
            Column("outlet_code", max_length=20, case="upper"),
            Column("hired_on", "date"),
            Column("left_on", "date"),
            Column("is_management", "bool", default=False),
        ),
        key=("code",),
        load_existing=_existing_staff,
        write=_write_staff,
        references=(Reference("outlet_code", "outlets.csv"),),
        validate_row=_check_staff,
    )
)
