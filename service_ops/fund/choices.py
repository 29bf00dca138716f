"""Kinds of fund entries and what caused them, with their translated labels."""

from __future__ import annotations

from enum import StrEnum

from service_ops.errors import N_


class EntryKind(StrEnum):
    BUDGET = "budget"
    EXPENSE = "expense"
    RESERVE = "reserve"
    INCOME = "income"

    @property
    def label(self) -> str:
        return {
            EntryKind.BUDGET: N_("Budget"),
            EntryKind.EXPENSE: N_("Expense"),
            EntryKind.RESERVE: N_("Reserve"),
            EntryKind.INCOME: N_("Income"),
        }[self]


class ReferenceKind(StrEnum):
    """What caused an entry: a job, a part, a training session, an outlet settlement, a person, an import."""

    WORK_ORDER = "work_order"
    PART = "part"
    TRAINING_SESSION = "training_session"
    OUTLET_SETTLEMENT = "outlet_settlement"
    MANUAL = "manual"
    IMPORT = "import"

    @property
    def label(self) -> str:
        return {
            ReferenceKind.WORK_ORDER: N_("Work order"),
            ReferenceKind.PART: N_("Part"),
            ReferenceKind.TRAINING_SESSION: N_("Training session"),
            ReferenceKind.OUTLET_SETTLEMENT: N_("Outlet settlement"),
            ReferenceKind.MANUAL: N_("Manual"),
            ReferenceKind.IMPORT: N_("Import"),
        }[self]


class GroupBy(StrEnum):
    """How the budget-vs-actual table is broken down."""

    ACCOUNT = "account"
    OUTLET = "outlet"
    MONTH = "month"

    @property
    def label(self) -> str:
        return {
            GroupBy.ACCOUNT: N_("By account"),
            GroupBy.OUTLET: N_("By outlet"),
            GroupBy.MONTH: N_("By month"),
        }[self]


STANDARD_ACCOUNTS = {
    "budget": N_("Service budget"),
    "reserve": N_("Service reserve"),
    "parts": N_("Parts under warranty"),
    "labour": N_("Labour under warranty"),
    "training": N_("Training"),
    "outlet_settlement": N_("Outlet settlements"),
}
"""Account codes the automatic postings use (made on first use), with their default names."""
