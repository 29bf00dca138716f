"""What goes into a pack besides the figures: the audit head, the current controlled documents,
the registers of the period and the sampling results — read-only, by plain selects ordered by id
(other domains' tables are only read here), written straight to the staging folder."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from audit_export.pack.csvfile import write_csv
from audit_export.pack.manifest import AuditHead
from audit_export.pack.writer import Staging
from audit_export.period import Period
from audit_export.watermark import audit_watermark
from service_ops.documents import files as document_files
from service_ops.documents import queries as documents
from service_ops.errors import N_
from service_ops.tables import AuditEvent

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class Register:
    """A register exported as registers/<name>.csv: rows whose `date_column` falls in the period."""

    name: str
    table: str
    date_column: str
    title: str


@dataclass(frozen=True)
class Listed:
    """A file of the pack as index.html lists it."""

    path: str
    label: str
    rows: int | None = None


REGISTERS = (
    Register("corrective_actions", "corrective_action", "opened_on", N_("Corrective actions")),
    Register("complaints", "complaint", "received_at", N_("Complaints")),
    Register("management_reviews", "management_review", "held_on", N_("Management reviews")),
    Register("service_targets", "service_target", "period_from", N_("Service targets")),
    Register("rewards_penalties", "reward_penalty", "decided_on", N_("Rewards and penalties")),
    Register("outlet_inspections", "outlet_inspection", "inspected_on", N_("Outlet inspections")),
    Register("fund_entries", "fund_entry", "posted_on", N_("Service fund entries")),
)
SAMPLE_COLUMNS = (
    "id", "entity", "item_code", "period_from", "period_to", "seed", "stratify_by", "size", "population",
    "drawn_at", "drawn_by",
)  # fmt: skip
CASE_COLUMNS = ("sample", "position", "entity_id", "stratum", "result", "note", "checked_at", "checked_by")


async def audit_head() -> AuditHead:
    """The last audit event that is not export or snapshot bookkeeping (audit_export.watermark)."""
    seq, hash_ = await audit_watermark()
    return AuditHead(seq=seq, hash=hash_)


def safe_name(name: str) -> str:
    """A file name usable on any system (separators and control characters replaced)."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned or "file"


async def write_documents(staging: Staging) -> list[Listed]:
    """documents/<kind>/<file>: every kind's current version (one per kind)."""
    listed = []
    for current in await documents.current_documents():
        document = current.document
        if document is None:
            continue
        relative, _media_type, filename = await documents.document_file(document.id)
        name = f"documents/{current.kind.value}/{safe_name(filename)}"
        await asyncio.to_thread(shutil.copyfile, document_files.stored_file(relative), staging.path(name))
        listed.append(Listed(name, f"{document.title} {document.version}"))
    return listed


async def _select(sql: str, *args: Any) -> tuple[list[str], list[Sequence[Any]]]:
    rows = await AuditEvent.raw(sql, *args)
    columns = list(rows[0].keys()) if rows else []
    return columns, [tuple(row.values()) for row in rows]


async def _table_columns(table: str) -> list[str]:
    """Column names in table order (for the header of an empty register)."""
    if AuditEvent._meta.db.engine_type == "postgres":
        rows = await AuditEvent.raw(
            "SELECT column_name AS name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = {} ORDER BY ordinal_position",
            table,
        )
    else:
        rows = await AuditEvent.raw("SELECT name FROM pragma_table_info({}) ORDER BY cid", table)
    return [str(row["name"]) for row in rows]


async def register_rows(register: Register, period: Period) -> tuple[list[str], list[Sequence[Any]]]:
    """The register's rows in the period (a time column compares against the period's moments)."""
    columns = await _table_columns(register.table)
    if register.date_column not in columns:
        return columns, []
    timed = register.date_column.endswith("_at")
    start, end = (
        (period.start_at.astimezone(UTC), period.end_at.astimezone(UTC))
        if timed
        else (period.start, period.end)
    )
    select = ", ".join(f'"{column}"' for column in columns)
    sql = (
        f'SELECT {select} FROM "{register.table}" WHERE "{register.date_column}" >= {{}} '
        f'AND "{register.date_column}" < {{}} ORDER BY id'
    )
    _names, rows = await _select(sql, start, end)
    return columns, rows


async def write_registers(staging: Staging, period: Period) -> list[Listed]:
    listed = []
    for register in REGISTERS:
        columns, rows = await register_rows(register, period)
        name = f"registers/{register.name}.csv"
        await asyncio.to_thread(write_csv, staging.path(name), columns, rows)
        listed.append(Listed(name, register.title, len(rows)))
    return listed


async def write_samples(staging: Staging, period: Period) -> list[Listed]:
    """samples/samples.csv and samples/cases.csv: samples drawn for a period overlapping this one."""
    select = ", ".join(SAMPLE_COLUMNS)
    _names, samples = await _select(
        f"SELECT {select} FROM audit_sample WHERE period_from < {{}} AND period_to > {{}} ORDER BY id",
        period.end,
        period.start,
    )
    cases: list[Sequence[Any]] = []
    ids = [int(sample[0]) for sample in samples]
    if ids:
        placeholders = ", ".join("{}" for _ in ids)
        _names, cases = await _select(
            f"SELECT {', '.join(CASE_COLUMNS)} FROM audit_sample_case WHERE sample IN ({placeholders}) "
            "ORDER BY sample, position",
            *ids,
        )
    write_csv(staging.path("samples/samples.csv"), SAMPLE_COLUMNS, samples)
    write_csv(staging.path("samples/cases.csv"), CASE_COLUMNS, cases)
    return [
        Listed("samples/samples.csv", N_("Samples"), len(samples)),
        Listed("samples/cases.csv", N_("Sample cases"), len(cases)),
    ]
