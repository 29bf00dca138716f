"""The network and training files of a history bundle: outlets, courses, sessions, attendance, certificates.

Rows are written by the owning domain's bulk loads (`outlets.bulk_load`, `training.bulk_load`);
where a person works (staff.csv `outlet_code`) is written with staff.csv (see core_files).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from decimal import Decimal
from typing import Any

from audit_export.history.loaders import bulk_write
from audit_export.history.spec import (
    Column,
    FileSpec,
    Key,
    Reference,
    RowProblems,
    Values,
    register_file_spec,
)
from outlets import bulk_load as outlets
from outlets.checks import MAX_CAPACITY, OUTLET_KINDS
from service_ops.choices import ProductCategory, Role
from service_ops.errors import N_
from training import bulk_load as training

MAX_HOURS = Decimal("99999.9")  # course and session hours: numeric(6, 1)


def _by_single_key(
    load: Callable[[Collection[Any]], Awaitable[dict[Any, Values]]],
) -> Callable[[Sequence[Key]], Awaitable[dict[Key, Values]]]:
    async def load_existing(keys: Sequence[Key]) -> dict[Key, Values]:
        found = await load([key[0] for key in keys])
        return {(value,): row for value, row in found.items()}

    return load_existing


def _check_hours(values: Values) -> RowProblems:
    hours = values["hours"]
    if hours <= 0 or hours > MAX_HOURS:
        yield "hours", N_("Hours must be more than 0 and at most {max}."), {"max": str(MAX_HOURS)}
    elif hours != round(hours, 1):
        yield "hours", N_("Hours have at most one decimal place."), {}


def _distinct_sorted(values: list[str] | None) -> list[str]:
    return sorted(set(values or []))


# outlets.csv ------------------------------------------------------------------------------------


def _check_outlet(values: Values) -> RowProblems:
    values["region_codes"] = outlets.region_list(values["region_codes"])
    values["categories"] = _distinct_sorted(values["categories"])
    return ()


register_file_spec(
    FileSpec(
        name="outlets.csv",
        columns=(
            Column("code", required=True, max_length=20, case="upper"),
            Column("name", required=True, max_length=100),
            Column("kind", required=True, choices=OUTLET_KINDS),
            Column("region_codes", "list", required=True, max_length=12),
            Column("categories", "list", choices=tuple(ProductCategory)),
            Column("daily_capacity", "int", required=True, minimum=1, maximum=MAX_CAPACITY),
            Column("active", "bool", default=True),
            Column("agreement_expires", "date"),
        ),
        key=("code",),
        load_existing=_by_single_key(outlets.existing_outlets),
        write=bulk_write(outlets.load_outlets),
        references=(Reference("region_codes", "regions.csv"),),
        validate_row=_check_outlet,
    )
)


# courses.csv ------------------------------------------------------------------------------------


def _check_course(values: Values) -> RowProblems:
    values["required_for_roles"] = _distinct_sorted(values["required_for_roles"])
    values["categories"] = _distinct_sorted(values["categories"])
    if len(values["categories"]) > 1:
        yield "categories", N_("A course qualifies for one product category at most."), {}
    yield from _check_hours(values)


register_file_spec(
    FileSpec(
        name="courses.csv",
        columns=(
            Column("code", required=True, max_length=20, case="upper"),
            Column("title", required=True, max_length=100),
            Column("hours", "decimal", required=True),
            Column("required_for_roles", "list", choices=tuple(Role)),
            Column("validity_months", "int", minimum=1, maximum=600),
            Column("is_service_manager_cert", "bool", default=False),
            Column("categories", "list", optional=True, choices=tuple(ProductCategory)),
        ),
        key=("code",),
        load_existing=_by_single_key(training.existing_courses),
        write=bulk_write(training.load_courses),
        validate_row=_check_course,
    )
)


# training_sessions.csv --------------------------------------------------------------------------


register_file_spec(
    FileSpec(
        name="training_sessions.csv",
        columns=(
            Column("code", required=True, max_length=40, case="upper"),
            Column("course_code", required=True, max_length=20, case="upper"),
            Column("starts_at", "ts", required=True),
            Column("hours", "decimal", required=True),
        ),
        key=("code",),
        load_existing=_by_single_key(training.existing_sessions),
        write=bulk_write(training.load_sessions),
        references=(Reference("course_code", "courses.csv"),),
        validate_row=_check_hours,
    )
)


# attendance.csv ---------------------------------------------------------------------------------


async def _existing_attendance(keys: Sequence[Key]) -> dict[Key, Values]:
    found = await training.existing_attendance([(key[0], key[1]) for key in keys])
    return dict(found)


register_file_spec(
    FileSpec(
        name="attendance.csv",
        columns=(
            Column("session_code", required=True, max_length=40, case="upper"),
            Column("staff_code", required=True, max_length=64, case="lower"),
            Column("attended", "bool", required=True),
            Column("exam_score", "int", minimum=0, maximum=100),
            Column("passed", "bool", required=True),
        ),
        key=("session_code", "staff_code"),
        load_existing=_existing_attendance,
        write=bulk_write(training.load_attendance),
        references=(
            Reference("session_code", "training_sessions.csv"),
            Reference("staff_code", "staff.csv"),
        ),
    )
)


# certificates.csv -------------------------------------------------------------------------------


def _check_certificate(values: Values) -> RowProblems:
    expires = values["expires_on"]
    if expires is not None and expires < values["issued_on"]:
        yield "expires_on", N_("A certificate cannot expire before it is issued."), {}


register_file_spec(
    FileSpec(
        name="certificates.csv",
        columns=(
            Column("number", required=True, max_length=40),
            Column("staff_code", required=True, max_length=64, case="lower"),
            Column("course_code", required=True, max_length=20, case="upper"),
            Column("issued_on", "date", required=True),
            Column("expires_on", "date"),
        ),
        key=("number",),
        load_existing=_by_single_key(training.existing_certificates),
        write=bulk_write(training.load_certificates),
        references=(Reference("staff_code", "staff.csv"), Reference("course_code", "courses.csv")),
        validate_row=_check_certificate,
    )
)
