"""The audit workflow in a real browser, on the demo data set (the issue's acceptance flow).

1. The auditor draws a sample of the demo history's tickets, stratified by outlet, with a fixed
   seed: the same draw asked again through the API gives the same cases (a sample is
   reproducible from its seed). She opens the first case's file and records a pass. Imported
   history carries no per-record audit events, so a second sample of this month's live tickets
   shows a case file with the ticket's own audit trail.
2. The admin requests an evidence pack for the history months, watches its progress until it is
   done, downloads it, and the download is audited. The unzipped pack verifies, and its
   index.html opens from disk with all networking blocked: Chinese first, English one click away.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from audit_export.pack.verify import verify_pack
from audit_export.period import Period
from audit_export.services import packs
from service_ops import clock
from service_ops.demo import DEMO_PASSWORD, HISTORY_MONTHS
from service_ops.i18n import translations
from tests.e2e.conftest import DESKTOP, AppServer, submit

SEED = 27922
SIZE = 12
PACK_TIMEOUT_S = 45.0
READ_ROW = """row => [row.dataset.status, row.querySelector('[data-field=progress]').value,
  row.querySelector('[data-field=status]').textContent]"""
CJK = re.compile(r"[\u4e00-\u9fff]")


def _history() -> tuple[date, date]:
    """The demo's imported history: the whole months before this one (service_ops.demo)."""
    end = clock.today().replace(day=1)
    return clock.add_months(end, -HISTORY_MONTHS), end


def _zh(message: str) -> str:
    return str(translations("zh_CN").ugettext(message))


def _log_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    submit(page, page.locator("form[action='/login'] button[type=submit]"), re.compile(r".*/(?!login)[^/]*$"))


def _csrf_headers(page: Any) -> dict[str, str]:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return {"x-csrftoken": token, "Accept": "application/json"}


def _pack_events(server: AppServer, action: str, pack_id: int) -> list[tuple[str, dict[str, Any]]]:
    """(actor, after) of the pack's audit events with `action`, read straight from the database."""
    with sqlite3.connect(server.data_dir / "service_ops.sqlite3") as db:
        rows = db.execute(
            "SELECT actor, after FROM audit_event WHERE action = ? AND entity = 'evidence_pack' "
            "AND entity_id = ? ORDER BY seq",
            (action, str(pack_id)),
        ).fetchall()
    return [(actor, json.loads(after or "{}")) for actor, after in rows]


def test_auditor_draws_a_reproducible_sample_and_checks_a_case(
    new_page: Any, app_server: AppServer, artifacts: Path
) -> None:
    start, end = _history()
    page = new_page(extra_http_headers={"Accept-Language": "en"})
    _log_in(page, "auditor1")

    page.goto("/auditor/samples")
    form = page.locator("form[data-form=draw-sample]")
    form.locator("select[name=entity]").select_option("ticket")
    form.locator("input[name=from]").fill(start.isoformat())
    form.locator("input[name=to]").fill(end.isoformat())
    form.locator("input[name=size]").fill(str(SIZE))
    form.locator("select[name=stratify_by]").select_option("outlet")
    form.locator("input[name=seed]").fill(str(SEED))
    submit(page, form.locator("[data-action=draw-sample]"), re.compile(r".*/auditor/samples/\d+$"))

    sample_id = int(page.url.rsplit("/", 1)[1])
    assert page.locator("[data-field=seed]").inner_text().strip() == str(SEED)
    rows = page.locator("table.cases tbody tr[data-case]")
    assert rows.count() == SIZE
    drawn = [  # (ticket number, outlet); "—": a ticket no outlet took
        (
            row.locator("td").nth(1).inner_text().strip(),
            row.locator("[data-field=stratum]").inner_text().strip(),
        )
        for row in rows.all()
    ]
    assert len({stratum for _, stratum in drawn}) >= 2, f"stratified by outlet: {drawn}"
    page.screenshot(path=str(artifacts / "auditor-sample.png"), full_page=True)

    # The same draw again, through the API: the same cases in the same order.
    again = page.request.post(
        "/api/audit/samples",
        data={
            "entity": "ticket",
            "from": start.isoformat(),
            "to": end.isoformat(),
            "size": SIZE,
            "seed": SEED,
            "stratify_by": "outlet",
        },
        headers=_csrf_headers(page),
    )
    assert again.ok, again.text()
    second = again.json()
    assert second["id"] != sample_id
    assert [(case["reference"], case["stratum"] or "—") for case in second["case_list"]] == drawn

    # The first case's file (an imported ticket): the ticket and its records; the auditor passes it.
    reference = drawn[0][0]
    first = rows.first.locator("td").nth(1).locator("a")
    submit(page, first, re.compile(rf".*/auditor/samples/{sample_id}/cases/\d+$"))
    assert reference in page.locator("section[data-section=ticket] h2").inner_text()
    for part in ("calls", "dispatch", "followup", "events"):
        assert page.locator(f"section[data-section={part}]").count() == 1, part
    verdict = page.locator("section[data-section=verdict]")
    assert verdict.locator("[data-result]").first.get_attribute("data-result") == ""
    submit(page, verdict.locator("form[data-form=verdict] [data-action=pass]"), re.compile(r".*/cases/\d+$"))
    assert page.locator("section[data-section=verdict] [data-result=pass]").count() == 1
    page.goto(f"/auditor/samples/{sample_id}")
    assert page.locator("[data-field=tally]").inner_text().startswith("1 passed")
    assert rows.first.locator("[data-result=pass]").count() == 1

    # A case of this month's live records: its file carries the ticket's own audit trail.
    month = Period.month(clock.today())
    submit(page, page.locator("nav.tools a[href='/auditor/samples']"), re.compile(r".*/auditor/samples$"))
    form.locator("select[name=entity]").select_option("ticket")
    form.locator("input[name=from]").fill(month.start.isoformat())
    form.locator("input[name=to]").fill(month.end.isoformat())
    form.locator("input[name=size]").fill("3")
    form.locator("input[name=seed]").fill(str(SEED))
    submit(page, form.locator("[data-action=draw-sample]"), re.compile(r".*/auditor/samples/\d+$"))
    live = rows.first.locator("td").nth(1)
    reference = live.inner_text().strip()
    submit(page, live.locator("a"), re.compile(r".*/auditor/samples/\d+/cases/\d+$"))
    assert reference in page.locator("section[data-section=ticket] h2").inner_text()
    trail = page.locator("section[data-section=events] table.events tbody tr[data-event]")
    actions = [trail.nth(i).get_attribute("data-event") or "" for i in range(trail.count())]
    assert "tickets.ticket_created" in actions, actions
    page.screenshot(path=str(artifacts / "auditor-case.png"), full_page=True)


def _watch_pack(page: Any) -> tuple[list[tuple[str, int, str]], Any]:
    """Poll the pack's row as the page updates it until it is done: the states seen, and the row."""
    row = page.locator("#evidence-packs tbody tr[data-pack]").first
    seen: list[tuple[str, int, str]] = []
    deadline = time.monotonic() + PACK_TIMEOUT_S
    while time.monotonic() < deadline:
        try:  # one read of the row, so the three values come from the same version of the page
            status, progress, label = row.evaluate(READ_ROW, timeout=2_000)
            state = (str(status), int(progress), str(label).strip())
        except Exception:  # the page reloads itself when the pack finishes
            time.sleep(0.1)
            continue
        if not seen or seen[-1] != state:
            seen.append(state)
        if state[0] in ("done", "failed"):
            return seen, row
        time.sleep(0.1)
    raise AssertionError(f"the pack did not finish in {PACK_TIMEOUT_S:.0f} s: {seen}")


def test_admin_exports_downloads_and_opens_the_evidence_pack(
    new_page: Any, browser: Any, app_server: AppServer, artifacts: Path, tmp_path: Path
) -> None:
    start, end = _history()
    page = new_page(extra_http_headers={"Accept-Language": "en"}, accept_downloads=True)
    _log_in(page, "admin")

    page.goto("/evidence-packs")
    form = page.locator("form#pack-request")
    form.locator("input[name=from]").fill(start.isoformat())
    form.locator("input[name=to]").fill(end.isoformat())
    submit(page, form.locator("button[type=submit]"), re.compile(r".*/evidence-packs$"))

    seen, row = _watch_pack(page)
    assert seen[-1][:2] == ("done", 100), seen
    assert seen[0][0] in ("queued", "running"), f"the pack was not shown in flight: {seen}"
    moving = [state for state in seen[:-1] if state[0] == "running" or 0 < state[1] < 100]
    assert moving, f"the page did not show the pack's progress moving: {seen}"
    # The state badge follows the state: one label per state, a different one for each.
    labels = {status: {label for s, _, label in seen if s == status} for status, _, _ in seen}
    assert all(len(texts) == 1 for texts in labels.values()), seen
    assert len({next(iter(texts)) for texts in labels.values()}) == len(labels), seen
    pack_id = int(row.get_attribute("data-pack") or 0)
    assert row.locator("[data-field=stage]").inner_text().strip() == "Ready to download"

    with page.expect_download() as info:
        row.locator("a[data-field=download]").click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    zipped = tmp_path / download.suggested_filename
    download.save_as(zipped)

    checked = verify_pack(zipped)
    assert checked.ok, [str(problem) for problem in checked.problems]
    assert checked.files_checked > 5
    sha256 = hashlib.sha256(zipped.read_bytes()).hexdigest()
    assert _pack_events(app_server, packs.DOWNLOADED, pack_id) == [("admin", {"sha256": sha256})]

    folder = tmp_path / "pack"
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(folder)
    index = folder / "index.html"
    assert index.is_file()

    # From disk, with no network at all: anything but file:// is refused (and recorded).
    context = browser.new_context(viewport=DESKTOP)
    try:
        outside: list[str] = []

        def block(route: Any) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", block)
        context.set_offline(True)
        offline = context.new_page()
        offline.goto(index.as_uri())
        kpis = offline.locator("section#kpis")
        assert re.search(CJK, _zh("KPIs")), "the KPI heading has a Chinese translation"
        assert kpis.locator("h2 [lang=zh-CN]").inner_text().strip() == _zh("KPIs")
        assert kpis.locator("h2 [lang=zh-CN]").is_visible()
        assert not kpis.locator("h2 [lang=en]").is_visible()
        assert offline.locator("section#summary h2 [lang=zh-CN]").inner_text().strip() == _zh("Summary")
        assert re.search(CJK, offline.locator("h1").inner_text())
        assert kpis.locator("table tbody tr[id^=kpi-]").count() >= 10
        offline.screenshot(path=str(artifacts / "pack-index-zh.png"), full_page=True)

        offline.locator("label.switch").click()
        assert kpis.locator("h2 [lang=en]").is_visible()
        assert kpis.locator("h2 [lang=en]").inner_text().strip() == "KPIs"
        assert not kpis.locator("h2 [lang=zh-CN]").is_visible()
        assert offline.locator("section#items h2 [lang=en]").inner_text().strip() == "Rubric items"
        offline.screenshot(path=str(artifacts / "pack-index-en.png"), full_page=True)
        assert outside == [], f"index.html asked the network for {outside}"
    finally:
        context.close()
