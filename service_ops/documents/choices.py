"""Kinds and states of controlled documents and the service-system registers, with their labels."""

from __future__ import annotations

from enum import StrEnum

from service_ops.errors import N_


class DocumentKind(StrEnum):
    """The controlled document kinds; the codes are the rubric's (audit_export/data/rubric.yaml)."""

    SERVICE_MANUAL = "service_manual"
    SERVICE_PROCEDURES = "service_procedures"
    SERVICE_COMMITMENT = "service_commitment"
    SERVICE_CONCEPT = "service_concept"
    ORG_CHART = "org_chart"
    JOB_DESCRIPTIONS = "job_descriptions"
    MANAGEMENT_REP_APPOINTMENT = "management_rep_appointment"
    SUPERVISION_APPOINTMENT = "supervision_appointment"
    LEGAL_REGISTER = "legal_register"
    FUND_BUDGET = "fund_budget"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def appoints(self) -> bool:
        """An appointment names the person appointed (管理者代表, 服务监督)."""
        return self in APPOINTMENT_KINDS


KIND_LABELS = {
    DocumentKind.SERVICE_MANUAL: N_("After-sales service manual"),
    DocumentKind.SERVICE_PROCEDURES: N_("Service procedures"),
    DocumentKind.SERVICE_COMMITMENT: N_("Service commitment"),
    DocumentKind.SERVICE_CONCEPT: N_("Service concept"),
    DocumentKind.ORG_CHART: N_("Organisation chart"),
    DocumentKind.JOB_DESCRIPTIONS: N_("Job descriptions"),
    DocumentKind.MANAGEMENT_REP_APPOINTMENT: N_("Appointment of the management representative"),
    DocumentKind.SUPERVISION_APPOINTMENT: N_("Appointment of the service supervision"),
    DocumentKind.LEGAL_REGISTER: N_("Register of applicable laws"),
    DocumentKind.FUND_BUDGET: N_("Service fund budget"),
}
APPOINTMENT_KINDS = frozenset({DocumentKind.MANAGEMENT_REP_APPOINTMENT, DocumentKind.SUPERVISION_APPOINTMENT})


class DocumentStatus(StrEnum):
    """pending → current → superseded; pending or current → retired. Exactly one current per kind."""

    PENDING = "pending"
    CURRENT = "current"
    SUPERSEDED = "superseded"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return {
            DocumentStatus.PENDING: N_("Not yet in force"),
            DocumentStatus.CURRENT: N_("Current"),
            DocumentStatus.SUPERSEDED: N_("Superseded"),
            DocumentStatus.RETIRED: N_("Retired"),
        }[self]


class Horizon(StrEnum):
    LONG = "long"
    MEDIUM = "medium"
    ANNUAL = "annual"

    @property
    def label(self) -> str:
        return {
            Horizon.LONG: N_("Long-term"),
            Horizon.MEDIUM: N_("Medium-term"),
            Horizon.ANNUAL: N_("Annual"),
        }[self]


class RewardKind(StrEnum):
    REWARD = "reward"
    PENALTY = "penalty"

    @property
    def label(self) -> str:
        return {RewardKind.REWARD: N_("Reward"), RewardKind.PENALTY: N_("Penalty")}[self]
