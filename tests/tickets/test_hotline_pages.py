"""The agent's pages: login, CSRF, the call screen flow, a form posted twice, languages."""

from __future__ import annotations

import re
from typing import Any

from service_ops.tables import AuditEvent
from tests.conftest import PASSWORD
from tickets.tables import Ticket


async def _logged_in_agent(as_browser: Any, make_user: Any, locale: str | None = None) -> Any:
    agent = await make_user("agent", locale=locale)
    response = await as_browser.login(agent.username, PASSWORD)
    assert response.status_code in (302, 303), response.text[:300]
    return agent


async def test_pages_need_a_login(client: Any) -> None:
    response = await client.get("/tickets", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login")


async def test_wrong_password_is_refused_in_the_users_language(as_browser: Any, make_user: Any) -> None:
    agent = await make_user("agent")
    response = await as_browser.login(agent.username, "not-the-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text or "Wrong username or password" in response.text


async def test_post_without_csrf_token_is_refused_and_writes_nothing(
    as_browser: Any, make_user: Any, world: dict[str, Any]
) -> None:
    await _logged_in_agent(as_browser, make_user)
    events = await AuditEvent.count()
    response = await as_browser.client.post("/calls", data={"phone": world["phone"]})
    assert response.status_code == 403
    assert "csrf" not in response.text.lower() or "form" in response.text.lower()
    assert await AuditEvent.count() == events


async def test_call_screen_flow_and_double_post(
    as_browser: Any, make_user: Any, world: dict[str, Any]
) -> None:
    await _logged_in_agent(as_browser, make_user)
    screen = await as_browser.client.get("/calls", params={"q": world["phone"]})
    assert world["serial"] in screen.text

    started = await as_browser.post_form(
        "/calls", {"phone": world["phone"], "customer_id": world["customer_id"]}
    )
    assert started.status_code in (302, 303)
    call_path = started.headers["location"]
    call_page = await as_browser.client.get(call_path)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', call_page.text).group(1)

    form = {
        "kind": "repair",
        "priority": "normal",
        "unit_id": world["unit_id"],
        "customer_id": world["customer_id"],
        "description": "不制冷",
        "idempotency_key": key,
    }
    first = await as_browser.post_form(f"{call_path}/tickets", form)
    second = await as_browser.post_form(f"{call_path}/tickets", form)
    assert first.headers["location"] == second.headers["location"]
    assert await Ticket.count().where(Ticket.customer == world["customer_id"]) == 1

    ticket_page = await as_browser.client.get(first.headers["location"])
    assert ticket_page.status_code == 200
    assert 'data-field="response_due"' in ticket_page.text


async def test_form_errors_are_4xx_pages_not_500(
    as_browser: Any, make_user: Any, world: dict[str, Any]
) -> None:
    await _logged_in_agent(as_browser, make_user)
    bad_phone = await as_browser.post_form("/calls", {"phone": "abc"})
    assert bad_phone.status_code == 400
    assert "abc" in bad_phone.text
    started = await as_browser.post_form("/calls", {"phone": world["phone"]})
    bad_kind = await as_browser.post_form(
        f"{started.headers['location']}/tickets",
        {"kind": "teleport", "customer_id": world["customer_id"], "description": "x"},
    )
    assert bad_kind.status_code == 400


async def test_language_follows_user_then_browser_then_default(as_browser: Any, make_user: Any) -> None:
    anonymous = await as_browser.client.get("/login")
    assert "登录" in anonymous.text and 'lang="zh-CN"' in anonymous.text
    english_browser = await as_browser.client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Log in" in english_browser.text and 'lang="en"' in english_browser.text

    await _logged_in_agent(as_browser, make_user, locale="en")
    page = await as_browser.client.get("/calls", headers={"Accept-Language": "zh-CN"})
    assert "Call screen" in page.text


async def test_switcher_remembers_the_choice(as_browser: Any, make_user: Any) -> None:
    agent = await _logged_in_agent(as_browser, make_user)
    switched = await as_browser.post_form("/locale", {"locale": "en", "next": "/tickets"})
    assert switched.headers["location"] == "/tickets"
    assert "Tickets" in (await as_browser.client.get("/tickets")).text
    from service_ops.tables import User

    assert (await User.select(User.locale).where(User.id == agent.user_id).first())["locale"] == "en"


async def test_technician_cannot_open_hotline_forms(
    as_browser: Any, make_user: Any, world: dict[str, Any]
) -> None:
    technician = await make_user("technician")
    await as_browser.login(technician.username, PASSWORD)
    response = await as_browser.post_form("/calls", {"phone": world["phone"]})
    assert response.status_code == 403


async def test_sla_policy_pages_configure_targets(as_browser: Any, make_user: Any) -> None:
    manager = await make_user("service_manager")
    await as_browser.login(manager.username, PASSWORD)
    name = "夜间紧急-" + manager.username
    created = await as_browser.post_form(
        "/sla-policies",
        {
            "name": name,
            "priority": "urgent",
            "response_hours": "0.5",
            "arrival_hours": "4",
            "resolve_hours": "24",
            "is_active": "on",
        },
    )
    assert created.status_code in (302, 303)
    listing = await as_browser.client.get("/sla-policies")
    assert name in listing.text
    bad = await as_browser.post_form(
        "/sla-policies", {"name": "x", "response_hours": "5", "resolve_hours": "1"}
    )
    assert bad.status_code == 400


async def test_unknown_caller_is_registered_with_unit_in_one_step(
    as_browser: Any, make_user: Any, world: dict[str, Any]
) -> None:
    from service_ops.tables import Customer, Unit

    await _logged_in_agent(as_browser, make_user)
    form = await as_browser.client.get("/customers/new", params={"phone": "13612345678"})
    assert 'value="13612345678"' in form.text
    customers, units = await Customer.count(), await Unit.count()
    bad_unit = {
        "name": "新客户",
        "phone": "13612345678",
        "region_code": world["region_code"],
        "address": "新路 8 号",
        "serial_number": "??",
        "model_code": world["model_code"],
        "purchase_date": "2025-05-01",
    }
    refused = await as_browser.post_form("/customers", bad_unit)
    assert refused.status_code == 400
    assert (await Customer.count(), await Unit.count()) == (customers, units), "nothing half-written"
    serial = "NEW" + world["serial"]
    saved = await as_browser.post_form("/customers", {**bad_unit, "serial_number": serial})
    assert saved.status_code in (302, 303)
    found = await as_browser.client.get(saved.headers["location"])
    assert "新客户" in found.text and serial in found.text
