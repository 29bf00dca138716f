"""A technician's visit on a phone (the field issue's acceptance), in a real browser on the demo data.

A 390×844 touch screen. The technician logs in, opens today's list and the new job, sets off,
arrives, uploads a photo, and completes a repair with a part and a drawn signature. The same step
sent twice is one record; a step taken with no network waits on the phone and is sent when the
network returns, with the device's time and the server's time both kept.
"""

from __future__ import annotations

import json
import re
import struct
import time
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service_ops.demo import DEMO_PASSWORD, DEMO_SERIAL
from tests.e2e.conftest import TIMEOUT_MS, AppServer

PHONE = {"width": 390, "height": 844}
MANAGERS = {"深圳南山服务中心": "om_ns", "深圳宝安授权网点": "om_ba", "广州天河授权网点": "om_th"}
TECHNICIANS = {"吴师傅": "tech_ns1", "郑师傅": "tech_ns2", "马师傅": "tech_th1", "罗师傅": "tech_ba1"}


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes([200, 30, 30]) * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _api(server: AppServer, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    request = urllib.request.Request(
        server.base_url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _token(server: AppServer, username: str) -> str:
    return str(
        _api(server, "POST", "/api/auth/token", body={"username": username, "password": DEMO_PASSWORD})[
            "token"
        ]
    )


def _assigned_repair(server: AppServer) -> tuple[dict[str, Any], str]:
    """A new repair for the demo caller, dispatched, accepted and assigned: (work order, technician)."""
    agent = _token(server, "agent1")
    unit = _api(server, "GET", f"/api/units/{DEMO_SERIAL}", agent)
    ticket = _api(
        server,
        "POST",
        "/api/tickets",
        agent,
        {
            "kind": "repair",
            "customer_id": unit["customer_id"],
            "unit_id": unit["id"],
            "description": "不制冷，手机测试",
        },
    )
    dispatcher = _token(server, "dispatcher1")
    ranking = _api(server, "GET", f"/api/tickets/{ticket['id']}/candidates", dispatcher)
    outlet = next(c for c in ranking if c["eligible"] and c["name"] in MANAGERS)
    _api(
        server,
        "POST",
        f"/api/tickets/{ticket['id']}/dispatch",
        dispatcher,
        {"outlet_id": outlet["outlet_id"]},
    )
    manager = _token(server, MANAGERS[outlet["name"]])
    _api(server, "POST", f"/api/tickets/{ticket['id']}/accept", manager)
    options = _api(server, "GET", f"/api/tickets/{ticket['id']}/technicians", manager)
    technician = next(o for o in options if o["qualified"] and o["name"] in TECHNICIANS)
    _api(
        server,
        "POST",
        f"/api/tickets/{ticket['id']}/assign",
        manager,
        {"technician_id": technician["user_id"]},
    )
    username = TECHNICIANS[technician["name"]]
    jobs = _api(server, "GET", "/api/field/jobs", _token(server, username))
    return next(j for j in jobs if j["ticket_number"] == ticket["number"]), username


@pytest.fixture
def phone(browser: Any, app_server: AppServer) -> Iterator[Any]:
    """A phone-sized touch browser context in Chinese."""
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, locale="zh-CN", base_url=app_server.base_url
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


def _wait_for_status(page: Any, status: str) -> None:
    page.wait_for_selector(f"section.head[data-status={status}]")


def _sign(page: Any) -> None:
    box = page.locator("#signature").bounding_box()
    assert box, "the signature pad is shown"
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 22, y + (18 if step % 2 else -18), steps=2)
    page.mouse.up()


def test_a_visit_on_a_phone(phone: Any, app_server: AppServer, artifacts: Path) -> None:
    job, username = _assigned_repair(app_server)
    token = _token(app_server, username)
    page = phone.new_page()
    page.goto("/login?next=/field")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation(url=re.compile(r".*/field$")):
        page.locator("form[action='/login'] button[type=submit]").click()
    card = page.locator(f"article[data-job='{job['number']}']")
    assert card.count() == 1, "the new job is in today's list"
    assert card.locator("a.call").get_attribute("href", timeout=TIMEOUT_MS).startswith("tel:")
    page.screenshot(path=str(artifacts / "phone-1-list.png"), full_page=True)

    card.locator("a.open").click()
    _wait_for_status(page, "assigned")
    page.screenshot(path=str(artifacts / "phone-2-job.png"), full_page=True)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/steps")) as sent:
        page.locator("[data-action=en_route]").click()
    _wait_for_status(page, "en_route")

    # The same step sent again (a retry after a lost answer) is the same record.
    request = sent.value
    replay = page.request.post(
        request.url,
        data=request.post_data,
        headers={
            k: v
            for k, v in request.headers.items()
            if k in ("content-type", "idempotency-key", "x-csrftoken")
        },
    )
    assert replay.status == 201, replay.text()
    assert replay.json()["status"] == "en_route"
    read = _api(app_server, "GET", f"/api/work-orders/{job['id']}", token)
    assert [s["step"] for s in read["steps"]] == ["en_route"], "one record for the step sent twice"

    # No network: the arrival waits on the phone with its time, then is sent when the network is back.
    phone.set_offline(True)
    page.locator("[data-action=arrived]").click()
    outbox = page.locator("#outbox")
    outbox.wait_for(state="visible")
    assert page.evaluate("JSON.parse(localStorage.getItem('field-outbox')).length") == 1
    assert page.locator("#on-site").is_visible(), "the technician carries on while offline"
    page.screenshot(path=str(artifacts / "phone-3-offline-pending.png"), full_page=False)
    time.sleep(1.5)
    phone.set_offline(False)
    _wait_for_status(page, "arrived")
    assert page.evaluate("JSON.parse(localStorage.getItem('field-outbox') || '[]').length") == 0
    read = _api(app_server, "GET", f"/api/work-orders/{job['id']}", token)
    arrived = next(s for s in read["steps"] if s["step"] == "arrived")
    assert arrived["was_offline"] is True
    assert arrived["device_at"] < arrived["received_at"], "the device's time and the server's are both kept"
    assert arrived["taken_at"] == arrived["device_at"], (
        "a plausible device time is the time the step counts at"
    )

    page.set_input_files(
        "input[name=photo]", files=[{"name": "nameplate.png", "mimeType": "image/png", "buffer": _png()}]
    )
    page.locator("[data-action=upload]").click()
    page.wait_for_selector("[data-field=photo-count]:text('1')")

    form = page.locator("#complete")
    form.locator("input[name=result][value=fixed]").check()
    form.locator("textarea[name=diagnosis]").fill("压缩机电容失效，已更换")
    form.locator("input[name=fault_code]").fill("E5")
    form.locator("input[name=part_no_0]").fill("CAP-35UF")
    form.locator("input[name=name_0]").fill("压缩机电容")
    form.locator("input[name=quantity_0]").fill("1")
    form.locator("input[name=unit_price_0]").fill("45.00")
    form.locator("input[name=labour_fee]").fill("0")
    form.locator("[data-action=clear-signature]").scroll_into_view_if_needed()
    _sign(page)
    page.screenshot(path=str(artifacts / "phone-4-completion.png"), full_page=True)
    form.locator("[data-action=complete]").click()
    _wait_for_status(page, "completed")
    page.screenshot(path=str(artifacts / "phone-5-completed.png"), full_page=True)

    read = _api(app_server, "GET", f"/api/work-orders/{job['id']}", token)
    assert read["result"] == "fixed" and read["confirmed_by"] == "signature"
    assert [p["part_no"] for p in read["parts"]] == ["CAP-35UF"] and len(read["photos"]) == 1
    assert [s["step"] for s in read["steps"]] == ["en_route", "arrived", "completed"]
    ticket = _api(app_server, "GET", f"/api/tickets/{read['ticket_id']}", token)
    assert ticket["status"] == "resolved"
    verified = app_server.cli("audit", "verify")
    assert verified.returncode == 0 and "OK" in verified.stdout, verified.stdout + verified.stderr
