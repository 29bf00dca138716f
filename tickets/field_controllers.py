"""Technician field pages (phone first) and the work-order API."""

from __future__ import annotations

from litestar import Controller

ROUTES: list[type[Controller]] = []
