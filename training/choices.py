"""Training vocabularies with their translatable labels."""

from __future__ import annotations

from enum import StrEnum

from service_ops.errors import N_


class CertificateState(StrEnum):
    """Where a person stands for one course on a given day (a certificate's state, or a matrix cell)."""

    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"
    MISSING = "missing"
    NOT_REQUIRED = "not_required"

    @property
    def label(self) -> str:
        return {
            CertificateState.VALID: N_("Valid"),
            CertificateState.EXPIRING: N_("Expiring soon"),
            CertificateState.EXPIRED: N_("Expired"),
            CertificateState.REVOKED: N_("Revoked"),
            CertificateState.NOT_YET_VALID: N_("Not yet valid"),
            CertificateState.MISSING: N_("Missing"),
            CertificateState.NOT_REQUIRED: N_("Not required"),
        }[self]

    @property
    def qualifies(self) -> bool:
        return self in (CertificateState.VALID, CertificateState.EXPIRING)
