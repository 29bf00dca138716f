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

    @property
    def label(self) -> str:
        return {
            Channel.PHONE: N_("Phone"),
            Channel.WEB: N_("Web"),
            Channel.WECHAT: N_("WeChat"),
            Channel.RETAILER: N_("Retailer"),
            Channel.WALK_IN: N_("Walk-in"),
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
            SlaState.MET: N_("Met"),
            SlaState.MISSED: N_("Missed"),
            SlaState.RUNNING: N_("Due"),
            SlaState.NEAR_BREACH: N_("Due soon"),
            SlaState.OVERDUE: N_("Overdue"),
            SlaState.NONE: N_("No commitment"),
            SlaState.STOPPED: N_("Stopped (cancelled)"),
        }[self]
