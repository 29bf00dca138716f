"""The dedicated after-sales service fund (售后服务专项资金): accounts, entries, closed periods.

Entries are append-only: services insert them and never update or delete one. A correction is a
new entry that `reverses` the old one (negated amount, same account and kind) with a reason.
Amounts are whole fen (分, 1/100 CNY) in a BIGINT: exact sums on both engines (SQLite would keep a
NUMERIC as a float). Outlets belong to the outlets domain, which depends on service_ops, so an
entry keeps a plain `outlet_id` and names are resolved through a registered directory.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from service_ops.tables import User


class FundAccount(Table, tablename="fund_account"):
    """A ledger account of the fund, e.g. budget, reserve, parts, labour, training, outlet settlements."""

    id: Serial

    code = Varchar(length=32, unique=True, help_text="Short lower-case code, e.g. parts")
    name = Varchar(length=100)
    default_kind = Varchar(
        length=16, null=True, default=None, help_text="The kind its entries usually take (a form default)"
    )
    is_active = Boolean(default=True, help_text="Inactive accounts take no new entries")
    created_at = Timestamptz(default=TimestamptzNow())

    @classmethod
    def get_readable(cls):  # type: ignore[no-untyped-def]
        from piccolo.columns.readable import Readable

        return Readable(template="%s %s", columns=[cls.code, cls.name])


class FundEntry(Table, tablename="fund_entry"):
    """One posted ledger line; never edited (a correction is a reversing entry)."""

    id: Serial

    number = Varchar(length=20, unique=True, help_text="F + posting day + sequence")
    external_id = Varchar(
        length=64, null=True, default=None, unique=True, help_text="Natural key of an imported entry"
    )
    posted_on = Date(index=True, help_text="Accounting date: the period it counts in")
    kind = Varchar(length=16, index=True, help_text="budget / expense / reserve / income")
    amount_fen = BigInt(help_text="Signed amount in fen; reserve draws and reversals are negative")
    account = ForeignKey(references=FundAccount, index=True, on_delete=OnDelete.restrict)
    outlet_id = Integer(null=True, default=None, index=True, help_text="Outlet it concerns (outlets domain)")
    reference_kind = Varchar(length=24, default="manual", help_text="What caused it (ReferenceKind)")
    reference_id = Varchar(length=64, default="", help_text="Id or number of what caused it")
    memo = Text(default="")
    reverses: ForeignKey[Any] = ForeignKey(
        references="self",
        null=True,
        default=None,
        unique=True,
        on_delete=OnDelete.restrict,
        help_text="The entry this one reverses (each entry is reversed at most once)",
    )
    reason = Text(default="", help_text="Why a reversing entry was posted")
    auto_key = Varchar(
        length=80,
        null=True,
        default=None,
        unique=True,
        help_text="Key of an automatic posting (e.g. work_order:12:parts): posted once",
    )
    origin = Varchar(length=100, default="manual", help_text="manual, auto, or import:<bundle sha256>")
    posted_by = ForeignKey(references=User, null=True, default=None, index=True, on_delete=OnDelete.restrict)
    posted_at = Timestamptz(default=TimestamptzNow())


class FundPeriod(Table, tablename="fund_period"):
    """A closed month: no entry is posted into it any more."""

    id: Serial

    month = Varchar(length=7, unique=True, help_text="YYYY-MM")
    closed_at = Timestamptz(default=TimestamptzNow())
    closed_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.restrict)
    note = Text(default="")
