"""Training: courses and the roles they are required for, sessions, attendance and certificates."""

from __future__ import annotations

from typing import Any

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


def _user_reference(**extra: Any) -> ForeignKey[Any]:
    return ForeignKey(
        references=LazyTableReference("User", module_path="service_ops.tables"),
        index=True,
        on_delete=OnDelete.restrict,
        **extra,
    )


class Course(Table):
    """A course (课程); passing it earns a certificate that may qualify for a product category."""

    id: Serial

    code = Varchar(length=20, unique=True, help_text="Short code, e.g. AC-INST")
    title = Varchar(length=100)
    hours = Numeric(digits=(6, 1), help_text="Nominal length in hours")
    category = Varchar(
        length=32, null=True, default=None, index=True, help_text="Product category it qualifies for"
    )
    validity_months = Integer(null=True, default=None, help_text="Certificate validity; blank: no expiry")
    pass_mark = Integer(null=True, default=60, help_text="Exam pass mark (0–100); blank: attending passes")
    is_service_manager_cert = Boolean(default=False, help_text="Certifies a 售后服务管理师")
    is_active = Boolean(default=True)
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")

    @classmethod
    def get_readable(cls):  # type: ignore[no-untyped-def]
        from piccolo.columns.readable import Readable

        return Readable(template="%s %s", columns=[cls.code, cls.title])


class CourseRole(Table):
    """A role whose holders must have passed the course (e.g. technicians: 空调安装维修上岗证).

    Unique (course, role): a hand-written index in the migrations (SQLite cannot add constraints).
    """

    id: Serial

    course = ForeignKey(references=Course, index=True, on_delete=OnDelete.restrict)
    role = Varchar(length=32, index=True, help_text="service_ops Role value")


class TrainingSession(Table, tablename="training_session"):
    """One run of a course (场次): when, how long, who teaches, where."""

    id: Serial

    course = ForeignKey(references=Course, index=True, on_delete=OnDelete.restrict)
    starts_at = Timestamptz(index=True)
    hours = Numeric(digits=(6, 1), help_text="Hours actually taught")
    trainer: ForeignKey[Any] = _user_reference()
    place = Varchar(length=200)
    created_at = Timestamptz(default=TimestamptzNow())
    cost_fen = BigInt(null=True, default=None, help_text="What it costs the service fund, in fen")
    code = Varchar(
        length=40, null=True, default=None, help_text="Natural key of an imported session (unique when set)"
    )
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class Attendance(Table):
    """A person's roll-call line for a session (签到): attended, exam score, passed.

    Unique (session, user): a hand-written index in the migrations; a re-recorded result updates the line.
    """

    id: Serial

    session = ForeignKey(references=TrainingSession, index=True, on_delete=OnDelete.restrict)
    user: ForeignKey[Any] = _user_reference()
    attended = Boolean(default=False)
    score = Numeric(digits=(5, 1), null=True, default=None, help_text="Exam score 0–100")
    passed = Boolean(default=False)
    recorded_at = Timestamptz(default=TimestamptzNow())
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")


class Certificate(Table):
    """A qualification certificate (上岗证 / 资格证书): issued on a pass, or external with a scan."""

    id: Serial

    number = Varchar(length=40, unique=True)
    user: ForeignKey[Any] = _user_reference()
    course = ForeignKey(references=Course, index=True, on_delete=OnDelete.restrict)
    issued_on = Date()
    expires_on = Date(null=True, default=None, index=True, help_text="Last valid day; blank: no expiry")
    is_external = Boolean(default=False)
    issuer = Varchar(length=100, null=True, default=None, help_text="Issuing body of an external certificate")
    attendance = ForeignKey(
        references=Attendance,
        null=True,
        default=None,
        unique=True,
        on_delete=OnDelete.restrict,
        help_text="The pass it was issued for (one certificate per pass)",
    )
    scan_path = Varchar(length=255, null=True, default=None, help_text="Relative to the data folder")
    scan_sha256 = Varchar(length=64, null=True, default=None)
    revoked_on = Date(null=True, default=None)
    revoke_reason = Text(null=True, default=None)
    origin = Varchar(length=80, null=True, default=None, help_text="import:<bundle sha256> when imported")
