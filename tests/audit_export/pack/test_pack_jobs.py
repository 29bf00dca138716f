"""Requesting a pack (one in flight per period), the job that builds it (published only when
complete), the page, its JSON twin and the audited download."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from audit_export.pack.verify import verify_pack
from audit_export.services import packs
from audit_export.tables import EvidencePack
from service_ops import clock
from service_ops.errors import Invalid, PermissionDenied
from service_ops.settings import get_settings
from service_ops.tables import AuditEvent
from tests.audit_export.pack.fakes import AS_OF, FakeSource, queued_pack, unique_period
from tests.conftest import PASSWORD, run_jobs

P = EvidencePack


@pytest.fixture(autouse=True)
def fake_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs started by a request build with the fake figures."""
    monkeypatch.setattr(packs, "default_source", FakeSource)


def _files_of(pack_id: int) -> list[str]:
    folder = get_settings().data_dir / packs.FOLDER
    return sorted(path.name for path in folder.rglob("*") if f"-{pack_id}.zip" in path.name)


def _leftovers() -> list[str]:
    folder = get_settings().data_dir / packs.FOLDER
    if not folder.exists():
        return []
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


async def _actions(pack_id: int) -> list[str]:
    rows = (
        await AuditEvent.select(AuditEvent.action)
        .where((AuditEvent.entity == "evidence_pack") & (AuditEvent.entity_id == str(pack_id)))
        .order_by(AuditEvent.seq)
    )
    return [row["action"] for row in rows]


async def test_two_requests_at_once_share_one_pack_which_is_then_published(make_user: Any) -> None:
    auditor, manager = await make_user("auditor"), await make_user("service_manager")
    period = unique_period()
    first, second = await asyncio.gather(
        packs.request_pack(auditor, period, AS_OF), packs.request_pack(manager, period, AS_OF)
    )
    assert first.id == second.id
    assert await P.count().where(P.period_from == period.start) == 1
    await run_jobs()
    row = await P.objects().where(P.id == first.id).first()
    assert (row.status, row.progress, row.error) == ("done", 100, None)
    path = get_settings().data_dir / row.file_path
    assert verify_pack(path).ok
    assert _files_of(first.id) == [path.name]
    assert await _actions(first.id) == [packs.REQUESTED, packs.STARTED, packs.PUBLISHED]
    assert await packs.run_pack(first.id) == "done"  # a second run leaves the finished pack alone
    again = await packs.request_pack(auditor, period, AS_OF)
    assert again.id != first.id  # nothing in flight any more: a new pack
    await run_jobs()


async def test_a_failure_mid_way_publishes_nothing(make_user: Any) -> None:
    auditor = await make_user("auditor")
    pack_id = await queued_pack(auditor.user_id, unique_period())
    await run_jobs()
    before = _leftovers()
    assert await packs.run_pack(pack_id, FakeSource(fail=True)) == "failed"
    row = await P.objects().where(P.id == pack_id).first()
    assert row.status == "failed" and row.file_path is None
    assert "the records could not be read" in row.error
    assert _files_of(pack_id) == [] and _leftovers() == before
    assert await _actions(pack_id) == [packs.STARTED, packs.FAILED]


async def test_bad_requests_are_refused_and_write_nothing(make_user: Any) -> None:
    auditor, agent = await make_user("auditor"), await make_user("agent")
    period = unique_period()
    with pytest.raises(Invalid, match="in the future"):
        await packs.request_pack(auditor, period, clock.now() + timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        await packs.request_pack(agent, period)
    with pytest.raises(Invalid, match="must start before"):
        type(period)(period.end, period.start)
    assert await P.count().where(P.period_from == period.start) == 0


async def test_the_api_requests_lists_and_downloads_with_an_audit_event(api_as: Any) -> None:
    client, auditor = await api_as("auditor")
    period = unique_period()
    body = {"from": period.start.isoformat(), "to": period.end.isoformat(), "as_of": AS_OF.isoformat()}
    response = await client.post("/api/evidence-packs", json=body)
    assert response.status_code == 202, response.text
    pack_id = response.json()["id"]
    assert response.json()["status"] == "queued" and response.json()["download_url"] is None
    not_yet = await client.get(f"/api/evidence-packs/{pack_id}/file")
    assert not_yet.status_code in (404, 200)  # the in-process job may already have finished
    await run_jobs()
    listed = {pack["id"]: pack for pack in (await client.get("/api/evidence-packs")).json()}
    assert listed[pack_id]["status"] == "done" and listed[pack_id]["progress"] == 100
    download = await client.get(listed[pack_id]["download_url"])
    assert download.status_code == 200
    row = await P.objects().where(P.id == pack_id).first()
    assert download.content == (get_settings().data_dir / row.file_path).read_bytes()
    assert (await _actions(pack_id)).count(packs.DOWNLOADED) == 1
    event = (
        await AuditEvent.objects()
        .where(AuditEvent.action == packs.DOWNLOADED)
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    assert event.actor == auditor.audit_name


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": "2026-03-01", "to": "2026-03-01"}, "from"),
        ({"from": "2026-03-01", "to": "2026-04-01", "as_of": "2999-01-01T00:00:00+08:00"}, "as_of"),
    ],
)
async def test_the_api_refuses_bad_periods(api_as: Any, body: dict[str, str], field: str) -> None:
    client, _ = await api_as("auditor")
    before = await P.count()
    response = await client.post("/api/evidence-packs", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert await P.count() == before


async def test_the_page_lists_packs_and_takes_a_request(as_browser: Any, make_user: Any) -> None:
    manager = await make_user("service_manager")
    await as_browser.login(manager.username, PASSWORD)
    period = unique_period()
    response = await as_browser.post_form(
        "/evidence-packs", {"from": period.start.isoformat(), "to": period.end.isoformat(), "as_of": ""}
    )
    assert response.status_code == 303, response.text
    await run_jobs()
    page = await as_browser.client.get("/evidence-packs")
    assert page.status_code == 200
    pack = await P.objects().where(P.period_from == period.start).first()
    assert f'data-pack="{pack.id}" data-status="done"' in page.text
    assert f"/evidence-packs/{pack.id}/download" in page.text
    bad = await as_browser.post_form("/evidence-packs", {"from": "2026-03-01", "to": "not a date"})
    assert bad.status_code == 400


def test_nothing_is_left_in_the_packs_folder_but_packs(data_dir: Path) -> None:
    folder = data_dir / packs.FOLDER
    if folder.exists():
        assert all(path.suffix == ".zip" for path in folder.iterdir())


async def test_the_sweeper_requeues_a_pack_whose_job_was_lost(make_user: Any) -> None:
    from audit_export.tasks import requeue_stale_packs

    auditor = await make_user("auditor")
    pack_id = await queued_pack(auditor.user_id, unique_period())
    await P.update({P.requested_at: clock.now() - timedelta(hours=1)}).where(P.id == pack_id)
    assert await requeue_stale_packs({}) >= 1
    await run_jobs()
    assert (await P.objects().where(P.id == pack_id).first()).status == "done"
