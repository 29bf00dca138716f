"""Training: JSON API and pages (courses, sessions, roll call, qualification matrix)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
