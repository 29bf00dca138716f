"""Background jobs of the training domain."""

from __future__ import annotations

from service_ops.queue import JobFunction, Periodic

FUNCTIONS: list[JobFunction] = []
PERIODIC: list[Periodic] = []
