"""Follow-ups, complaints, 三包 requests and corrective actions (pages and API)."""

from __future__ import annotations

from litestar import Controller

ROUTES: list[type[Controller]] = []
