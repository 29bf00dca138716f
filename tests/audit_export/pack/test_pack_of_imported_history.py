"""Acceptance (issue 6): a history bundle imported, then exported twice, gives byte-identical
packs; verify-pack passes, and names the file after any byte of it changes."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from audit_export.history.generate import write_bundle
from audit_export.history.services import import_history
from audit_export.pack.verify import verify_pack
from audit_export.period import Period
from audit_export.services import packs
from service_ops import clock
from tests.audit_export.pack.test_pack_file import _rewrite


async def test_an_imported_history_exports_to_identical_verifiable_packs(system: Any, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    write_bundle(bundle, start=date(2025, 1, 1), months=3, tickets_per_month=40, seed=11, prefix="PK")
    await import_history(system, bundle)
    period = Period(date(2025, 1, 1), date(2025, 4, 1))
    as_of = datetime(2025, 4, 20, 9, 0, tzinfo=clock.org_zone())
    first, second = tmp_path / "first.zip", tmp_path / "second.zip"

    await packs.export_pack(system, period, as_of, first)
    await packs.export_pack(system, period, as_of, second)

    assert first.read_bytes() == second.read_bytes()
    assert verify_pack(first).ok
    with zipfile.ZipFile(first) as archive:
        indicators = json.loads(archive.read("indicators.json"))
        names = archive.namelist()
    tickets = indicators["kpis"]["complaints_per_1000_tickets"]["denominator"]
    assert tickets >= 100, "the imported tickets are what the pack describes"
    for name in ("index.html", "kpis/first_time_fix_rate/numerator.csv", "summary.pdf"):
        tampered = tmp_path / f"tampered-{name.replace('/', '-')}.zip"
        with zipfile.ZipFile(first) as archive:
            changed = bytearray(archive.read(name))
        changed[len(changed) // 2] ^= 0x01
        _rewrite(first, tampered, {name: bytes(changed)})
        result = verify_pack(tampered)
        assert not result.ok and [problem.path for problem in result.problems] == [name], result.problems
    assert names == sorted(names)
