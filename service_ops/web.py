"""HTTP plumbing shared by every domain: request context, templates, errors in the user's language."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import msgspec
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from litestar import MediaType, Request, Response
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.params import PathParameter
from litestar.response import Redirect, Template
from litestar.types import ASGIApp, Receive, Scope, Send

from service_ops import context, i18n
from service_ops.auth import actor_for_token, connection_actor, load_actor
from service_ops.errors import N_, DomainError, Invalid, NotAuthenticated
from service_ops.settings import get_settings

log = logging.getLogger(__name__)
MAX_ID = 2_147_483_647
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="Record id")]
"""A record id in a URL path: bounded, so a huge number is a 400, not a database overflow."""
ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [
    ROOT / name / "templates" for name in ("service_ops", "outlets", "tickets", "training", "audit_export")
]


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token:
                return token.strip()
    return None


class RequestContextMiddleware(ASGIMiddleware):
    """Resolve the actor (session or bearer token), request id and locale for the request."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope)
        token = bearer_token(scope)
        session = scope.get("session") or {}
        actor = None
        if token:
            actor = await actor_for_token(token)
        elif isinstance(session, dict) and session.get("user_id"):
            actor = await load_actor(int(session["user_id"]))
        scope.setdefault("state", {})["actor"] = actor
        locale = i18n.negotiate(
            (actor.locale if actor else None)
            or (session.get("locale") if isinstance(session, dict) else None),
            request.headers.get("accept-language"),
        )
        scope["state"]["locale"] = locale
        tokens = (
            context.request_id.set(request.headers.get("x-request-id") or uuid.uuid4().hex),
            context.locale.set(locale),
            context.client_address.set(request.client.host if request.client else None),
        )
        try:
            await next_app(scope, receive, send)
        finally:
            context.client_address.reset(tokens[2])
            context.locale.reset(tokens[1])
            context.request_id.reset(tokens[0])


NUL_MARKERS = (b"\x00", b"%00", b"\\u0000")
TEXT_BODY_TYPES = (b"application/json", b"application/x-www-form-urlencoded")


class RejectNulMiddleware(ASGIMiddleware):
    """NUL characters cannot be stored in PostgreSQL text: refuse them up front, on every engine.

    Checks the path, the query string and JSON / form bodies (file uploads are binary and pass).
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        raw_target = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
        if any(marker in raw_target.lower() for marker in NUL_MARKERS[:2]):
            raise Invalid("The address contains a NUL character, which is not allowed.")
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"").lower()
        if content_type.startswith(TEXT_BODY_TYPES):
            body, receive = await _buffered_body(receive)
            if any(marker in body.lower() for marker in NUL_MARKERS):
                raise Invalid("Text may not contain NUL characters.")
        await next_app(scope, receive, send)


async def _buffered_body(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body and return it with a receive() that replays it."""
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        body_part = message.get("body", b"")
        chunks.append(body_part if isinstance(body_part, bytes) else b"")
        more = bool(message.get("more_body", False))
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Any:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


class BearerAwareCSRFMiddleware(CSRFMiddleware):
    """CSRF protects cookie sessions; a request authenticated by a bearer token carries no cookie risk."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and bearer_token(scope):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def build_template_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(path)) for path in TEMPLATE_DIRS if path.exists()]),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        _=i18n.gettext,
        gettext=i18n.gettext,
        format_datetime=i18n.format_datetime,
        format_date=i18n.format_date,
        format_number=i18n.format_number,
        format_minutes=i18n.format_duration_minutes,
        current_locale=i18n.current_locale,
        locale_names=i18n.LOCALE_NAMES,
    )
    return env


def page(
    template_name: str, request: Request[Any, Any, Any], status_code: int = 200, **data: Any
) -> Template:
    """Render a page with the actor and locale every layout needs."""
    return Template(
        template_name=template_name,
        context={"actor": connection_actor(request), "path": request.url.path, **data},
        status_code=status_code,
    )


async def form_data(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {key: str(value) for key, value in form.items()}


def struct_from_form(struct: type[Any], form: Mapping[str, object], **extra: Any) -> Any:
    """Build a schema from form fields (blank → absent), as one clear 400 when a field is wrong."""
    values = {key: value for key, value in form.items() if value != "" and not key.startswith("_")}
    try:
        return msgspec.convert({**values, **extra}, struct, strict=False)
    except msgspec.ValidationError as error:
        raise Invalid("Please check the form: {problem}", problem=str(error)) from error


def _problem(status: int, title: str, detail: str, field: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if field:
        body["field"] = field
    return body


def _respond(
    request: Request[Any, Any, Any], status: int, title: str, detail: str, field: str | None = None
) -> Response[Any]:
    if is_api_path(request.url.path):
        return Response(
            content=_problem(status, title, detail, field),
            status_code=status,
            media_type="application/problem+json",
        )
    return page("error.html", request, status_code=status, title=title, detail=detail, field=field)


@contextmanager
def _request_locale(request: Request[Any, Any, Any]) -> Iterator[None]:
    """Errors raised in route middleware reach the handler after the locale middleware has reset
    its context; the locale it negotiated is still in the request's state."""
    token = context.locale.set(request.scope.get("state", {}).get("locale") or context.locale.get())
    try:
        yield
    finally:
        context.locale.reset(token)


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if isinstance(exc, NotAuthenticated) and not is_api_path(request.url.path):
        return Redirect(path="/login", query_params={"next": request.url.path})
    with _request_locale(request):
        detail = i18n.gettext(exc.message, **exc.params)
        return _respond(request, exc.status_code, i18n.gettext(exc.title), detail, exc.field)


_HTTP_MESSAGES = {
    400: N_("The request could not be understood: {detail}"),
    401: N_("Please log in to continue."),
    403: N_("You may not do this."),
    404: N_("This page or record does not exist."),
    405: N_("This action is not available here."),
    413: N_("The upload is too large."),
    415: N_("This content type is not accepted."),
}


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    with _request_locale(request):
        return _http_error_response(request, exc)


def _http_error_response(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status == 403 and "CSRF" in str(exc.detail):
        detail = i18n.gettext(
            "The form has expired or was not sent from this site. Reload the page and try again."
        )
    elif isinstance(exc, ValidationException):
        detail = i18n.gettext("Some fields are missing or invalid: {fields}", fields=_validation_summary(exc))
    elif status == 401 and not is_api_path(request.url.path):
        return Redirect(path="/login", query_params={"next": request.url.path})
    elif status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, exc.detail)
        detail = i18n.gettext("Something went wrong on our side; nothing was saved. Please try again.")
    else:
        detail = i18n.gettext(_HTTP_MESSAGES.get(status, "{detail}"), detail=str(exc.detail)[:300])
    return _respond(
        request,
        status,
        i18n.gettext("Request not accepted") if status < 500 else i18n.gettext("Error"),
        detail,
    )


def _validation_summary(exc: ValidationException) -> str:
    extra = exc.extra if isinstance(exc.extra, list) else []
    parts = [f"{item.get('key', '')}: {item.get('message', '')}" for item in extra if isinstance(item, dict)]
    return "; ".join(parts)[:500] or str(exc.detail)[:300]


def integrity_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A unique constraint lost a race: the other request won; say so instead of failing."""
    log.info("integrity error on %s: %s", request.url.path, exc)
    detail = i18n.gettext(
        "This record was changed or created at the same moment by another request. Reload and check."
    )
    return _respond(request, 409, i18n.gettext("Conflict"), detail)


def unexpected_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    detail = i18n.gettext("Something went wrong on our side; nothing was saved. Please try again.")
    return _respond(request, 500, i18n.gettext("Error"), detail)


def integrity_error_types() -> tuple[type[Exception], ...]:
    import asyncpg

    return (sqlite3.IntegrityError, asyncpg.exceptions.IntegrityConstraintViolationError)


def app_state() -> State:
    return State({"settings": get_settings()})


JSON = MediaType.JSON
