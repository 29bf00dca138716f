"""Context variables that carry who/what/where for requests, jobs and CLI runs alike."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
client_address: ContextVar[str | None] = ContextVar("client_address", default=None)
locale: ContextVar[str | None] = ContextVar("locale", default=None)
