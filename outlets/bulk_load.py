"""Bulk loads for the history import: outlets (with coverage and categories) and memberships.

The functions take rows already validated (values by column name of the bundle's file) and the
origin (`import:<bundle sha256>`) and write with executemany inside the caller's open unit of work.
They record no audit event: the import records one for the whole bundle.

An outlet's `region_codes` lists its home region first, then the other regions it covers (sorted);
`categories` are sorted. A person's membership from staff.csv is the one the import manages (its
origin is set); a person without one is shown at the outlet of their latest open membership.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from service_ops import clock
from service_ops.bulk import execute_many, ids_by, select_in

Values = dict[str, Any]
Updates = Sequence[tuple[Values, Values]]


def region_list(codes: Sequence[str]) -> list[str]:
    """The stored order of an outlet's regions: the home region (the first given), then the rest sorted."""
    distinct = list(dict.fromkeys(codes))
    return distinct[:1] + sorted(distinct[1:])


async def existing_outlets(codes: Collection[str]) -> dict[str, Values]:
    """Outlets among `codes` as outlets.csv values (code, name, kind, region_codes, …)."""
    rows = await select_in(
        "SELECT o.id, o.code, o.name, o.kind, r.code AS home, o.daily_capacity, o.is_active AS active, "
        "o.agreement_expires FROM outlet o LEFT JOIN region r ON r.id = o.region WHERE o.code IN ({values})",
        codes,
    )
    ids = [row["id"] for row in rows]
    coverage: dict[int, set[str]] = {}
    for row in await select_in(
        "SELECT c.outlet, r.code FROM outlet_coverage c JOIN region r ON r.id = c.region "
        "WHERE c.outlet IN ({values})",
        ids,
    ):
        coverage.setdefault(row["outlet"], set()).add(row["code"])
    categories: dict[int, list[str]] = {}
    for row in await select_in(
        "SELECT outlet, category FROM outlet_category WHERE outlet IN ({values})", ids
    ):
        categories.setdefault(row["outlet"], []).append(row["category"])
    found = {}
    for row in rows:
        outlet = row.pop("id")
        home = row.pop("home")
        others = sorted(coverage.get(outlet, set()) - {home})
        row["region_codes"] = ([home] if home else []) + others
        row["categories"] = sorted(categories.get(outlet, []))
        row["active"] = bool(row["active"])
        found[row["code"]] = row
    return found


async def load_outlets(inserts: Sequence[Values], updates: Updates, origin: str) -> None:
    """Outlets by code; the first of `region_codes` is the home region, all of them the coverage."""
    rows = [*inserts, *(v for v, _ in updates)]
    regions = await ids_by("region", "code", [code for v in rows for code in v["region_codes"]])

    def params(v: Values) -> tuple[Any, ...]:
        home = regions[v["region_codes"][0]]
        return (v["name"], v["kind"], home, v["daily_capacity"], v["active"], v["agreement_expires"])

    await execute_many(
        "INSERT INTO outlet (name, kind, region, daily_capacity, is_active, agreement_expires, "
        "code, address, origin) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)",
        [(*params(v), v["code"], origin) for v in inserts],
    )
    await execute_many(
        "UPDATE outlet SET name = ?, kind = ?, region = ?, daily_capacity = ?, is_active = ?, "
        "agreement_expires = ? WHERE code = ?",
        [(*params(v), v["code"]) for v, _ in updates],
    )
    outlets = await ids_by("outlet", "code", [v["code"] for v in rows])
    wanted_regions = {(outlets[v["code"]], regions[code]) for v in rows for code in v["region_codes"]}
    wanted_categories = {(outlets[v["code"]], category) for v in rows for category in v["categories"]}
    await _replace_pairs("outlet_coverage", "region", set(outlets.values()), wanted_regions)
    await _replace_pairs("outlet_category", "category", set(outlets.values()), wanted_categories)


async def _replace_pairs(table: str, column: str, outlets: set[int], wanted: set[tuple[int, Any]]) -> None:
    have = {
        (row["outlet"], row["value"])
        for row in await select_in(
            f"SELECT outlet, {column} AS value FROM {table} WHERE outlet IN ({{values}})", outlets
        )
    }
    await execute_many(f"DELETE FROM {table} WHERE outlet = ? AND {column} = ?", sorted(have - wanted))
    await execute_many(f"INSERT INTO {table} (outlet, {column}) VALUES (?, ?)", sorted(wanted - have))


async def existing_memberships(usernames: Collection[str]) -> dict[str, str]:
    """Username → outlet code of the membership staff.csv stands for (imported, else latest open one)."""
    rows = await select_in(
        'SELECT u.username, o.code, m.origin FROM outlet_membership m JOIN app_user u ON u.id = m."user" '
        "JOIN outlet o ON o.id = m.outlet WHERE (m.origin IS NOT NULL OR m.until IS NULL) "
        "AND u.username IN ({values}) ORDER BY m.id",
        usernames,
    )
    found: dict[str, str] = {}
    for row in sorted(rows, key=lambda row: row["origin"] is not None):  # imported last: they win
        found[row["username"]] = row["code"]
    return found


async def load_memberships(rows: Sequence[Values], origin: str) -> None:
    """Each row (username, outlet_code, since, until, is_manager) sets the person's imported membership.

    A blank `outlet_code` removes the imported membership; an open membership the person already
    has at that outlet stands for it (nothing is added); `since` blank keeps the date stored (today
    for a new one).
    """
    users = await ids_by("app_user", "username", [v["username"] for v in rows])
    imported = {
        row["user"]: row
        for row in await select_in(
            'SELECT m."user", m.outlet FROM outlet_membership m WHERE m.origin IS NOT NULL '
            'AND m."user" IN ({values})',
            users.values(),
        )
    }
    open_at = {
        (row["user"], row["outlet"])
        for row in await select_in(
            'SELECT m."user", m.outlet FROM outlet_membership m WHERE m.origin IS NULL AND m.until IS NULL '
            'AND m."user" IN ({values})',
            users.values(),
        )
    }
    outlets = await ids_by("outlet", "code", [v["outlet_code"] for v in rows])
    today: date = clock.today()
    deletes, updates, inserts = [], [], []
    for v in rows:
        user = users[v["username"]]
        if v["outlet_code"] is None:
            if user in imported:
                deletes.append((user,))
            continue
        outlet = outlets[v["outlet_code"]]
        if user in imported:
            updates.append((outlet, v["since"], v["until"], v["is_manager"], user))
        elif (user, outlet) not in open_at:
            inserts.append((outlet, user, v["since"] or today, v["until"], v["is_manager"], origin))
    await execute_many('DELETE FROM outlet_membership WHERE "user" = ? AND origin IS NOT NULL', deletes)
    await execute_many(
        "UPDATE outlet_membership SET outlet = ?, since = COALESCE(?, since), until = ?, is_manager = ? "
        'WHERE "user" = ? AND origin IS NOT NULL',
        updates,
    )
    await execute_many(
        'INSERT INTO outlet_membership (outlet, "user", since, until, is_manager, origin) '
        "VALUES (?, ?, ?, ?, ?, ?)",
        inserts,
    )
