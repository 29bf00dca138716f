"""Scans of external certificates: checked, stored once by content (SHA-256) under the data folder."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from service_ops.errors import Invalid
from service_ops.settings import get_settings

SCAN_FOLDER = Path("uploads") / "certificates"
MAGIC = {
    ".pdf": b"%PDF-",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
MEDIA_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


@dataclass(frozen=True)
class Scan:
    content: bytes
    filename: str
    extension: str
    sha256: str

    @property
    def relative_path(self) -> str:
        return (SCAN_FOLDER / f"{self.sha256}{self.extension}").as_posix()


def checked_scan(content: bytes | None, filename: str | None) -> Scan:
    """A scan that is present, not too large, and really a PDF, PNG or JPEG file."""
    if not content:
        raise Invalid(
            "A certificate for a course the person has not passed here can only be recorded as an "
            "external certificate with a scan of it.",
            field="scan",
        )
    limit = get_settings().upload_max_bytes
    if len(content) > limit:
        raise Invalid("The scan is too large (at most {max} MB).", field="scan", max=limit // (1024 * 1024))
    name = Path(filename or "").name[:200]
    extension = Path(name).suffix.lower()
    magic = MAGIC.get(extension)
    if magic is None or not content.startswith(magic):
        raise Invalid("The scan must be a PDF, PNG or JPEG file.", field="scan")
    return Scan(
        content=content, filename=name, extension=extension, sha256=hashlib.sha256(content).hexdigest()
    )


async def store(scan: Scan) -> str:
    """Write the scan (once per content) and return its path relative to the data folder."""
    await asyncio.to_thread(_write, get_settings().data_dir / scan.relative_path, scan.content)
    return scan.relative_path


def _write(target: Path, content: bytes) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{uuid.uuid4().hex}.part")
    partial.write_bytes(content)
    os.replace(partial, target)


def scan_file(relative_path: str) -> Path:
    """The stored file of a scan path kept on a certificate (never outside the scan folder)."""
    root = (get_settings().data_dir / SCAN_FOLDER).resolve()
    path = (get_settings().data_dir / relative_path).resolve()
    if root not in path.parents:
        raise Invalid("This scan path is not in the scan folder.")
    return path


def media_type(relative_path: str) -> str:
    return MEDIA_TYPES.get(Path(relative_path).suffix.lower(), "application/octet-stream")
