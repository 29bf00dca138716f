"""The writing half of `services.record_roll_call`: set-based, so 30 people cost a handful of queries.

These helpers run only inside the caller's unit of work (they refuse otherwise); the audit
events are recorded by the service function.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from piccolo.columns import Column

from service_ops import clock, numbering
from service_ops.errors import Conflict, Invalid
from service_ops.uow import current_unit_of_work
from training.schemas import RollCallEntry
from training.tables import Attendance, Certificate

MAX_LINES = 500
MAX_ID = 2_147_483_647  # a database integer


@dataclass(frozen=True)
class RollCallLine:
    user_id: int
    attended: bool
    score: Decimal | None
    passed: bool = False


def _score(entry: RollCallEntry) -> Decimal | None:
    if entry.score is None:
        return None
    if not (math.isfinite(entry.score) and 0 <= entry.score <= 100):
        raise Invalid("A score must be between 0 and 100 (got {score}).", field="score", score=entry.score)
    if not entry.attended:
        raise Invalid(
            "Person {id} has a score but is not marked as attended.", field="attended", id=entry.user_id
        )
    return Decimal(str(entry.score)).quantize(Decimal("0.1"))


RawEntry = RollCallEntry | tuple[int, bool, float | None]
"""A line as the schema, or as a plain (user id, attended, score or None) tuple."""


def _entry(raw: RawEntry) -> RollCallEntry:
    if isinstance(raw, RollCallEntry):
        return raw
    user_id, attended, score = raw
    return RollCallEntry(user_id=user_id, attended=attended, score=score)


def roll_call_lines(raw_entries: Sequence[RawEntry]) -> dict[int, RollCallLine]:
    """Validate every line before anything is written: one bad line refuses the whole roll call."""
    entries = [_entry(raw) for raw in raw_entries]
    if not entries:
        raise Invalid("The roll call lists nobody.", field="entries")
    if len(entries) > MAX_LINES:
        raise Invalid("A roll call lists at most {max} people.", field="entries", max=MAX_LINES)
    lines: dict[int, RollCallLine] = {}
    for entry in entries:
        if not 1 <= entry.user_id <= MAX_ID:
            raise Invalid("Unknown person {id}.", field="user_id", id=entry.user_id)
        if entry.user_id in lines:
            raise Invalid("Person {id} is listed twice.", field="entries", id=entry.user_id)
        lines[entry.user_id] = RollCallLine(entry.user_id, entry.attended, _score(entry))
    return lines


def passes(pass_mark: int | None, line: RollCallLine) -> bool:
    """Attended and, if the course has an exam, scored at least the pass mark."""
    if not line.attended:
        return False
    return pass_mark is None or (line.score is not None and line.score >= pass_mark)


def _inside_unit_of_work() -> None:
    if current_unit_of_work() is None:
        raise RuntimeError("roll-call writes run inside services.record_roll_call's unit of work")


async def _existing(session_id: int, user_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The people's recorded lines, with `certificate` (number or None) and `revoked` of its certificate."""
    rows = await Attendance.select(
        Attendance.id, Attendance.user, Attendance.attended, Attendance.score, Attendance.passed
    ).where((Attendance.session == session_id) & Attendance.user.is_in(user_ids))
    issued = {}
    if rows:
        certificates = await Certificate.select(
            Certificate.attendance, Certificate.number, Certificate.revoked_on
        ).where(Certificate.attendance.is_in([row["id"] for row in rows]))
        issued = {row["attendance"]: row for row in certificates}
    return {
        row["user"]: {
            **row,
            "certificate": issued[row["id"]]["number"] if row["id"] in issued else None,
            "revoked": row["id"] in issued and issued[row["id"]]["revoked_on"] is not None,
        }
        for row in rows
    }


@dataclass(frozen=True)
class WrittenRollCall:
    before: list[dict[str, Any]]
    lines: list[RollCallLine]
    pending: list[tuple[int, int]]
    """(attendance id, user id) of every pass that has no certificate yet."""


def _judged(
    pass_mark: int | None, lines: dict[int, RollCallLine], existing: dict[int, dict[str, Any]]
) -> dict[int, RollCallLine]:
    judged = {}
    for user_id, line in lines.items():
        judged[user_id] = RollCallLine(line.user_id, line.attended, line.score, passes(pass_mark, line))
        before = existing.get(user_id, {})
        number = before.get("certificate")
        if number is not None and not before["revoked"] and not judged[user_id].passed:
            raise Conflict(
                "Certificate {number} was issued for this pass; revoke it before changing the result.",
                field="entries",
                number=number,
            )
    return judged


async def _save(
    session_id: int, lines: dict[int, RollCallLine], existing: dict[int, dict[str, Any]]
) -> dict[int, int]:
    """Insert the new lines in one statement, update the changed ones; user id → attendance id."""
    now = clock.now()
    new_users = [user_id for user_id in lines if user_id not in existing]
    if new_users:
        await Attendance.insert(
            *[
                Attendance(
                    session=session_id,
                    user=u,
                    attended=lines[u].attended,
                    score=lines[u].score,
                    passed=lines[u].passed,
                    recorded_at=now,
                )
                for u in new_users
            ]
        )
    for user_id, row in existing.items():
        line = lines[user_id]
        if (row["attended"], row["score"], row["passed"]) != (line.attended, line.score, line.passed):
            changes = {
                "attended": line.attended,
                "score": line.score,
                "passed": line.passed,
                "recorded_at": now,
            }
            await Attendance.update(cast(dict[Column | str, Any], changes)).where(Attendance.id == row["id"])
    ids = {user_id: row["id"] for user_id, row in existing.items()}
    if new_users:
        rows = await Attendance.select(Attendance.id, Attendance.user).where(
            (Attendance.session == session_id) & Attendance.user.is_in(new_users)
        )
        ids |= {row["user"]: row["id"] for row in rows}
    return ids


async def write_lines(
    session_id: int, pass_mark: int | None, lines: dict[int, RollCallLine]
) -> WrittenRollCall:
    """Write the roll call's lines (judging each pass) and say which passes still need a certificate."""
    _inside_unit_of_work()
    existing = await _existing(session_id, list(lines))
    judged = _judged(pass_mark, lines, existing)
    attendance_ids = await _save(session_id, judged, existing)
    return WrittenRollCall(
        before=[
            {"user": u, "attended": row["attended"], "score": row["score"], "passed": row["passed"]}
            for u, row in existing.items()
        ],
        lines=list(judged.values()),
        pending=[
            (attendance_ids[u], u)
            for u, line in judged.items()
            if line.passed and existing.get(u, {}).get("certificate") is None
        ],
    )


async def issue_certificates(session: dict[str, Any], pending: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """One certificate per pass: number C{yyyy}{seq:06d}, dated the session day, course validity."""
    _inside_unit_of_work()
    if not pending:
        return []
    issued_on: date = session["starts_at"].astimezone(clock.org_zone()).date()
    validity = session["course.validity_months"]
    expires_on = clock.add_months(issued_on, validity) if validity else None
    rows = []
    for attendance_id, user_id in pending:
        sequence = await numbering.next_value(f"certificate:{issued_on.year}")
        rows.append(
            Certificate(
                number=f"C{issued_on.year}{sequence:06d}",
                user=user_id,
                course=session["course"],
                issued_on=issued_on,
                expires_on=expires_on,
                is_external=False,
                attendance=attendance_id,
            )
        )
    await Certificate.insert(*rows)
    return list(
        await Certificate.select(
            Certificate.id,
            Certificate.number,
            Certificate.user,
            Certificate.course,
            Certificate.issued_on,
            Certificate.expires_on,
            Certificate.attendance,
        )
        .where(Certificate.attendance.is_in([attendance_id for attendance_id, _ in pending]))
        .order_by(Certificate.id)
    )
