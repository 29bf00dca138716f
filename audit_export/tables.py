"""audit_export's own records: KPI/score snapshots, score sheets, auditor findings, samples,
evidence packs and history-import jobs. Every other domain's tables are only read here."""

from __future__ import annotations

from typing import Any

from piccolo.columns import BigInt, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


def _user(**extra: Any) -> ForeignKey[Any]:
    return ForeignKey(
        references=LazyTableReference("User", module_path="service_ops.tables"),
        index=True,
        on_delete=OnDelete.restrict,
        **extra,
    )


class KpiSnapshot(Table, tablename="kpi_snapshot"):
    """The KPIs and score of a period as computed at `as_of` from the audit trail up to `audit_seq`.

    `kind` is `live` (the periodic job; the latest per period is what the dashboard shows) or
    `frozen` (month close: at most one per period, a partial unique index; never rewritten — a
    later correction shows as a difference against it).
    """

    id: Serial

    kind = Varchar(length=8, index=True, help_text="live / frozen")
    period_from = Date(index=True)
    period_to = Date(help_text="Exclusive end of the half-open period")
    as_of = Timestamptz()
    rubric_version = Varchar(length=80)
    score_sheet_version = Integer(null=True, default=None, help_text="None: the rubric's own weights")
    audit_seq = BigInt(help_text="Last audit event (not export bookkeeping) the figures saw")
    audit_hash = Varchar(length=64)
    kpis = Text(help_text="Canonical JSON: {code: {value, numerator, denominator}} for the organisation")
    by_outlet = Text(default="{}", help_text="Canonical JSON: {outlet_code: {code: figure}}")
    items = Text(default="{}", help_text="Canonical JSON of the scored rubric items")
    score = Varchar(length=12, null=True, default=None, help_text="Decimal string, 2 places")
    grade = Varchar(length=16, null=True, default=None, help_text="One of the rubric's grade labels")
    created_at = Timestamptz(default=TimestamptzNow())
    created_by: ForeignKey[Any] = _user(null=True, default=None)


class ScoreSheet(Table, tablename="score_sheet"):
    """A certifier's score sheet (weights per rubric item), loaded from YAML or XLSX; versioned.

    The highest version is in force; older versions stay so a snapshot can name the one it used.
    """

    id: Serial

    version = Integer(unique=True)
    name = Varchar(length=200)
    source_format = Varchar(length=8, help_text="yaml / xlsx")
    filename = Varchar(length=200)
    sha256 = Varchar(length=64)
    weights = Text(help_text="Canonical JSON: {item_code: weight}")
    grade_scheme = Varchar(length=4, default="A", help_text="A / B (rubric grade_schemes)")
    loaded_at = Timestamptz(default=TimestamptzNow())
    loaded_by: ForeignKey[Any] = _user()


class AuditFinding(Table, tablename="audit_finding"):
    """What an auditor recorded against the rubric: a nonconformity on an item, a special deduction,
    the special bonus, or an item marked (not) applicable. Withdrawn, never deleted."""

    id: Serial

    kind = Varchar(
        length=24, index=True, help_text="nonconformity / special_deduction / special_bonus / not_applicable"
    )
    item_code = Varchar(length=20, null=True, default=None, index=True)
    note = Text(default="")
    recorded_at = Timestamptz(default=TimestamptzNow())
    recorded_by: ForeignKey[Any] = _user()
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_by: ForeignKey[Any] = _user(null=True, default=None)
    withdraw_reason = Text(null=True, default=None)


class AuditSample(Table, tablename="audit_sample"):
    """A reproducible random sample (seeded, optionally stratified) of records of one kind."""

    id: Serial

    entity = Varchar(length=20, help_text="ticket / work_order / complaint")
    item_code = Varchar(length=20, null=True, default=None, help_text="The rubric item it evidences")
    period_from = Date()
    period_to = Date()
    seed = BigInt()
    stratify_by = Varchar(length=12, default="none", help_text="none / outlet / category")
    size = Integer()
    population = Integer(help_text="Records the sample was drawn from")
    drawn_at = Timestamptz(default=TimestamptzNow())
    drawn_by: ForeignKey[Any] = _user()


class AuditSampleCase(Table, tablename="audit_sample_case"):
    """One drawn record of a sample and the auditor's verdict on its case file."""

    id: Serial

    sample = ForeignKey(references=AuditSample, index=True, on_delete=OnDelete.cascade)
    position = Integer(help_text="1-based order of the draw")
    entity_id = Integer()
    stratum = Varchar(length=80, default="")
    result = Varchar(length=8, null=True, default=None, help_text="pass / fail; None until checked")
    note = Text(default="")
    checked_at = Timestamptz(null=True, default=None)
    checked_by: ForeignKey[Any] = _user(null=True, default=None)


class EvidencePack(Table, tablename="evidence_pack"):
    """An evidence pack export: a background job with progress, then a published file.

    At most one pack per period is queued or running (a partial unique index): a second request
    waits on the first. The file appears under the data folder only once complete.
    """

    id: Serial

    period_from = Date()
    period_to = Date()
    as_of = Timestamptz()
    status = Varchar(length=10, index=True, help_text="queued / running / done / failed")
    progress = Integer(default=0, help_text="0–100")
    stage = Varchar(length=120, default="")
    file_path = Varchar(length=255, null=True, default=None, help_text="Relative to the data folder")
    sha256 = Varchar(length=64, null=True, default=None)
    size_bytes = BigInt(null=True, default=None)
    error = Text(null=True, default=None)
    requested_at = Timestamptz(default=TimestamptzNow())
    requested_by: ForeignKey[Any] = _user()
    finished_at = Timestamptz(null=True, default=None)


class HistoryImportJob(Table, tablename="history_import_job"):
    """A history bundle uploaded on the admin page and imported by a background job."""

    id: Serial

    filename = Varchar(length=200)
    file_path = Varchar(length=255, help_text="The uploaded bundle, relative to the data folder")
    sha256 = Varchar(length=64)
    size_bytes = BigInt()
    status = Varchar(length=10, index=True, help_text="queued / running / done / failed")
    progress = Integer(default=0, help_text="0–100")
    stage = Varchar(length=120, default="")
    problems = Text(default="[]", help_text="JSON list of 'file:line: column: message' strings")
    summary = Text(default="{}", help_text="JSON: rows per file inserted / corrected / unchanged")
    requested_at = Timestamptz(default=TimestamptzNow())
    requested_by: ForeignKey[Any] = _user()
    finished_at = Timestamptz(null=True, default=None)
