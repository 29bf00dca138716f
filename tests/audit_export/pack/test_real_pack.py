"""The pack with the real KPI engine, drill-down and scoring: complete, verifiable, repeatable."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from audit_export.pack.verify import verify_pack
from audit_export.period import Period
from audit_export.services import packs
from service_ops.tables import AuditEvent
from tests.audit_export.pack.fakes import AS_OF


def _read(pack: Path) -> tuple[bytes, dict[str, Any], list[str]]:
    with zipfile.ZipFile(pack) as archive:
        return pack.read_bytes(), json.loads(archive.read("indicators.json")), archive.namelist()


async def test_a_real_pack_is_complete_verifiable_and_repeatable(system: Any, tmp_path: Path) -> None:
    period = Period(date(2026, 2, 1), date(2026, 3, 1))
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    await packs.export_pack(system, period, AS_OF, first)
    await packs.export_pack(system, period, AS_OF, second)
    content, indicators, names = _read(first)
    assert content == _read(second)[0]
    assert verify_pack(first).ok
    assert indicators["kpis"] and indicators["items"] and indicators["grade"]
    for code in indicators["kpis"]:
        assert f"kpis/{code}.xlsx" in names
    assert any(name.startswith("kpis/") and name.endswith("/denominator.csv") for name in names)


async def _cli(*arguments: str) -> tuple[int, str]:
    command = [str(Path(sys.executable).parent / "service-ops"), *arguments]
    process = await asyncio.create_subprocess_exec(
        *command, env=os.environ.copy(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_the_cli_exports_and_verifies_a_pack(tmp_path: Path) -> None:
    out = tmp_path / "evidence.zip"
    code, output = await _cli(
        "export-evidence",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-01",
        "--as-of",
        AS_OF.isoformat(),
        "--out",
        str(out),
    )
    assert code == 0, output
    assert "sha256" in output
    code, output = await _cli("verify-pack", str(out))
    assert code == 0 and "OK" in output, output
    event = (
        await AuditEvent.objects()
        .where(AuditEvent.action == packs.EXPORTED)
        .order_by(AuditEvent.seq, ascending=False)
        .first()
    )
    assert event is not None and "evidence.zip" in (event.after or "")


async def test_a_snapshot_between_two_exports_leaves_the_pack_unchanged(
    system: Any, make_user: Any, tmp_path: Path
) -> None:
    """Snapshots are bookkeeping like exports: their audit events do not move the pack's audit head."""
    from audit_export.services import snapshots

    manager = await make_user("service_manager")  # a new user is state: made before the first export
    period = Period(date(2026, 2, 1), date(2026, 3, 1))
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    await packs.export_pack(system, period, AS_OF, first)
    await snapshots.take_snapshot(manager, period, AS_OF)
    assert (await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.seq, ascending=False).first()) == {
        "action": "audit_export.snapshot_taken"
    }
    await packs.export_pack(system, period, AS_OF, second)
    assert first.read_bytes() == second.read_bytes()
