"""The admin history-import page: upload, background job with progress, problems, limits, access."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import re
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from audit_export.history.spec import registered_specs
from audit_export.services import history_jobs
from audit_export.tables import HistoryImportJob
from service_ops.actor import Actor
from service_ops.errors import Conflict
from service_ops.settings import get_settings
from tests.audit_export.history.bundles import edit, example_bundle
from tests.conftest import PASSWORD, engine_name, run_jobs


def zipped(folder: Path) -> bytes:
    """The bundle folder as a .zip, with only the files the importer knows (others are added by
    other domains as they land)."""
    known = registered_specs()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.name in known:
                archive.write(path, path.name)
    return buffer.getvalue()


def good_bundle(tmp_path: Path) -> bytes:
    folder, _ = example_bundle(tmp_path)
    return zipped(folder)


def broken_bundle(tmp_path: Path) -> bytes:
    folder, prefix = example_bundle(tmp_path)
    edit(folder, "regions.csv", f"{prefix}R01", f"{prefix}R01-too-long-for-a-region-code" + "x" * 40)
    edit(folder, "customers.csv", f"{prefix}R03", "NO-SUCH-REGION")
    return zipped(folder)


async def admin_browser(as_browser: Any, make_user: Any, role: str = "admin") -> Any:
    actor = await make_user(role)
    await as_browser.login(actor.username, PASSWORD)
    return as_browser


ENGLISH = {"Accept-Language": "en"}


async def upload_page(browser: Any, content: bytes, filename: str = "bundle.zip") -> Any:
    token = await browser.csrf()
    return await browser.client.post(
        "/history-import",
        data={"_csrf_token": token},
        files={"file": (filename, content, "application/zip")},
        headers=ENGLISH,
    )


def job_id_of(response: Any) -> int:
    assert response.status_code == 303, response.text[:500]
    match = re.fullmatch(r"/history-import/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


@pytest.fixture
def tiny_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    small = dataclasses.replace(get_settings(), upload_max_bytes=2000)
    monkeypatch.setattr(history_jobs, "get_settings", lambda: small)
    return small.upload_max_bytes


async def test_an_uploaded_bundle_is_imported_in_the_background(
    as_browser: Any, make_user: Any, tmp_path: Path
) -> None:
    browser = await admin_browser(as_browser, make_user)
    page = await browser.client.get("/history-import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    job_id = job_id_of(await upload_page(browser, good_bundle(tmp_path), "历史 2026.zip"))
    await run_jobs()

    job = (await browser.client.get(f"/api/history-imports/{job_id}")).json()
    assert job["status"] == "done", job
    assert job["progress"] == 100 and job["problems"] == []
    assert job["filename"] == "历史 2026.zip"
    assert job["summary"]["files"]["regions.csv"] == {"inserted": 3, "updated": 0, "unchanged": 0}
    assert job["summary"]["files"]["tickets.csv"]["inserted"] == 3

    detail = await browser.client.get(f"/history-import/{job_id}")
    assert 'id="job-summary"' in detail.text and 'data-file="tickets.csv"' in detail.text
    assert "<script>" not in detail.text  # finished: nothing left to poll
    listing = await browser.client.get("/history-import")
    assert f'data-job="{job_id}" data-status="done"' in listing.text


async def test_a_broken_bundle_fails_with_every_problem_listed(
    as_browser: Any, make_user: Any, tmp_path: Path
) -> None:
    browser = await admin_browser(as_browser, make_user)
    job_id = job_id_of(await upload_page(browser, broken_bundle(tmp_path)))
    await run_jobs()

    job = (await browser.client.get(f"/api/history-imports/{job_id}")).json()
    assert job["status"] == "failed" and job["summary"] == {}
    assert len(job["problems"]) >= 2
    assert any(re.match(r"regions\.csv:\d+: code: ", text) for text in job["problems"]), job["problems"]
    assert any(re.match(r"customers\.csv:\d+: region_code: ", text) for text in job["problems"])
    detail = await browser.client.get(f"/history-import/{job_id}")
    assert 'id="job-problems"' in detail.text
    assert all(problem.split(":")[0] in detail.text for problem in job["problems"])


async def test_an_upload_over_the_limit_is_refused_before_it_is_stored(
    as_browser: Any, make_user: Any, tiny_limit: int, data_dir: Path
) -> None:
    browser = await admin_browser(as_browser, make_user)
    before = await HistoryImportJob.count()
    big = b"PK\x03\x04" + b"0" * (tiny_limit + history_jobs.MULTIPART_OVERHEAD + 1)
    response = await upload_page(browser, big)
    assert response.status_code == 413
    assert "larger than the upload limit" in response.text
    assert await HistoryImportJob.count() == before


async def test_a_streamed_upload_is_cut_off_at_the_limit(api_client: Any, tiny_limit: int) -> None:
    """No Content-Length (chunked): the body is counted as it arrives and never read whole."""
    client = await api_client("admin")
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.zip"\r\n\r\n'
        for _ in range(10_000):
            sent += 1
            yield b"0" * 1024

    response = await client.post(
        "/api/history-imports",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=b", **ENGLISH},
    )
    assert response.status_code == 413
    assert "larger than the upload limit" in response.json()["detail"]
    assert sent < 200  # 10 MB offered, cut off after about the limit


async def test_a_2_gb_upload_is_refused_by_its_content_length_before_any_byte_is_read(
    api_client: Any,
) -> None:
    client = await api_client("admin")
    read = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal read
        read += 1
        yield b"--b--\r\n"

    response = await client.post(
        "/api/history-imports",
        content=body(),
        headers={
            "Content-Type": "multipart/form-data; boundary=b",
            "Content-Length": str(2 * 1024**3),
            **ENGLISH,
        },
    )
    assert response.status_code == 413, response.text
    assert "larger than the upload limit" in response.json()["detail"]
    assert read == 0


async def test_the_service_counts_a_stream_against_the_limit(tiny_limit: int, make_user: Any) -> None:
    admin = await make_user("admin")
    read = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(100):
            read += 1
            yield b"0" * 1000

    with pytest.raises(history_jobs.UploadTooLarge) as refused:
        await history_jobs.request_import(admin, "big.zip", chunks())
    assert refused.value.status_code == 413 and read <= 3


async def test_only_admins_see_or_use_the_page(
    as_browser: Any, make_user: Any, api_client: Any, tmp_path: Path
) -> None:
    for role in ("service_manager", "auditor"):
        browser = await admin_browser(as_browser, make_user, role)
        assert (await browser.client.get("/history-import")).status_code == 403
        assert (await upload_page(browser, good_bundle(tmp_path / role))).status_code == 403
        await browser.client.post("/logout", data={"_csrf_token": await browser.csrf()})
    client = await api_client("hq_manager")
    assert (await client.get("/api/history-imports")).status_code == 403


async def test_a_second_upload_while_one_is_in_flight_is_a_conflict(
    as_browser: Any, api_client: Any, make_user: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin: Actor = await make_user("admin")
    monkeypatch.setattr(history_jobs, "enqueue_after_commit", lambda *args, **kwargs: None)
    first = await history_jobs.request_import(admin, "first.zip", good_bundle(tmp_path / "a"))
    try:
        assert first.status == "queued"
        with pytest.raises(Conflict):
            await history_jobs.request_import(admin, "second.zip", good_bundle(tmp_path / "b"))
        browser = await admin_browser(as_browser, make_user)
        detail = (await browser.client.get(f"/history-import/{first.id}")).text
        assert 'id="job-progress"' in detail and "/api/history-imports/" in detail and "<script>" in detail
        assert 'id="job-refresh"' in detail  # without JavaScript: a refresh link
        listing = (await browser.client.get("/history-import")).text
        assert 'data-field="running"' in listing and f'href="/history-import/{first.id}"' in listing
        client = await api_client("admin")
        response = await client.post(
            "/api/history-imports",
            files={"file": ("second.zip", good_bundle(tmp_path / "c"), "application/zip")},
            headers=ENGLISH,
        )
        assert response.status_code == 409, response.text
        assert "An import is running" in response.json()["detail"]
    finally:
        assert await history_jobs.run_import_job(first.id) == "done"
    assert await history_jobs.run_import_job(first.id) == "done"  # a second run leaves it alone


async def test_an_import_left_in_flight_can_be_abandoned_to_free_the_slot(
    as_browser: Any, make_user: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = await admin_browser(as_browser, make_user)
    monkeypatch.setattr(history_jobs, "enqueue_after_commit", lambda *args, **kwargs: None)
    stuck = job_id_of(await upload_page(browser, good_bundle(tmp_path / "a")))
    assert (await upload_page(browser, good_bundle(tmp_path / "b"))).status_code == 409
    refused = await browser.post_form(f"/history-import/{stuck}/abandon", {"reason": ""})
    assert refused.status_code == 400
    done = await browser.post_form(f"/history-import/{stuck}/abandon", {"reason": "服务器重启"})
    assert done.status_code == 303
    job = await history_jobs.get_job(stuck)
    assert job.status == "failed" and "服务器重启" in job.problems[0]
    again = await browser.post_form(f"/history-import/{stuck}/abandon", {"reason": "twice"})
    assert again.status_code == 409
    monkeypatch.undo()
    job_id = job_id_of(await upload_page(browser, good_bundle(tmp_path / "c")))
    await run_jobs()
    assert (await history_jobs.get_job(job_id)).status == "done"


async def test_a_file_that_is_not_a_zip_is_refused(make_user: Any) -> None:
    from service_ops.errors import Invalid

    with pytest.raises(Invalid) as refused:
        await history_jobs.request_import(await make_user("admin"), "regions.csv", b"code,name\n")
    assert refused.value.field == "file"


async def test_progress_is_visible_while_the_import_runs(
    make_user: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await make_user("admin")
    monkeypatch.setattr(history_jobs, "enqueue_after_commit", lambda *args, **kwargs: None)
    job = await history_jobs.request_import(admin, "b.zip", good_bundle(tmp_path))
    real_import = history_jobs.import_history
    seen: dict[str, Any] = {}

    async def observed(actor: Actor, path: Path, progress: Any = None) -> Any:
        progress("regions.csv", "reading")
        await asyncio.sleep(0.05)  # the row is written beside the import's transaction (PostgreSQL)
        seen["page"] = await history_jobs.get_job(job.id)
        seen["row"] = await HistoryImportJob.select(HistoryImportJob.stage).where(
            HistoryImportJob.id == job.id
        )
        return await real_import(actor, path, progress)

    monkeypatch.setattr(history_jobs, "import_history", observed)
    assert await history_jobs.run_import_job(job.id) == "done"
    live = seen["page"]
    assert live.status == "running" and 0 < live.progress < 100 and "regions.csv" in live.stage
    if engine_name() == "postgres":
        assert seen["row"] == [{"stage": "reading:regions.csv"}]


def test_progress_rises_through_reading_checking_and_writing() -> None:
    tracker = history_jobs._Progress(job_id=-1, total_files=2, persist=False)
    seen = []
    for name in ("a.csv", "b.csv"):
        for stage in ("reading", "checking", "checking", "written"):
            tracker(name, stage)
            seen.append(tracker.state[0])
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] == 99
    assert seen[3] == 49  # a.csv written: half the steps
    assert history_jobs._live.pop(-1) == (99, "written:b.csv")
    assert history_jobs.stage_label("checking:tickets.csv") in (
        "Checking tickets.csv",
        "正在检查 tickets.csv",
    )
