"""State changes of the service fund: accounts, postings, reversals, closing periods; each audited.

A posted entry is never edited or deleted: a correction is a reversing entry (negated amount, same
account, kind, outlet and reference) that names the entry it reverses and says why. Postings are
serialised by one ledger lock (PostgreSQL; SQLite serialises writers already), so an entry never
lands in a month that is being closed at the same moment.

`post_work_order_costs` and `post_training_session_cost` are the hooks other domains call inside
their own unit of work; the rest are called with an actor by controllers, jobs and the CLI.
"""

# ruff: noqa: F403

from service_ops.fund.services import accounts, automatic, ledger
from service_ops.fund.services.accounts import *
from service_ops.fund.services.automatic import *
from service_ops.fund.services.common import READ_ROLES as READ_ROLES
from service_ops.fund.services.common import WRITE_ROLES as WRITE_ROLES
from service_ops.fund.services.ledger import *

__all__ = [*accounts.__all__, *automatic.__all__, *ledger.__all__]
