"""The importer at scale: generated bundles, streaming in batches, COPY, zip limits, all or nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from audit_export.history import bundle as bundle_module
from audit_export.history.bundle import BundleLimitExceeded, Entry, GuardedStream, open_bundle
from audit_export.history.generate import write_bundle
from audit_export.history.services import HistoryImportInvalid, ImportProgress, import_history
from audit_export.history.spec import registered_specs
from service_ops import bulk
from service_ops.tables import AuditEvent
from tests.audit_export.history.bundles import table_counts
from tests.conftest import unique

MONTHS, PER_MONTH = 2, 40


def _generate(folder: Path, seed: int = 1) -> tuple[Path, str, dict[str, int]]:
    prefix = unique("")[-3:].upper()
    target = folder / f"bundle-{prefix}"
    counts = write_bundle(
        target, start=date(2026, 1, 1), months=MONTHS, tickets_per_month=PER_MONTH, seed=seed, prefix=prefix
    )
    for name in set(counts) - set(registered_specs()):
        (target / name).unlink()  # a file whose import is not registered (yet)
        del counts[name]
    return target, prefix, counts


async def _import(system: Any, path: Path, **options: Any) -> Any:
    try:
        return await import_history(system, path, **options)
    except HistoryImportInvalid as error:
        raise AssertionError("\n".join(map(str, error.problems[:20]))) from None


async def _tickets(prefix: str) -> int:
    rows = await AuditEvent.raw("SELECT COUNT(*) AS n FROM ticket WHERE number LIKE {}", f"{prefix}T%")
    return int(rows[0]["n"])


def test_the_generator_is_deterministic_and_complete(tmp_path: Path) -> None:
    one = write_bundle(tmp_path / "a", start=date(2026, 1, 15), months=3, tickets_per_month=50, seed=7)
    two = write_bundle(tmp_path / "b", start=date(2026, 1, 1), months=3, tickets_per_month=50, seed=7)
    assert one == two and one["tickets.csv"] == 150
    assert all(one[name] > 0 for name in one), one
    assert 1.0 < one["work_orders.csv"] / 150 < 1.4 and 1.2 < one["calls.csv"] / 150 < 1.8
    for name in one:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    tickets = (tmp_path / "a" / "tickets.csv").read_text(encoding="utf-8")
    assert ",cancelled\n" in tickets and ",resolved\n" in tickets


async def test_a_generated_bundle_imports_in_batches_then_changes_nothing(
    system: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "COPY_MIN_ROWS", 1)  # PostgreSQL: every insert and update by COPY
    path, prefix, counts = _generate(tmp_path)
    seen: list[ImportProgress] = []
    stages: list[tuple[str, str]] = []
    report = await _import(
        system,
        path,
        progress=lambda file, stage: stages.append((file, stage)),
        detail=seen.append,
        batch_rows=7,
    )
    assert {name: c["inserted"] for name, c in report.files.items()} == counts
    assert await _tickets(prefix) == counts["tickets.csv"]
    batches = [item.rows for item in seen if item.file == "tickets.csv" and item.stage == "checking"]
    assert batches == [*range(7, counts["tickets.csv"], 7), counts["tickets.csv"]]
    assert seen[-1].files_done == seen[-1].files_total == len(counts)
    assert ("tickets.csv", "reading") in stages and stages[-1][1] == "written"

    again = await _import(system, path, batch_rows=5)
    assert not again.changed
    assert {name: c["unchanged"] for name, c in again.files.items()} == counts

    tickets = path / "tickets.csv"
    lines = tickets.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[-1] = lines[-1].replace(",resolved\n", ",cancelled\n").replace(",open\n", ",cancelled\n")
    tickets.write_text("".join(lines), encoding="utf-8")
    corrected = await _import(system, path, batch_rows=5)
    assert corrected.files["tickets.csv"]["updated"] == 1 and len(corrected.corrections) == 1


async def test_a_problem_in_a_late_batch_leaves_nothing_written(system: Any, tmp_path: Path) -> None:
    path, prefix, _ = _generate(tmp_path)
    calls = path / "calls.csv"
    text = calls.read_text(encoding="utf-8")
    calls.write_text(text + f"{prefix}LATE,in,not-a-time,,,,nobody,\n", encoding="utf-8")
    counts = await table_counts()
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, path, batch_rows=5)
    line = len(text.splitlines()) + 1
    assert [str(p) for p in raised.value.problems] == [
        f"calls.csv:{line}: received_at: “not-a-time” is not an ISO 8601 timestamp."
    ]
    assert await table_counts() == counts and await _tickets(prefix) == 0


async def test_a_duplicate_in_a_later_batch_names_the_first_line(system: Any, tmp_path: Path) -> None:
    path, _, _ = _generate(tmp_path)
    customers = path / "customers.csv"
    lines = customers.read_text(encoding="utf-8").splitlines(keepends=True)
    customers.write_text("".join([*lines, lines[3]]), encoding="utf-8")
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, path, batch_rows=4)
    assert [str(p) for p in raised.value.problems] == [
        f"customers.csv:{len(lines) + 1}: code: Duplicate key (first on line 4)."
    ]


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return path


async def test_a_zip_bomb_is_refused_from_its_directory(
    system: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundle_module, "RATIO_FLOOR", 64 * 1024)
    archive = _zip(tmp_path / "bomb.zip", {"regions.csv": b"code,name\n" + b" " * 2_000_000})
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, archive)
    assert [str(p) for p in raised.value.problems] == [
        "regions.csv:0: *: The zip entry is compressed more than 100 to 1 (a zip bomb?): refused."
    ]


def test_a_zip_entry_is_checked_while_it_streams(tmp_path: Path) -> None:
    """The directory may lie: the stream itself stops past the declared size."""
    liar = Entry("calls.csv", 1000, 900, lambda: io.BytesIO(b"x" * 5000))
    stream = io.BufferedReader(GuardedStream(liar), 256)
    with pytest.raises(BundleLimitExceeded) as raised:
        stream.read()
    assert str(raised.value.problem) == (
        "calls.csv:0: *: The zip entry holds more than its declared 1000 bytes: refused."
    )
    archive = _zip(tmp_path / "lie.zip", {"regions.csv": b"code,name\n" + b"R1,a\n" * 1000})
    data = bytearray(archive.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")  # declared uncompressed size
    archive.write_bytes(bytes(data))
    with open_bundle(archive) as opened:
        assert not opened.entries
        assert [p.message for p in opened.problems] in (
            ["The file cannot be read: {error}"],
            ["The zip entry holds more than its declared {size} bytes: refused."],
        )


async def test_oversized_bundles_and_files_are_refused_before_reading(
    system: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _, _ = _generate(tmp_path)
    monkeypatch.setattr(bundle_module, "MAX_FILE_BYTES", 2000)
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, path)
    problems = [str(p) for p in raised.value.problems]
    size = (path / "tickets.csv").stat().st_size
    assert (
        f"tickets.csv:0: *: The file is {size} bytes uncompressed; at most 2000 bytes: refused." in problems
    )
    monkeypatch.setattr(bundle_module, "MAX_FILE_BYTES", 10**9)
    monkeypatch.setattr(bundle_module, "MAX_UPLOAD_BYTES", 200)
    archive = _zip(tmp_path / "big.zip", {"regions.csv": (path / "regions.csv").read_bytes() * 20})
    with pytest.raises(HistoryImportInvalid) as raised:
        await import_history(system, archive)
    size = archive.stat().st_size
    assert [str(p) for p in raised.value.problems] == [
        f"big.zip:0: *: The bundle is {size} bytes; at most 200 bytes: refused."
    ]
