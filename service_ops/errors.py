"""Domain errors. Services raise these; one handler maps them to HTTP in the user's language.

`message` is an untranslated message id (marked with `N_`), `params` fill its placeholders.
"""

from __future__ import annotations

from typing import Any, ClassVar


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


class DomainError(Exception):
    status_code: ClassVar[int] = 400
    title: ClassVar[str] = N_("Invalid request")

    def __init__(self, message: str, field: str | None = None, **params: Any) -> None:
        self.message = message
        self.field = field
        self.params = {"field": field, **params} if field else params
        super().__init__(message.format(**self.params) if self.params else message)


class Invalid(DomainError):
    status_code = 400
    title = N_("Invalid input")


class NotFound(DomainError):
    status_code = 404
    title = N_("Not found")


class Conflict(DomainError):
    status_code = 409
    title = N_("Conflict")


class InvalidTransition(DomainError):
    status_code = 409
    title = N_("Not allowed in this state")


class PermissionDenied(DomainError):
    status_code = 403
    title = N_("Permission denied")


class NotAuthenticated(DomainError):
    status_code = 401
    title = N_("Please log in")
