"""The pack file: byte-identical for the same state, period and as_of; contract layout; verify-pack
accepts it and names the file when an entry or the manifest was tampered with."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from audit_export.pack.verify import verify_pack
from audit_export.pack.writer import zip_time
from audit_export.services import packs
from service_ops import clock
from service_ops.cli import main
from tests.audit_export.pack.fakes import AS_OF, FakeSource, unique_period


@pytest.fixture
async def pack(system: Any, tmp_path: Path) -> Path:
    out = tmp_path / "pack.zip"
    await packs.export_pack(system, unique_period(), AS_OF, out, FakeSource())
    return out


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def _pdf_text(pack: Path, folder: Path) -> str:
    with zipfile.ZipFile(pack) as archive:
        (folder / "summary.pdf").write_bytes(archive.read("summary.pdf"))
    return subprocess.run(
        ["pdftotext", str(folder / "summary.pdf"), "-"], capture_output=True, check=True, text=True
    ).stdout


def _pdf_dates(pack: Path, folder: Path) -> list[str]:
    with zipfile.ZipFile(pack) as archive:
        (folder / "summary.pdf").write_bytes(archive.read("summary.pdf"))
    info = subprocess.run(
        ["pdfinfo", "-isodates", str(folder / "summary.pdf")], capture_output=True, check=True, text=True
    ).stdout
    return [line.split()[-1] for line in info.splitlines() if "Date:" in line]


def _flip_byte_in(pack: Path, name: str) -> None:
    """Flip one byte of an entry's stored data (the zip's own CRC no longer matches)."""
    with zipfile.ZipFile(pack) as archive:
        info = archive.getinfo(name)
    data = bytearray(pack.read_bytes())
    data[info.header_offset + 30 + len(info.filename) + 3] ^= 0x01
    pack.write_bytes(bytes(data))


def _rewrite(source: Path, target: Path, change: dict[str, bytes]) -> None:
    """Copy a zip, replacing the content of the entries named in `change`."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            copy.writestr(info, change.get(info.filename, original.read(info)))


async def test_same_state_period_and_as_of_give_the_same_bytes(system: Any, tmp_path: Path) -> None:
    period = unique_period()
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    built = await packs.export_pack(system, period, AS_OF, first, FakeSource())
    await packs.export_pack(system, period, AS_OF, second, FakeSource())  # the first export is audited
    assert first.read_bytes() == second.read_bytes()
    assert built.size_bytes == first.stat().st_size
    other_moment = tmp_path / "c.zip"
    await packs.export_pack(system, period, AS_OF.replace(second=16), other_moment, FakeSource())
    assert other_moment.read_bytes() != first.read_bytes()
    assert _names(tmp_path) == ["a.zip", "b.zip", "c.zip"]  # no temporary file left behind


async def test_the_pack_follows_the_contract(pack: Path) -> None:
    with zipfile.ZipFile(pack) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        indicators = json.loads(archive.read("indicators.json"))
        csv = archive.read("kpis/HOTLINE_ANSWER_RATE/numerator.csv")
        html = archive.read("index.html").decode()
        times = {info.date_time for info in archive.infolist()}
    assert names == sorted(names)
    assert times == {zip_time(AS_OF)}
    assert list(manifest) == ["format", "rubric_version", "period", "as_of", "audit_head", "files"]
    assert manifest["format"] == "service-ops-evidence-pack/1"
    listed = [entry["path"] for entry in manifest["files"]]
    assert listed == sorted(set(names) - {"manifest.json"})
    assert {"index.html", "summary.pdf", "summary.xlsx", "kpis/HOTLINE_ANSWER_RATE.xlsx"} <= set(listed)
    assert {"registers/complaints.csv", "samples/cases.csv"} <= set(listed)
    assert list(indicators) == ["period", "as_of", "rubric_version", "kpis", "items", "score", "grade"]
    assert indicators["kpis"]["HOTLINE_ANSWER_RATE"] == {"value": 0.75, "numerator": 3, "denominator": 4}
    assert indicators["as_of"] == manifest["as_of"] and indicators["as_of"][-6] in "+-"
    assert csv.startswith(b"\xef\xbb\xbfid,opened_at,outlet,amount\r\n")
    assert "北京网点" in csv.decode("utf-8-sig") and csv.count(b"\r\n") == 8  # header + 7 rows
    assert "http://" not in html and "https://" not in html and 'href="kpis/HOTLINE_ANSWER_RATE/' in html
    assert 'lang="zh-CN"' in html and 'lang="en"' in html


async def test_the_pdf_summary_prints_chinese(pack: Path, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext missing: run scripts/ensure-pdf-fonts.sh")
    assert "售后服务" in _pdf_text(pack, tmp_path)
    local = AS_OF.astimezone(clock.org_zone()).strftime("%Y-%m-%dT%H:%M:%S")
    assert [date[:19] for date in _pdf_dates(pack, tmp_path)] == [local, local]  # created, modified


async def test_workbooks_carry_as_of_as_their_dates(pack: Path) -> None:
    with zipfile.ZipFile(pack) as archive, zipfile.ZipFile(io.BytesIO(archive.read("summary.xlsx"))) as book:
        core = book.read("docProps/core.xml").decode()
        times = {info.date_time for info in book.infolist()}
    stamp = AS_OF.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f">{stamp}</dcterms:created>" in core and f">{stamp}</dcterms:modified>" in core
    assert times == {zip_time(AS_OF)}


async def test_verify_pack_accepts_an_untouched_pack(pack: Path) -> None:
    result = verify_pack(pack)
    assert result.ok, result.problems
    assert result.files_checked > 10
    run = CliRunner().invoke(main, ["verify-pack", str(pack)])
    assert run.exit_code == 0 and run.output.startswith("OK")


async def test_verify_pack_names_an_entry_with_a_flipped_byte(pack: Path) -> None:
    _flip_byte_in(pack, "indicators.json")
    result = verify_pack(pack)
    assert [problem.path for problem in result.problems] == ["indicators.json"]
    run = CliRunner().invoke(main, ["verify-pack", str(pack)])
    assert run.exit_code == 1 and "indicators.json" in run.output


async def test_verify_pack_names_a_changed_entry(pack: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(pack) as archive:
        html = archive.read("index.html")
    _rewrite(pack, tampered, {"index.html": html.replace(b"85.00", b"95.00")})
    assert [str(problem) for problem in verify_pack(tampered).problems] == [
        "index.html: SHA-256 does not match the manifest"
    ]


async def test_verify_pack_fails_after_the_manifest_was_edited(pack: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(pack) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    entry = next(entry for entry in manifest["files"] if entry["path"] == "summary.pdf")
    entry["sha256"] = "0" * 64
    edited = tmp_path / "edited.zip"
    _rewrite(pack, edited, {"manifest.json": json.dumps(manifest).encode()})
    assert [problem.path for problem in verify_pack(edited).problems] == ["summary.pdf"]

    manifest["files"] = [entry for entry in manifest["files"] if entry["path"] != "summary.pdf"]
    manifest["as_of"] = "2020-01-01T00:00:00+08:00"
    dropped = tmp_path / "dropped.zip"
    _rewrite(pack, dropped, {"manifest.json": json.dumps(manifest).encode()})
    problems = [str(problem) for problem in verify_pack(dropped).problems]
    assert "summary.pdf: in the pack but not listed in the manifest" in problems
    assert "manifest.json: as_of differs from indicators.json" in problems
    run = CliRunner().invoke(main, ["verify-pack", str(dropped)])
    assert run.exit_code == 1 and "summary.pdf" in run.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-03-01", "--to", "2026-03-01"], "须早于结束日期"),
        (["--from", "2026-04-01", "--to", "2026-03-01"], "须早于结束日期"),
        (
            ["--from", "2026-03-01", "--to", "2026-04-01", "--as-of", "2999-01-01T00:00:00+08:00"],
            "将来的时间",
        ),
        (["--from", "2026-03-01", "--to", "2026-04-01", "--as-of", "yesterday"], "ISO 8601"),
    ],
)
def test_export_evidence_refuses_bad_input_and_writes_nothing(
    arguments: list[str], message: str, tmp_path: Path
) -> None:
    out = tmp_path / "pack.zip"
    run = CliRunner().invoke(main, ["export-evidence", *arguments, "--out", str(out)])
    assert run.exit_code != 0
    assert message in run.output
    assert _names(tmp_path) == []
