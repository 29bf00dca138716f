"""Audit event names of the service fund, with the labels the audit trail shows people."""

from __future__ import annotations

from service_ops.audit import labeller
from service_ops.errors import N_

ACCOUNT_CREATED = "fund.account_created"
ACCOUNT_UPDATED = "fund.account_updated"
ENTRY_POSTED = "fund.entry_posted"
ENTRY_AUTO_POSTED = "fund.entry_auto_posted"
ENTRY_REVERSED = "fund.entry_reversed"
PERIOD_CLOSED = "fund.period_closed"
EXPORT_DOWNLOADED = "fund.export_downloaded"
"""Bookkeeping: a download changes no fund state (an evidence pack's audit head skips it)."""

LABELS = {
    ACCOUNT_CREATED: N_("Fund account created"),
    ACCOUNT_UPDATED: N_("Fund account changed"),
    ENTRY_POSTED: N_("Fund entry posted"),
    ENTRY_AUTO_POSTED: N_("Fund entry posted automatically"),
    ENTRY_REVERSED: N_("Reversing entry posted"),
    PERIOD_CLOSED: N_("Fund period closed"),
    EXPORT_DOWNLOADED: N_("Fund export downloaded"),
}

label = labeller(LABELS)
"""The untranslated label of an event name (the name itself if it has none)."""
