"""`service-ops verify-pack FILE`: does every file match the manifest, and nothing else ride along?

Needs no database: an auditor can check a pack on their own machine. Each problem names the
file it is about, so a tampered entry or an edited manifest is pointed at, not just "invalid".
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit_export.pack.manifest import FORMAT, INDICATORS, MANIFEST
from audit_export.pack.writer import CHUNK

CROSS_CHECKED = ("period", "as_of", "rubric_version")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Verification:
    files_checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_pack(path: Path) -> Verification:
    """Check the manifest's format, each listed file's size and SHA-256, and that the archive
    holds no file the manifest does not list."""
    result = Verification()
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = _manifest(archive, result)
            if manifest is not None:
                _check_files(archive, manifest, result)
                _check_indicators(archive, manifest, result)
    except (zipfile.BadZipFile, OSError) as error:
        result.problems.append(Problem(path.name, f"not a readable zip archive ({error})"))
    return result


def _manifest(archive: zipfile.ZipFile, result: Verification) -> dict[str, Any] | None:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        result.problems.append(Problem(MANIFEST, "missing"))
        return None
    except (ValueError, zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        result.problems.append(Problem(MANIFEST, f"not valid JSON ({error})"))
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        result.problems.append(Problem(MANIFEST, f"format is not {FORMAT}"))
        return None
    if not isinstance(manifest.get("files"), list):
        result.problems.append(Problem(MANIFEST, "has no list of files"))
        return None
    return manifest


def _check_files(archive: zipfile.ZipFile, manifest: dict[str, Any], result: Verification) -> None:
    present = {info.filename: info for info in archive.infolist() if not info.is_dir()}
    listed: set[str] = set()
    for entry in manifest["files"]:
        name = str(entry.get("path", "")) if isinstance(entry, dict) else ""
        if not name:
            result.problems.append(Problem(MANIFEST, f"a files entry has no path: {entry!r}"))
            continue
        listed.add(name)
        if name not in present:
            result.problems.append(Problem(name, "listed in the manifest but missing from the pack"))
            continue
        result.files_checked += 1
        problem = _check_entry(archive, present[name], entry)
        if problem:
            result.problems.append(Problem(name, problem))
    for name in sorted(set(present) - listed - {MANIFEST}):
        result.problems.append(Problem(name, "in the pack but not listed in the manifest"))


def _check_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: dict[str, Any]) -> str | None:
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(info) as source:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:  # a flipped byte: CRC or inflate
        return f"cannot be read back ({error})"
    if size != entry.get("size"):
        return f"size {size} does not match the manifest's {entry.get('size')}"
    if digest.hexdigest() != entry.get("sha256"):
        return "SHA-256 does not match the manifest"
    return None


def _check_indicators(archive: zipfile.ZipFile, manifest: dict[str, Any], result: Verification) -> None:
    """The manifest's period, as_of and rubric version must be those of indicators.json."""
    try:
        indicators = json.loads(archive.read(INDICATORS))
    except (KeyError, ValueError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return  # already reported as a file problem
    for key in CROSS_CHECKED:
        if manifest.get(key) != indicators.get(key):
            result.problems.append(Problem(MANIFEST, f"{key} differs from {INDICATORS}"))
