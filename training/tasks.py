"""Background jobs of the training domain.

None of its own yet: the certificate-expiry notice job lives in outlets/tasks.py (only outlets
knows who manages a person's outlet) and reads `training.queries.expiring_certificates`.
"""

from __future__ import annotations

from service_ops.queue import JobFunction, Periodic

FUNCTIONS: list[JobFunction] = []
PERIODIC: list[Periodic] = []
