"""Ticket vocabularies with their translatable labels."""

from __future__ import annotations

from enum import StrEnum

from service_ops.errors import N_


class TicketKind(StrEnum):
    CONSULT = "consult"
    INSTALL = "install"
    REPAIR = "repair"
    MAINTENANCE = "maintenance"

    @property
    def label(self) -> str:
        return {
            TicketKind.CONSULT: N_("Consultation"),
            TicketKind.INSTALL: N_("Installation"),
            TicketKind.REPAIR: N_("Repair"),
            TicketKind.MAINTENANCE: N_("Maintenance"),
        }[self]

    @property
    def needs_visit(self) -> bool:
        return self != TicketKind.CONSULT


class Channel(StrEnum):
    PHONE = "phone"
    WEB = "web"
    WECHAT = "wechat"
    RETAILER = "retailer"
    WALK_IN = "walk_in"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            Channel.PHONE: N_("Phone"),
            Channel.WEB: N_("Web"),
            Channel.WECHAT: N_("WeChat"),
            Channel.RETAILER: N_("Retailer"),
            Channel.WALK_IN: N_("Walk-in"),
            Channel.OTHER: N_("Other"),
        }[self]


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return {
            Priority.LOW: N_("Low"),
            Priority.NORMAL: N_("Normal"),
            Priority.HIGH: N_("High"),
            Priority.URGENT: N_("Urgent"),
        }[self]


class TicketStatus(StrEnum):
    NEW = "new"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            TicketStatus.NEW: N_("New"),
            TicketStatus.DISPATCHED: N_("Dispatched"),
            TicketStatus.ACCEPTED: N_("Accepted"),
            TicketStatus.IN_PROGRESS: N_("In progress"),
            TicketStatus.RESOLVED: N_("Resolved"),
            TicketStatus.CLOSED: N_("Closed"),
            TicketStatus.CANCELLED: N_("Cancelled"),
        }[self]


class SlaState(StrEnum):
    """Where one commitment stands right now."""

    MET = "met"
    MISSED = "missed"
    RUNNING = "running"
    NEAR_BREACH = "near_breach"
    OVERDUE = "overdue"
    NONE = "none"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return {
            SlaState.MET: N_("Met on time"),
            SlaState.MISSED: N_("Missed"),
            SlaState.RUNNING: N_("Due"),
            SlaState.NEAR_BREACH: N_("Due soon"),
            SlaState.OVERDUE: N_("Overdue"),
            SlaState.NONE: N_("No commitment"),
            SlaState.STOPPED: N_("Stopped (cancelled)"),
        }[self]


class WorkOrderStatus(StrEnum):
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ARRIVED = "arrived"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            WorkOrderStatus.ASSIGNED: N_("Assigned"),
            WorkOrderStatus.EN_ROUTE: N_("En route"),
            WorkOrderStatus.ARRIVED: N_("Arrived"),
            WorkOrderStatus.COMPLETED: N_("Completed"),
            WorkOrderStatus.CANCELLED: N_("Cancelled"),
        }[self]


class WorkResult(StrEnum):
    FIXED = "fixed"
    NOT_FIXED = "not_fixed"
    INSTALLED = "installed"
    FAILED = "failed"
    REPLACED = "replaced"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        return {
            WorkResult.FIXED: N_("Fixed"),
            WorkResult.NOT_FIXED: N_("Not fixed"),
            WorkResult.INSTALLED: N_("Installed"),
            WorkResult.FAILED: N_("Installation failed"),
            WorkResult.REPLACED: N_("Replaced"),
            WorkResult.REFUNDED: N_("Refunded"),
        }[self]

    @property
    def resolves_ticket(self) -> bool:
        """Fixed, installed, replaced or refunded ends the customer's request; the others need a revisit."""
        return self not in (WorkResult.NOT_FIXED, WorkResult.FAILED)


RESULTS_BY_KIND: dict[str, frozenset[WorkResult]] = {
    "install": frozenset({WorkResult.INSTALLED, WorkResult.FAILED, WorkResult.REPLACED, WorkResult.REFUNDED}),
    "repair": frozenset({WorkResult.FIXED, WorkResult.NOT_FIXED, WorkResult.REPLACED, WorkResult.REFUNDED}),
    "maintenance": frozenset({WorkResult.FIXED, WorkResult.NOT_FIXED}),
}


class Payer(StrEnum):
    WARRANTY = "warranty"
    CUSTOMER = "customer"

    @property
    def label(self) -> str:
        return {Payer.WARRANTY: N_("Warranty"), Payer.CUSTOMER: N_("Customer")}[self]


class ComplaintSeverity(StrEnum):
    NORMAL = "normal"
    MAJOR = "major"

    @property
    def label(self) -> str:
        return {ComplaintSeverity.NORMAL: N_("Normal"), ComplaintSeverity.MAJOR: N_("Major")}[self]


class ComplaintStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            ComplaintStatus.OPEN: N_("Open"),
            ComplaintStatus.ACKNOWLEDGED: N_("Acknowledged"),
            ComplaintStatus.RESOLVED: N_("Resolved"),
            ComplaintStatus.CLOSED: N_("Closed"),
        }[self]


class ComplaintCategory(StrEnum):
    SERVICE_ATTITUDE = "attitude"
    TIMELINESS = "timeliness"
    QUALITY_OF_WORK = "workmanship"
    PRODUCT_QUALITY = "product"
    FEES = "fees"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            ComplaintCategory.SERVICE_ATTITUDE: N_("Service attitude"),
            ComplaintCategory.TIMELINESS: N_("Timeliness"),
            ComplaintCategory.QUALITY_OF_WORK: N_("Quality of work"),
            ComplaintCategory.PRODUCT_QUALITY: N_("Product quality"),
            ComplaintCategory.FEES: N_("Fees"),
            ComplaintCategory.OTHER: N_("Other"),
        }[self]


class GuaranteeKind(StrEnum):
    REPAIR = "repair"
    REPLACE = "replace"
    REFUND = "refund"

    @property
    def label(self) -> str:
        return {
            GuaranteeKind.REPAIR: N_("Repair (包修)"),
            GuaranteeKind.REPLACE: N_("Replacement (包换)"),
            GuaranteeKind.REFUND: N_("Refund (包退)"),
        }[self]


class CapaSource(StrEnum):
    COMPLAINT = "complaint"
    SURVEY = "survey"
    INSPECTION = "inspection"
    REVIEW = "review"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            CapaSource.COMPLAINT: N_("Complaint"),
            CapaSource.SURVEY: N_("Satisfaction survey"),
            CapaSource.INSPECTION: N_("Outlet inspection"),
            CapaSource.REVIEW: N_("Management review"),
            CapaSource.OTHER: N_("Other"),
        }[self]
