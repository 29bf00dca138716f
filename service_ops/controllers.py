"""Login, language, health, and the JSON API for people and master data."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from service_ops import queries, services
from service_ops.auth import CurrentActor, authenticate, requires
from service_ops.choices import Role
from service_ops.errors import NotAuthenticated
from service_ops.i18n import SUPPORTED_LOCALES, gettext
from service_ops.schemas import (
    ApiTokenCreate,
    ApiTokenIssued,
    CustomerCreate,
    CustomerRead,
    CustomerRegistration,
    NewUnit,
    NotificationIds,
    ProductModelCreate,
    RegionCreate,
    RegionRead,
    UnitCreate,
    UnitRead,
    UserCreate,
    UserRead,
)
from service_ops.tables import AuditEvent
from service_ops.web import PathId, form_data, page, struct_from_form

STAFF = requires(*Role)
MASTER_WRITE = requires(Role.AGENT, Role.SERVICE_MANAGER, Role.HQ_MANAGER, write=True)
MANAGER_WRITE = requires(Role.SERVICE_MANAGER, Role.HQ_MANAGER, write=True)
ADMIN_WRITE = requires(Role.ADMIN, write=True)
HOME_BY_ROLE = {
    Role.AGENT: "/calls",
    Role.DISPATCHER: "/tickets",
    Role.TECHNICIAN: "/field",
    Role.SERVICE_MANAGER: "/dashboard",
    Role.HQ_MANAGER: "/dashboard",
    Role.AUDITOR: "/auditor",
}


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site after login."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


class AuthPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str | None] = None
    ) -> Template:
        return page("login.html", request, next=safe_next(next), error=None)

    @post("/login")
    async def login(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await form_data(request)
        actor = await authenticate(form.get("username", ""), form.get("password", ""))
        if actor is None:
            error = gettext("Wrong username or password.")
            return page("login.html", request, status_code=401, next=safe_next(form.get("next")), error=error)
        request.set_session({"user_id": actor.user_id, "locale": request.session.get("locale")})
        return Redirect(path=safe_next(form.get("next")))

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return Redirect(path="/login")

    @post("/locale")
    async def switch_locale(self, request: Request[Any, Any, Any]) -> Redirect:
        """The header's language switcher: remembered for the user, or for the session."""
        form = await form_data(request)
        locale = form.get("locale") if form.get("locale") in SUPPORTED_LOCALES else None
        actor = request.scope["state"].get("actor")
        if actor is not None:
            await services.set_user_locale(actor, locale)
        if isinstance(request.session, dict):
            request.set_session({**request.session, "locale": locale})
        return Redirect(path=safe_next(form.get("next")))

    @get("/", guards=[STAFF])
    async def home(self, actor: CurrentActor) -> Redirect:
        return Redirect(path=HOME_BY_ROLE.get(actor.role, "/tickets"))


@get("/health", include_in_schema=False)
async def health() -> dict[str, str]:
    """Liveness and database reachability for load balancers and compose."""
    await AuditEvent.raw("SELECT 1")
    return {"status": "ok"}


class NotificationPages(Controller):
    """In-app notifications (certificate expiring, job dispatched to your outlet …)."""

    include_in_schema = False

    @get("/notifications", guards=[STAFF])
    async def notifications(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Template:
        rows = await queries.unread_notifications(actor.user_id) if actor.user_id else []
        return page("notifications.html", request, notifications=rows)

    @post("/notifications/read", guards=[STAFF])
    async def mark_read(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        form = await request.form()
        ids = [int(value) for value in form.getall("id") if str(value).isdigit()] if form else []
        await services.mark_notifications_read(actor, ids)
        return Redirect(path="/notifications")


class NotificationApi(Controller):
    path = "/api/notifications"
    tags = ["accounts"]

    @get("/", guards=[STAFF])
    async def unread(self, actor: CurrentActor) -> list[dict[str, Any]]:
        return await queries.unread_notifications(actor.user_id) if actor.user_id else []

    @post("/read", guards=[STAFF])
    async def mark_read(self, actor: CurrentActor, data: JSONBody[NotificationIds]) -> dict[str, int]:
        return {"read": await services.mark_notifications_read(actor, data.ids)}


class CustomerPages(Controller):
    include_in_schema = False

    @get("/customers/new", guards=[MASTER_WRITE])
    async def new_customer(self, request: Request[Any, Any, Any], phone: FromQuery[str] = "") -> Template:
        return page(
            "customer_new.html",
            request,
            phone=phone[:20],
            regions=await queries.list_regions(),
            models=await queries.list_product_models(),
        )

    @post("/customers", guards=[MASTER_WRITE])
    async def register_customer(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        """A new caller registered from the call screen; back to the call screen, found by phone."""
        form = await form_data(request)
        customer = struct_from_form(
            CustomerCreate,
            {
                "name": form.get("name", ""),
                "address": form.get("address", ""),
                "region_code": form.get("region_code", ""),
                "phones": [form.get("phone", "")],
            },
        )
        unit = (
            struct_from_form(
                NewUnit,
                {
                    key: form.get(key, "")
                    for key in ("serial_number", "model_code", "purchase_date", "install_date")
                },
            )
            if form.get("serial_number")
            else None
        )
        await services.register_customer(actor, CustomerRegistration(customer=customer, unit=unit))
        return Redirect(path="/calls", query_params={"q": form.get("phone", "")})


class AccountApi(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/auth/token", exclude_from_csrf=True)
    async def token_for_password(self, data: JSONBody[dict[str, str]]) -> ApiTokenIssued:
        """Exchange a username and password for a bearer token (for scripts and integrations)."""
        actor = await authenticate(data.get("username", ""), data.get("password", ""))
        if actor is None:
            raise NotAuthenticated("Wrong username or password.")
        return await services.issue_api_token(actor, data.get("name") or "api")

    @get("/me", guards=[STAFF])
    async def me(self, actor: CurrentActor) -> dict[str, Any]:
        return {
            "username": actor.username,
            "display_name": actor.display_name,
            "role": actor.role.value,
            "locale": actor.locale,
            "outlet_ids": sorted(actor.outlet_ids),
        }

    @post("/tokens", guards=[STAFF])
    async def issue_token(self, actor: CurrentActor, data: JSONBody[ApiTokenCreate]) -> ApiTokenIssued:
        return await services.issue_api_token(actor, data.name)

    @delete("/tokens/{token_id:int}", guards=[STAFF])
    async def revoke_token(self, actor: CurrentActor, token_id: PathId) -> None:
        await services.revoke_api_token(actor, token_id)

    @get("/users", guards=[requires(Role.ADMIN, Role.SERVICE_MANAGER, Role.HQ_MANAGER)])
    async def list_users(self) -> list[UserRead]:
        return await queries.list_users()

    @post("/users", guards=[ADMIN_WRITE])
    async def create_user(self, actor: CurrentActor, data: JSONBody[UserCreate]) -> dict[str, int]:
        return {"id": await services.create_user(actor, data)}


class MasterDataApi(Controller):
    path = "/api"
    tags = ["master data"]

    @get("/regions", guards=[STAFF])
    async def list_regions(self) -> list[RegionRead]:
        return await queries.list_regions()

    @post("/regions", guards=[MANAGER_WRITE])
    async def create_region(self, actor: CurrentActor, data: JSONBody[RegionCreate]) -> dict[str, int]:
        return {"id": await services.create_region(actor, data)}

    @get("/customers", guards=[STAFF])
    async def search_customers(
        self, q: Annotated[str, QueryParameter(description="Phone, serial number or name", max_length=100)]
    ) -> list[CustomerRead]:
        return await queries.search_customers(q)

    @post("/customers", guards=[MASTER_WRITE])
    async def create_customer(self, actor: CurrentActor, data: JSONBody[CustomerCreate]) -> CustomerRead:
        return await queries.get_customer(await services.create_customer(actor, data))

    @get("/customers/{customer_id:int}", guards=[STAFF])
    async def get_customer(self, customer_id: PathId) -> CustomerRead:
        return await queries.get_customer(customer_id)

    @get("/customers/{customer_id:int}/units", guards=[STAFF])
    async def customer_units(self, customer_id: PathId) -> list[UnitRead]:
        await queries.get_customer(customer_id)
        return await queries.units_of_customer(customer_id)

    @post("/product-models", guards=[MANAGER_WRITE])
    async def create_product_model(
        self, actor: CurrentActor, data: JSONBody[ProductModelCreate]
    ) -> dict[str, int]:
        return {"id": await services.create_product_model(actor, data)}

    @post("/units", guards=[MASTER_WRITE])
    async def register_unit(self, actor: CurrentActor, data: JSONBody[UnitCreate]) -> UnitRead:
        return await queries.get_unit(await services.register_unit(actor, data))

    @get("/units/{serial:str}", guards=[STAFF])
    async def unit_by_serial(self, serial: Annotated[str, PathParameter(max_length=60)]) -> UnitRead:
        return await queries.get_unit_by_serial(serial)
