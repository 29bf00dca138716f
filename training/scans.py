"""Scans of external certificates: checked, stored once by content (SHA-256) under the data folder."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from service_ops import files
from service_ops.errors import Invalid
from service_ops.settings import get_settings

SCAN_FOLDER_NAME = "certificates"
SCAN_FOLDER = Path("uploads") / SCAN_FOLDER_NAME
MAGIC = {
    ".pdf": b"%PDF-",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}


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
    _, relative = await files.store(scan.content, SCAN_FOLDER_NAME, scan.extension)
    return relative


def scan_file(relative_path: str) -> Path:
    """The stored file of a scan path kept on a certificate (never outside the scan folder)."""
    return files.stored_path(relative_path, SCAN_FOLDER_NAME)


def media_type(relative_path: str) -> str:
    return files.media_type(relative_path)
