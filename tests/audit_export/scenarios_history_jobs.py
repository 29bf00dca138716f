"""Audit scenarios for audit_export.services.history_jobs (see tests/audit_scenarios.py)."""

from __future__ import annotations

import io
import zipfile
from typing import Any
from unittest import mock

from audit_export.services import history_jobs
from tests.audit_scenarios import Scenarios
from tests.conftest import run_jobs, unique


def one_region_bundle() -> bytes:
    """A valid bundle (.zip) of one new region."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "regions.csv", f"code,name,parent_code,is_sales_region\n{unique('HJ')},测试省,,false\n"
        )
    return buffer.getvalue()


async def _request(ctx: dict[str, Any]) -> Any:
    admin = await ctx["make_user"]("admin")
    job = await history_jobs.request_import(admin, "bundle.zip", one_region_bundle())
    await run_jobs()  # leave no import in flight for the next test
    return job


async def _run(ctx: dict[str, Any]) -> Any:
    admin = await ctx["make_user"]("admin")
    with mock.patch.object(history_jobs, "enqueue_after_commit"):
        job = await history_jobs.request_import(admin, "bundle.zip", one_region_bundle())
    return await history_jobs.run_import_job(job.id)


async def _abandon(ctx: dict[str, Any]) -> Any:
    admin = await ctx["make_user"]("admin")
    with mock.patch.object(history_jobs, "enqueue_after_commit"):
        job = await history_jobs.request_import(admin, "bundle.zip", one_region_bundle())
    return await history_jobs.abandon_import(admin, job.id, "the server was restarted")


SCENARIOS: Scenarios = {
    "audit_export.services.abandon_import": ("audit_export.history_import_abandoned", _abandon),
    "audit_export.services.request_import": ("audit_export.history_import_requested", _request),
    "audit_export.services.run_import_job": ("audit_export.history_import_finished", _run),
}
