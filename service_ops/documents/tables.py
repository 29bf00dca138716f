"""Controlled documents (versioned files with SHA-256) and the service-system registers:
service targets, management reviews, rewards and penalties."""

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


class ControlledDocument(Table):
    """One version of a controlled document (受控文件): the file, who approved it, when it is in force.

    Exactly one version per kind is `current` (a partial unique index in the migrations); the
    versions it replaced stay as `superseded`, pointing at their successor. Unique (kind, version).
    """

    id: Serial

    kind = Varchar(length=40, index=True, help_text="DocumentKind code, as in the rubric")
    title = Varchar(length=200)
    version = Varchar(length=20, help_text="As printed on the document, e.g. A/1 or 2026版")
    filename = Varchar(length=200, help_text="The uploaded file's name")
    media_type = Varchar(length=100)
    size_bytes = Integer()
    sha256 = Varchar(length=64, index=True)
    file_path = Varchar(length=255, help_text="Relative to the data folder")
    approver: ForeignKey[Any] = _user()
    approved_on = Date()
    effective_on = Date()
    status = Varchar(length=16, index=True, help_text="pending / current / superseded / retired")
    superseded_by: ForeignKey[Any] = ForeignKey(
        references="self", null=True, default=None, on_delete=OnDelete.restrict
    )
    superseded_on = Date(null=True, default=None)
    appointee: ForeignKey[Any] = _user(
        null=True, default=None, help_text="The person appointed (appointment kinds only)"
    )
    retired_on = Date(null=True, default=None)
    retire_reason = Text(null=True, default=None)
    registered_by: ForeignKey[Any] = _user(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    @classmethod
    def get_readable(cls):  # type: ignore[no-untyped-def]
        from piccolo.columns.readable import Readable

        return Readable(template="%s %s", columns=[cls.title, cls.version])


class ServiceTarget(Table):
    """A numbered service target (服务目标) for a KPI of kpis.md over a period: long, medium or annual."""

    id: Serial

    horizon = Varchar(length=16, index=True, help_text="long / medium / annual")
    period_from = Date()
    period_to = Date(help_text="Last day of the period")
    kpi_code = Varchar(length=60, index=True)
    target = Varchar(length=30, help_text="Operator and number, e.g. >=0.95")
    owner: ForeignKey[Any] = _user()
    note = Text(default="")
    created_by: ForeignKey[Any] = _user(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ManagementReview(Table):
    """A management review (管理评审) meeting: who attended, what it looked at, decided and set in motion."""

    id: Serial

    held_on = Date(index=True)
    attendees = Text(help_text="One person per line")
    inputs = Text()
    decisions = Text()
    actions = Text()
    created_by: ForeignKey[Any] = _user(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class RewardPenalty(Table):
    """A reward or penalty (奖惩) given to a person or an outlet. Never edited: a correction is a new
    record that `corrects` the old one, which then points at it through `corrected_by`."""

    id: Serial

    decided_on = Date(index=True)
    kind = Varchar(length=16, help_text="reward / penalty")
    person: ForeignKey[Any] = _user(null=True, default=None)
    outlet_id = Integer(
        null=True,
        default=None,
        index=True,
        help_text="The outlets domain's outlet (no foreign key across domains)",
    )
    subject_name = Varchar(length=200, help_text="Person or outlet as named when recorded")
    reason = Text()
    amount_fen = BigInt(
        null=True,
        default=None,
        help_text="Whole fen (1/100 yuan), exact on both engines; blank: not monetary",
    )
    corrects: ForeignKey[Any] = ForeignKey(
        references="self", null=True, default=None, on_delete=OnDelete.restrict
    )
    corrected_by: ForeignKey[Any] = ForeignKey(
        references="self", null=True, default=None, on_delete=OnDelete.restrict
    )
    created_by: ForeignKey[Any] = _user(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
