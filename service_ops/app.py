"""The app factory: the one place that lists every domain's routes and wires the core together."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from service_ops import controllers, db, i18n, queue
from service_ops.actor import Actor
from service_ops.auth import register_scope_resolver, require_actor
from service_ops.errors import DomainError
from service_ops.outlet_directory import register_outlet_directory
from service_ops.settings import Settings, get_settings
from service_ops.web import (
    ROOT,
    BearerAwareCSRFMiddleware,
    RejectNulMiddleware,
    RequestContextMiddleware,
    build_template_environment,
    domain_error_handler,
    http_error_handler,
    integrity_error_handler,
    integrity_error_types,
    unexpected_error_handler,
)


def _domain_route_handlers() -> list[Any]:
    """Every domain's controllers; the single list a new domain is added to."""
    from audit_export import controllers as audit_controllers
    from outlets import controllers as outlet_controllers
    from service_ops.documents import controllers as document_controllers
    from service_ops.fund import controllers as fund_controllers
    from tickets import controllers as ticket_controllers
    from training import controllers as training_controllers

    return [
        *training_controllers.ROUTES,
        *outlet_controllers.ROUTES,
        *ticket_controllers.ROUTES,
        *fund_controllers.ROUTES,
        *document_controllers.ROUTES,
        *audit_controllers.ROUTES,
    ]


def wire_domains() -> None:
    from outlets.queries import list_outlets, outlet_ids_of_user

    register_scope_resolver(outlet_ids_of_user)
    register_outlet_directory(list_outlets)


def _session_secret(settings: Settings) -> bytes:
    return hashlib.sha256(("session:" + settings.secret_key).encode()).digest()


async def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    return require_actor(request)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    i18n.compile_catalogs()
    wire_domains()

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await db.start_pool(settings)
        await queue.start(settings)
        try:
            yield
        finally:
            await queue.stop()
            await db.close_pool()

    csrf = CSRFConfig(secret=settings.secret_key, cookie_name="csrftoken", cookie_samesite="lax")
    session = CookieBackendConfig(secret=_session_secret(settings), max_age=12 * 3600, samesite="lax")
    return Litestar(
        route_handlers=[
            controllers.AuthPages,
            controllers.CustomerPages,
            controllers.NotificationPages,
            controllers.NotificationApi,
            controllers.AccountApi,
            controllers.MasterDataApi,
            controllers.health,
            *_domain_route_handlers(),
            create_static_files_router(path="/static", directories=[ROOT / "service_ops" / "static"]),
        ],
        middleware=[
            session.middleware,
            RequestContextMiddleware(),
            RejectNulMiddleware(),
            DefineMiddleware(BearerAwareCSRFMiddleware, config=csrf),
        ],
        dependencies={"actor": Provide(provide_actor)},
        exception_handlers={
            DomainError: domain_error_handler,
            HTTPException: http_error_handler,
            **{error_type: integrity_error_handler for error_type in integrity_error_types()},
            Exception: unexpected_error_handler,
        },
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(build_template_environment())
        ),
        openapi_config=OpenAPIConfig(
            title="service-ops API",
            version="0.1.0",
            path="/api/docs",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=500, gzip_compress_level=6),
        lifespan=[lifespan],
        debug=False,
    )
