"""The prerequisites P1–P6 of the shipped rubric, each met or not, with the evidence behind it.

Each check reads the owning domain's records read-only (DESIGN: audit_export may query other
domains' tables directly); the fund ledger is read with plain SQL, guarded, so the page works on
an installation whose ledger is not migrated yet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit_export import ledger
from audit_export.rubric import load_rubric
from service_ops import clock
from service_ops.choices import Role
from service_ops.documents import queries as documents
from service_ops.documents.choices import DocumentKind
from service_ops.errors import N_
from service_ops.tables import User
from tickets.choices import ComplaintSeverity, ComplaintStatus
from tickets.tables import Call, Complaint, Ticket
from training import queries as training
from training.tables import Certificate

MONTHS_RUNNING = 3
SHOWN = 10

TITLES = {
    "P1": N_("System running at least 3 months (records exist for >= 3 months)"),
    "P2": N_("Written after-sales rules (service manual) approved and current"),
    "P3": N_("A designated person responsible (management representative) appointed"),
    "P4": N_("A dedicated after-sales fund with a budget"),
    "P5": N_("No major after-sales incident open (no open complaint of severity major)"),
    "P6": N_("At least one certified service manager and a trained service team"),
}
"""The rubric's own wording, marked for translation (a test keeps it equal to the rubric)."""


@dataclass(frozen=True)
class Evidence:
    """One line of evidence: an untranslated message id, its parameters, and where to look."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)
    href: str | None = None


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    met: bool
    evidence: tuple[Evidence, ...]


Checker = Callable[[date], Awaitable[tuple[bool, list[Evidence]]]]


def _local_day(moment: Any) -> date:
    return moment.astimezone(clock.org_zone()).date()


async def records_running(today: date) -> tuple[bool, list[Evidence]]:
    """P1: the earliest ticket or call is at least three months old."""
    needed = clock.add_months(today, -MONTHS_RUNNING)
    ticket = (
        await Ticket.select(Ticket.id, Ticket.number, Ticket.created_at).order_by(Ticket.created_at).first()
    )
    call = await Call.select(Call.id, Call.received_at).order_by(Call.received_at).first()
    evidence, days = [], []
    if ticket is not None:
        days.append(_local_day(ticket["created_at"]))
        evidence.append(
            Evidence(
                N_("First ticket {number} created on {day}."),
                {"number": ticket["number"], "day": days[-1].isoformat()},
                f"/tickets/{ticket['id']}",
            )
        )
    if call is not None:
        days.append(_local_day(call["received_at"]))
        evidence.append(
            Evidence(
                N_("First call received on {day}."), {"day": days[-1].isoformat()}, f"/calls/{call['id']}"
            )
        )
    if not days:
        evidence.append(Evidence(N_("No ticket or call recorded yet.")))
    evidence.append(Evidence(N_("Records must go back to {day} or earlier."), {"day": needed.isoformat()}))
    return bool(days) and min(days) <= needed, evidence


def _document_evidence(document: Any) -> Evidence:
    return Evidence(
        N_("{title} {version}: approved by {approver} on {approved_on}, in force from {effective_on}."),
        {
            "title": document.title,
            "version": document.version,
            "approver": document.approver_name,
            "approved_on": document.approved_on.isoformat(),
            "effective_on": document.effective_on.isoformat(),
        },
        f"/documents/{document.id}",
    )


async def _current(kind: DocumentKind, missing: str) -> tuple[bool, Evidence]:
    document = await documents.current_document(kind)
    if document is None:
        return False, Evidence(missing, {}, "/documents")
    return True, _document_evidence(document)


async def service_manual(today: date) -> tuple[bool, list[Evidence]]:
    """P2: a service manual is current (and so approved: a version cannot be registered unapproved)."""
    met, evidence = await _current(DocumentKind.SERVICE_MANUAL, N_("No current service manual."))
    return met, [evidence]


async def management_representative(today: date) -> tuple[bool, list[Evidence]]:
    """P3: a current appointment names an active management representative."""
    appointment = (await documents.current_appointments()).get(DocumentKind.MANAGEMENT_REP_APPOINTMENT)
    if appointment is None:
        return False, [
            Evidence(N_("No current appointment of a management representative."), {}, "/documents")
        ]
    evidence = [
        Evidence(
            N_("{name} appointed by “{title}”, version {version}, in force since {day}."),
            {
                "name": appointment.name,
                "title": appointment.title,
                "version": appointment.version,
                "day": appointment.effective_on.isoformat(),
            },
            f"/documents/{appointment.document_id}",
        )
    ]
    if not appointment.is_active:
        evidence.append(Evidence(N_("{name} is no longer an active user."), {"name": appointment.name}))
    return appointment.is_active, evidence


async def fund_budget(today: date) -> tuple[bool, list[Evidence]]:
    """P4: a current fund budget document and budget entries in the ledger for this year."""
    has_document, document_evidence = await _current(
        DocumentKind.FUND_BUDGET, N_("No current fund budget document.")
    )
    budget = await ledger.budget_of_year(today.year)
    link = f"/fund/entries?period={today.year}&kind=budget"
    if budget is None:
        return False, [document_evidence, Evidence(N_("The service fund ledger is not available."))]
    if budget.count == 0 or budget.total_fen <= 0:
        return False, [
            document_evidence,
            Evidence(N_("No budget posted in the fund ledger for {year}."), {"year": today.year}, link),
        ]
    ledger_evidence = Evidence(
        N_("{count} budget entries posted for {year}, {amount} yuan in total."),
        {"count": budget.count, "year": today.year, "amount": f"{budget.total_fen / 100:.2f}"},
        link,
    )
    return has_document, [document_evidence, ledger_evidence]


async def no_major_incident(today: date) -> tuple[bool, list[Evidence]]:
    """P5: no complaint of severity major is open (DESIGN: a major incident)."""
    closed = [ComplaintStatus.RESOLVED.value, ComplaintStatus.CLOSED.value]
    where = (Complaint.severity == ComplaintSeverity.MAJOR.value) & Complaint.status.not_in(closed)
    rows = (
        await Complaint.select(Complaint.id, Complaint.number, Complaint.received_at)
        .where(where)
        .order_by(Complaint.received_at)
    )
    if not rows:
        return True, [Evidence(N_("No open complaint of severity major."), {}, "/complaints?severity=major")]
    evidence = [
        Evidence(
            N_("Major complaint {number}, received on {day}, is open."),
            {"number": row["number"], "day": _local_day(row["received_at"]).isoformat()},
            f"/complaints/{row['id']}",
        )
        for row in rows[:SHOWN]
    ]
    if len(rows) > SHOWN:
        evidence.append(Evidence(N_("… and {count} more."), {"count": len(rows) - SHOWN}))
    return False, evidence


def _active_on(today: date) -> Any:
    return (
        User.is_active.eq(True)
        & (User.hired_on.is_null() | (User.hired_on <= today))
        & (User.left_on.is_null() | (User.left_on > today))
    )


async def _service_managers(today: date) -> list[Evidence]:
    person = Certificate.user._
    rows = await Certificate.select(
        Certificate.user,
        person.display_name,
        Certificate.number,
        Certificate.course.code,
        Certificate.expires_on,
    ).where(
        training.valid_on(today)
        & Certificate.course._.is_service_manager_cert.eq(True)
        & person.is_active.eq(True)
        & (person.left_on.is_null() | (person.left_on > today))
    )
    return [
        Evidence(
            N_("{name} holds service-manager certificate {number} ({course}), valid until {day}.")
            if row["expires_on"]
            else N_("{name} holds service-manager certificate {number} ({course}), with no expiry."),
            {
                "name": row["user.display_name"],
                "number": row["number"],
                "course": row["course.code"],
                "day": row["expires_on"].isoformat() if row["expires_on"] else "",
            },
            f"/training/people/{row['user']}",
        )
        for row in rows[:SHOWN]
    ]


async def _trained_technicians(today: date) -> tuple[int, list[Evidence]]:
    technicians = await User.select(User.id, User.display_name).where(
        (User.role == Role.TECHNICIAN.value) & _active_on(today)
    )
    required = (await training.required_courses(None, [Role.TECHNICIAN.value])).get(Role.TECHNICIAN.value, {})
    link = "/training/matrix?role=technician"
    if not required:
        return 0, [
            Evidence(N_("No course is required of technicians, so no trained team can be shown."), {}, link)
        ]
    held = await training.held_courses([row["id"] for row in technicians], list(required), today)
    trained = [row for row in technicians if all((row["id"], course) in held for course in required)]
    evidence = [
        Evidence(
            N_("{trained} of {total} active technicians hold every certificate their role requires."),
            {"trained": len(trained), "total": len(technicians)},
            link,
        )
    ]
    return len(trained), evidence


async def service_team(today: date) -> tuple[bool, list[Evidence]]:
    """P6: someone holds a valid service-manager certificate, and a technician is fully certified."""
    managers = await _service_managers(today)
    trained, team_evidence = await _trained_technicians(today)
    if not managers:
        managers = [
            Evidence(
                N_("No active person holds a valid service-manager certificate."), {}, "/training/courses"
            )
        ]
        return False, managers + team_evidence
    return trained > 0, managers + team_evidence


CHECKS: dict[str, Checker] = {
    "P1": records_running,
    "P2": service_manual,
    "P3": management_representative,
    "P4": fund_budget,
    "P5": no_major_incident,
    "P6": service_team,
}


async def check_all(today: date | None = None) -> list[Check]:
    """Every prerequisite of the shipped rubric, in its order; one without a check is not met."""
    day = today or clock.today()
    results = []
    for prerequisite in load_rubric().prerequisites:
        checker = CHECKS.get(prerequisite.code)
        if checker is None:
            met, evidence = False, [Evidence(N_("This prerequisite has no automatic check yet."))]
        else:
            met, evidence = await checker(day)
        results.append(Check(prerequisite.code, prerequisite.en, met, tuple(evidence)))
    return results
