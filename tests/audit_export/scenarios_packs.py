"""Audit scenarios for audit_export.services.packs (see tests/audit_scenarios.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from audit_export.services import packs
from tests.audit_export.pack.fakes import FakeSource, queued_pack, unique_period
from tests.audit_scenarios import Scenarios


async def _request(ctx: dict[str, Any]) -> Any:
    auditor = await ctx["make_user"]("auditor")
    return await packs.request_pack(auditor, unique_period())


async def _done_pack(ctx: dict[str, Any]) -> int:
    auditor = await ctx["make_user"]("auditor")
    ctx["auditor"] = auditor
    pack_id = await queued_pack(auditor.user_id, unique_period())
    assert await packs.run_pack(pack_id, FakeSource()) == "done"
    return pack_id


async def _download(ctx: dict[str, Any]) -> Any:
    pack_id = await _done_pack(ctx)
    return await packs.record_download(ctx["auditor"], pack_id)


async def _export(ctx: dict[str, Any]) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        return await packs.export_pack(
            ctx["system"], unique_period(), None, Path(folder) / "p.zip", FakeSource()
        )


SCENARIOS: Scenarios = {
    "audit_export.services.request_pack": ("audit_export.pack_requested", _request),
    "audit_export.services.run_pack": ("audit_export.pack_published", _done_pack),
    "audit_export.services.record_download": ("audit_export.pack_downloaded", _download),
    "audit_export.services.export_pack": ("audit_export.pack_exported", _export),
}
