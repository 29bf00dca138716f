"""The hotline flow in a real browser (Debian chromium via Playwright), at desktop size.

Demo agent logs in, searches the demo caller's phone number, logs the call, opens a repair ticket
for the caller's unit and sees the service commitments; then `service-ops audit verify` must
still find the hash chain intact.

* Chinese is the default: a browser that states no language preference (Accept-Language: *)
  gets the flow in Chinese (<html lang="zh-CN"> and the catalog's words for each page's landmarks).
* Switching to English, from a browser that asks for Chinese, shows every page of the flow in
  English: apart from user data (names, addresses, model names, descriptions…, read from the
  server's database), the visible text has no Chinese characters left.

Screenshots go to test-artifacts/ (git-ignored); a failing flow leaves one of the failing page.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from service_ops.demo import DEMO_PASSWORD, DEMO_PHONE, DEMO_SERIAL
from tests.e2e.conftest import AppServer, submit

DEMO_AGENT = "agent1"
DEMO_CUSTOMER = "张伟"
CJK = re.compile(r"[\u4e00-\u9fff]")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")

# The Chinese catalog's words for the flow's landmarks (msgid → zh_CN).
ZH = {
    "Log in": "登录",
    "Call screen": "来电受理",
    "Tickets": "工单",
    "Search": "查询",
    "Log call from this customer": "登记该客户来电",
    "Open ticket": "创建工单",
    "Service commitments": "服务承诺",
    "Record customer contact": "记录已联系客户",
    "Repair": "维修",
}

# Where user data lives: these values may be Chinese whatever the UI language.
_DATA_QUERIES = (
    "SELECT name FROM customer",
    "SELECT address FROM customer",
    "SELECT name FROM region",
    "SELECT name FROM product_model",
    "SELECT display_name FROM app_user",
    "SELECT username FROM app_user",
    "SELECT description FROM ticket",
    "SELECT resolution FROM ticket",
    "SELECT cancel_reason FROM ticket",
    "SELECT notes FROM call",
    "SELECT actor FROM audit_event",
    "SELECT reason FROM audit_event",
)

_UI_TEXT_JS = """() => {
  const parts = [document.title, document.body.innerText];
  const attr = (selector, name) =>
    document.querySelectorAll(selector).forEach((e) => parts.push(e.getAttribute(name) || ''));
  document.querySelectorAll('option').forEach((o) => parts.push(o.textContent));
  attr('[placeholder]', 'placeholder');
  attr('[title]', 'title');
  attr('[aria-label]', 'aria-label');
  attr('input[type=submit], input[type=button]', 'value');
  return parts.join('\\n');
}"""
# The language switcher names each language in that language (中文 / English): not a UI string.
_OTHER_LANGUAGE_NAMES_JS = """() => Array.from(
  document.querySelectorAll('#locale-switcher [lang]:not([lang^="en"])'), (e) => e.textContent.trim())"""


def user_data_strings(server: AppServer) -> list[str]:
    """Every piece of user data the flow's pages can show, longest first."""
    database = server.data_dir / "service_ops.sqlite3"
    values: set[str] = set()
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        for query in _DATA_QUERIES:
            values.update(str(row[0]).strip() for row in connection.execute(query) if row[0])
    return sorted((value for value in values if value), key=len, reverse=True)


def assert_english_page(page: Any, server: AppServer, what: str) -> None:
    """The page is in English: html lang, and no Chinese character outside user data."""
    assert page.locator("html").get_attribute("lang") == "en", f"{what}: <html lang> is not en"
    text = page.evaluate(_UI_TEXT_JS)
    for value in user_data_strings(server) + page.evaluate(_OTHER_LANGUAGE_NAMES_JS):
        text = text.replace(value, " ")
    leftovers = sorted({line.strip() for line in text.splitlines() if CJK.search(line)})
    assert not leftovers, f"{what}: Chinese UI text on the English page: {leftovers}"


def assert_chinese_page(page: Any, what: str) -> None:
    assert page.locator("html").get_attribute("lang") == "zh-CN", f"{what}: <html lang> is not zh-CN"


@contextmanager
def screenshot_on_failure(page: Any, artifacts: Path, name: str) -> Iterator[None]:
    try:
        yield
    except BaseException:
        try:
            page.screenshot(path=str(artifacts / f"{name}-failure.png"), full_page=True)
        except Exception:
            pass
        raise


def _log_in(page: Any, login_label: str) -> None:
    page.fill("input[name=username]", DEMO_AGENT)
    page.fill("input[name=password]", DEMO_PASSWORD)
    submit(page, page.get_by_role("button", name=login_label, exact=True), "**/calls")


def _search_demo_caller(page: Any, search_label: str) -> Any:
    page.fill("input[name=q]", DEMO_PHONE)
    search = page.locator("form[role=search]").get_by_role("button", name=search_label, exact=True)
    submit(page, search, re.compile(r"/calls\?q="))
    cards = page.locator("article.customer")
    assert cards.count() == 1, f"searching {DEMO_PHONE} found {cards.count()} customers"
    card = cards.first
    assert card.locator("h2").inner_text().strip() == DEMO_CUSTOMER
    assert DEMO_SERIAL in card.inner_text()
    return card


def _open_repair_ticket(page: Any, description: str) -> int:
    """On the call page: repair (the default kind), the demo unit, a description → ticket page."""
    form = page.locator("form[id^=open-ticket-]")
    assert form.locator("select[name=kind]").input_value() == "repair", "repair is not the default kind"
    unit = form.locator("select[name=unit_id] option", has_text=DEMO_SERIAL)
    form.locator("select[name=unit_id]").select_option(unit.get_attribute("value"))
    form.locator("textarea[name=description]").fill(description)
    submit(page, form.locator("[data-action=open-ticket]"), re.compile(r"/tickets/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _check_ticket(page: Any, description: str, repair_label: str) -> str:
    """Number, kind, description and the three due times; returns the ticket number."""
    heading = page.locator("h1").inner_text()
    number = re.search(r"\b[A-Z]*\d[A-Z0-9-]{3,31}", heading)
    assert number, f"no ticket number in {heading!r}"
    assert page.locator("[data-field=kind]").inner_text().strip() == repair_label
    assert description in page.locator("main").inner_text()
    assert DEMO_SERIAL in page.locator("main").inner_text()
    dues = {
        name: page.locator(f"[data-field={name}]").inner_text().strip()
        for name in ("response_due", "arrival_due", "resolve_due")
    }
    for name, due in dues.items():
        assert DATETIME.match(due), f"{name} is {due!r}, not a due time"
    assert dues["response_due"] <= dues["arrival_due"] <= dues["resolve_due"], dues
    return number.group(0)


def _audit_chain_is_intact(server: AppServer) -> None:
    result = server.cli("audit", "verify")
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"service-ops audit verify failed:\n{output}"
    assert "OK" in result.stdout, output


def test_hotline_flow_in_chinese_by_default(new_page: Any, app_server: AppServer, artifacts: Path) -> None:
    # "Accept-Language: *": the browser has no preference, so the app's default language shows.
    page = new_page(extra_http_headers={"Accept-Language": "*"})
    description = "空调不制冷，外机不转（浏览器端到端测试）"
    with screenshot_on_failure(page, artifacts, "hotline-zh"):
        page.goto("/login")
        assert_chinese_page(page, "login")
        assert page.locator("h1").inner_text().strip() == ZH["Log in"]
        _log_in(page, ZH["Log in"])

        assert_chinese_page(page, "call screen")
        assert page.locator("h1").inner_text().strip() == ZH["Call screen"]
        nav = page.locator("header nav")
        assert nav.get_by_role("link", name=ZH["Call screen"], exact=True).is_visible()
        assert nav.get_by_role("link", name=ZH["Tickets"], exact=True).is_visible()

        card = _search_demo_caller(page, ZH["Search"])
        log_call = card.locator("[data-action=log-call]")
        assert log_call.inner_text().strip() == ZH["Log call from this customer"]
        submit(page, log_call, re.compile(r"/calls/\d+$"))
        call_path = page.url.removeprefix(app_server.base_url)

        assert_chinese_page(page, "call page")
        assert DEMO_PHONE in page.locator("h1").inner_text()
        kind = page.locator("form[id^=open-ticket-] select[name=kind]")
        assert kind.locator("option:checked").inner_text().strip() == ZH["Repair"]
        assert page.locator("[data-action=open-ticket]").inner_text().strip() == ZH["Open ticket"]
        _open_repair_ticket(page, description)

        assert_chinese_page(page, "ticket page")
        number = _check_ticket(page, description, ZH["Repair"])
        assert page.locator("h2", has_text=ZH["Service commitments"]).is_visible()
        first_response = page.locator("[data-action=first-response]")
        assert first_response.inner_text().strip() == ZH["Record customer contact"]
        page.screenshot(path=str(artifacts / "hotline-ticket-zh.png"), full_page=True)

        # The agent tells the customer the ticket number: first response is recorded.
        submit(page, first_response, re.compile(r"/tickets/\d+$"))
        assert page.locator("[data-action=first-response]").count() == 0

        # Back on the call: the ticket is listed there, and the call is ended.
        page.goto(call_path)
        # (listed under the call, and in the caller's ticket history)
        assert page.locator("main section.card > ul a", has_text=number).count() == 1
        assert page.locator("article.customer table.history a", has_text=number).count() == 1
        assert page.locator("[data-action=end-call]").is_visible()
        page.locator("input[name=notes]").fill("已告知客户工单号")
        submit(page, page.locator("[data-action=end-call]"), f"**{call_path}")
        assert page.locator("[data-action=end-call]").count() == 0
        assert DATETIME.match(page.locator("[data-field=ended_at]").inner_text().strip()[:16])

    _audit_chain_is_intact(app_server)


def test_switching_to_english_shows_the_whole_flow_in_english(
    new_page: Any, app_server: AppServer, artifacts: Path
) -> None:
    # A browser asking for Chinese: English can only come from the switcher.
    page = new_page(locale="zh-CN")
    description = "Outdoor unit does not start, no cooling (browser end-to-end test)"
    with screenshot_on_failure(page, artifacts, "hotline-en"):
        page.goto("/login")
        assert_chinese_page(page, "login before switching")
        submit(page, page.locator("#locale-switcher button[name=locale][value=en]"), "**/login")
        assert_english_page(page, app_server, "login")
        assert page.locator("h1").inner_text().strip() == "Log in"
        _log_in(page, "Log in")

        assert_english_page(page, app_server, "call screen")
        assert page.locator("h1").inner_text().strip() == "Call screen"
        card = _search_demo_caller(page, "Search")
        assert_english_page(page, app_server, "search results")
        log_call = card.locator("[data-action=log-call]")
        assert log_call.inner_text().strip() == "Log call from this customer"
        submit(page, log_call, re.compile(r"/calls/\d+$"))

        assert_english_page(page, app_server, "call page")
        kind = page.locator("form[id^=open-ticket-] select[name=kind]")
        assert kind.locator("option:checked").inner_text().strip() == "Repair"
        assert page.locator("[data-action=open-ticket]").inner_text().strip() == "Open ticket"
        page.screenshot(path=str(artifacts / "hotline-call-en.png"), full_page=True)
        _open_repair_ticket(page, description)

        assert_english_page(page, app_server, "ticket page")
        _check_ticket(page, description, "Repair")
        ticket_url = page.url
        assert page.locator("h2", has_text="Service commitments").is_visible()
        first_response = page.locator("[data-action=first-response]")
        assert first_response.inner_text().strip() == "Record customer contact"
        page.screenshot(path=str(artifacts / "hotline-ticket-en.png"), full_page=True)

        # And back: the switcher brings Chinese back on the same page.
        submit(page, page.locator("#locale-switcher button[name=locale][value=zh_CN]"), ticket_url)
        assert_chinese_page(page, "ticket page after switching back")
        assert page.locator("h2", has_text=ZH["Service commitments"]).is_visible()
        assert page.locator("[data-field=kind]").inner_text().strip() == ZH["Repair"]

    _audit_chain_is_intact(app_server)
