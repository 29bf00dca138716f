"""The fund over HTTP: pages in zh_CN, drill-down links, forms, XLSX downloads, the API and its guards."""

from __future__ import annotations

import html
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl

from service_ops import clock
from service_ops.fund import events, services
from service_ops.tables import AuditEvent
from tests.conftest import PASSWORD, unique
from tests.service_ops.fund.factories import day_of, entry, fresh_month, new_account

FIGURE = re.compile(r'<a data-figure="(\w+)" data-value="([-\d.]+)" href="([^"]+)"')


async def _log_in(as_browser: Any, make_user: Any, role: str, locale: str = "zh_CN") -> Any:
    person = await make_user(role, locale=locale)
    response = await as_browser.login(person.username, PASSWORD)
    assert response.status_code in (302, 303), response.text[:300]
    return person


async def _listed(client: Any, href: str) -> tuple[Decimal, Decimal]:
    """The total a drill-down page states and the sum of the amounts it lists."""
    response = await client.get(href)
    assert response.status_code == 200, response.text[:300]
    total = Decimal(re.search(r'data-total="([-\d.]+)"', response.text).group(1))
    amounts = [
        Decimal(a) for a in re.findall(r'<tr data-entry="[^"]+" data-amount="([-\d.]+)"', response.text)
    ]
    return total, sum(amounts, Decimal("0.00"))


async def test_every_figure_on_the_summary_page_equals_the_entries_it_links_to(
    as_browser: Any, make_user: Any
) -> None:
    finance = await _log_in(as_browser, make_user, "finance")
    month = fresh_month()
    account = await new_account(finance)
    for data in (
        entry(account, "budget", "800.00", day_of(month, 1)),
        entry(account, "expense", "120.45", day_of(month, 2), outlet_id=5),
        entry(account, "expense", "99.99", day_of(month, 3)),
        entry(account, "reserve", "1000.00", day_of(month, 3)),
        entry(account, "reserve", "-250.50", day_of(month, 4)),
    ):
        await services.post_entry(finance, data)
    wrong = await services.post_entry(finance, entry(account, "expense", "50.00", day_of(month, 5)))
    await services.reverse_entry(finance, wrong, "录错", day_of(month, 6))
    for group in ("account", "outlet", "month"):
        response = await as_browser.client.get(f"/fund?period={month}&group_by={group}")
        assert response.status_code == 200 and 'lang="zh-CN"' in response.text
        figures = FIGURE.findall(response.text)
        assert len(figures) >= 4
        for figure, value, href in figures:
            if figure in ("budget", "actual"):
                assert await _listed(as_browser.client, html.unescape(href)) == (
                    Decimal(value),
                    Decimal(value),
                )
    response = await as_browser.client.get(f"/fund?period={month}")
    budget = next(v for f, v, h in FIGURE.findall(response.text) if f == "budget" and account in h)
    assert Decimal(budget) == Decimal("800.00")
    for figure, value, href in FIGURE.findall(response.text):
        if figure == "balance":
            total, _listed_sum = await _listed(as_browser.client, html.unescape(href))
            assert total == Decimal(value)


async def test_finance_posts_and_reverses_through_the_forms(as_browser: Any, make_user: Any) -> None:
    finance = await _log_in(as_browser, make_user, "finance")
    account = await new_account(finance)
    form = await as_browser.client.get("/fund/entries/new")
    assert form.status_code == 200 and account in form.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text).group(1)
    fields = {
        "posted_on": clock.today().isoformat(),
        "kind": "expense",
        "amount": "88.80",
        "account": account,
        "outlet_id": "",
        "reference_kind": "work_order",
        "reference_id": "W-1",
        "memo": "上门费",
        "idempotency_key": key,
    }
    posted = await as_browser.post_form("/fund/entries", fields)
    assert posted.status_code in (302, 303), posted.text[:300]
    again = await as_browser.post_form("/fund/entries", fields)
    assert again.headers["location"] == posted.headers["location"]
    bad = await as_browser.post_form("/fund/entries", {**fields, "amount": "88.888", "idempotency_key": ""})
    assert bad.status_code == 400 and "88.888" in bad.text
    page = await as_browser.client.get(posted.headers["location"])
    assert page.status_code == 200 and "上门费" in page.text and 'action="' in page.text
    entry_id = int(posted.headers["location"].rsplit("/", 1)[1])
    reversed_ = await as_browser.post_form(f"/fund/entries/{entry_id}/reverse", {"reason": "金额错误"})
    assert reversed_.status_code in (302, 303), reversed_.text[:300]
    reversal = await as_browser.client.get(reversed_.headers["location"])
    assert 'data-amount="-88.80"' in reversal.text and "金额错误" in reversal.text
    assert "data-reverses=" in reversal.text
    original = await as_browser.client.get(f"/fund/entries/{entry_id}")
    assert "data-reversed-by=" in original.text and f"/fund/entries/{entry_id}/reverse" not in original.text
    twice = await as_browser.post_form(f"/fund/entries/{entry_id}/reverse", {"reason": "再来"})
    assert twice.status_code == 409
    listing = await as_browser.client.get(f"/fund/entries?account={account}")
    assert listing.status_code == 200 and 'data-total="0.00"' in listing.text


async def test_every_fund_page_renders_for_finance_and_an_auditor(as_browser: Any, make_user: Any) -> None:
    finance = await make_user("finance")
    account = await new_account(finance)
    entry_id = await services.post_entry(finance, entry(account, "income", "5.00", clock.today()))
    for role, writes in (("finance", True), ("auditor", False), ("service_manager", False)):
        await _log_in(as_browser, make_user, role)
        for path in (
            "/fund",
            "/fund/entries",
            f"/fund/entries/{entry_id}",
            "/fund/accounts",
            "/fund/periods",
        ):
            response = await as_browser.client.get(path)
            assert response.status_code == 200, (role, path, response.text[:300])
            assert 'lang="zh-CN"' in response.text
            assert ('href="/fund/entries/new"' in response.text) == writes, (role, path)
            if path not in ("/fund", "/fund/entries"):
                assert ('method="post"' in response.text.split("</header>")[1]) == writes, (role, path)
        assert (await as_browser.client.get("/fund/entries/new")).status_code == (200 if writes else 403)
    await _log_in(as_browser, make_user, "technician")
    assert (await as_browser.client.get("/fund")).status_code == 403


async def test_accounts_and_periods_through_the_forms(as_browser: Any, make_user: Any) -> None:
    await _log_in(as_browser, make_user, "finance", locale="en")
    code = unique("acct").lower()
    created = await as_browser.post_form(
        "/fund/accounts", {"code": code, "name": "Spare parts", "default_kind": ""}
    )
    assert created.status_code in (302, 303), created.text[:300]
    page = await as_browser.client.get("/fund/accounts")
    account_id = re.search(rf'data-account="{code}">.*?action="/fund/accounts/(\d+)"', page.text, re.S).group(
        1
    )
    renamed = await as_browser.post_form(
        f"/fund/accounts/{account_id}", {"name": "Parts", "default_kind": "expense", "is_active": "on"}
    )
    assert renamed.status_code in (302, 303)
    assert 'value="Parts"' in (await as_browser.client.get("/fund/accounts")).text
    month = fresh_month()
    closed = await as_browser.post_form("/fund/periods", {"month": month, "note": "month-end"})
    assert closed.status_code in (302, 303), closed.text[:300]
    assert f'data-month="{month}"' in (await as_browser.client.get("/fund/periods")).text
    again = await as_browser.post_form("/fund/periods", {"month": month})
    assert again.status_code == 409 and "already closed" in again.text


async def test_xlsx_downloads_open_with_the_right_numbers_and_are_audited(
    as_browser: Any, make_user: Any
) -> None:
    finance = await _log_in(as_browser, make_user, "finance")
    month = fresh_month()
    account = await new_account(finance)
    await services.post_entry(finance, entry(account, "budget", "1000.00", day_of(month, 1)))
    await services.post_entry(finance, entry(account, "expense", "333.33", day_of(month, 2)))
    response = await as_browser.client.get(f"/fund/budget.xlsx?period={month}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "application/vnd.openxml"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    line = next(
        r for r in book.worksheets[0].iter_rows(values_only=True) if r[0] and str(r[0]).startswith(account)
    )
    assert [Decimal(str(v)) for v in line[1:4]] == [Decimal("1000"), Decimal("333.33"), Decimal("666.67")]
    entries = await as_browser.client.get(f"/fund/entries.xlsx?account={account}")
    rows = list(openpyxl.load_workbook(io.BytesIO(entries.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 4 and Decimal(str(rows[-1][3])) == Decimal("1333.33")
    exports = await AuditEvent.select(AuditEvent.entity_id).where(
        (AuditEvent.action == events.EXPORT_DOWNLOADED) & (AuditEvent.actor == finance.username)
    )
    assert [e["entity_id"] for e in exports] == ["budget.xlsx", "entries.xlsx"]


async def test_the_api_posts_reverses_reports_and_refuses_bad_input(api_client: Any) -> None:
    client = await api_client("finance")
    code = unique("api").lower()
    assert (await client.post("/api/fund/accounts", json={"code": code, "name": "API"})).status_code == 201
    month = fresh_month()
    body = {"posted_on": day_of(month).isoformat(), "kind": "budget", "amount": "500.00", "account": code}
    created = await client.post(
        "/api/fund/entries", json=body, headers={"Idempotency-Key": "api-fund-" + code}
    )
    assert created.status_code == 201, created.text
    assert created.json()["amount"] == "500.00"
    for bad, status, field in (
        ({**body, "amount": "500.005"}, 400, "amount"),
        ({**body, "amount": 1.234}, 400, "amount"),
        ({**body, "amount": "abc"}, 400, None),
        ({**body, "account": "nope"}, 400, "account"),
        ({**body, "kind": "gift"}, 400, None),
    ):
        refused = await client.post("/api/fund/entries", json=bad)
        assert refused.status_code == status, (bad, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        if field:
            assert refused.json()["field"] == field
    closed = await client.post("/api/fund/periods", json={"month": month, "note": "月结"})
    assert closed.status_code == 201 and closed.json()["month"] == month
    late = await client.post("/api/fund/entries", json=body)
    assert late.status_code == 409 and late.json()["field"] == "posted_on"
    entry_id = created.json()["id"]
    reversal = await client.post(f"/api/fund/entries/{entry_id}/reverse", json={"reason": "预算调整"})
    assert reversal.status_code == 201 and reversal.json()["reverses_id"] == entry_id
    assert reversal.json()["amount"] == "-500.00"
    assert (
        await client.post(f"/api/fund/entries/{entry_id}/reverse", json={"reason": "x"})
    ).status_code == 409
    report = (await client.get(f"/api/fund/budget?period={month}")).json()
    row = next(r for r in report["rows"] if r["key"] == code)
    listed = (await client.get(f"/api/fund/entries?{row['query']}&kind=budget")).json()
    assert (
        Decimal(listed["total"])
        == Decimal(row["budget"])
        == sum(Decimal(e["amount"]) for e in listed["entries"])
    )
    assert (await client.get("/api/fund/budget?period=2026-13")).status_code == 400
    assert (await client.get("/api/fund/reserve?first_month=2026-05&last_month=2026-01")).status_code == 400
    assert (await client.get("/api/fund/reserve")).status_code == 200
    assert (await client.get("/api/fund/entries/999999999")).status_code == 404


async def test_api_guards(api_client: Any) -> None:
    for role, reads, writes in (
        ("service_manager", 200, 403),
        ("hq_manager", 200, 403),
        ("auditor", 200, 403),
        ("technician", 403, 403),
        ("admin", 200, 400),
    ):
        client = await api_client(role)
        assert (await client.get("/api/fund/budget")).status_code == reads, role
        assert (await client.get("/api/fund/entries")).status_code == reads, role
        posted = await client.post("/api/fund/entries", json={"posted_on": "2026-01-01", "kind": "budget"})
        assert posted.status_code == writes, role
