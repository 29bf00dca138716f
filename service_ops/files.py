"""Uploaded files (certificate scans, documents, site photos, signatures): recognised by their
content, written once per content under the data folder, named by their SHA-256.

Domains decide which types they accept and word their own errors; this module knows file types,
atomic content-addressed storage and safe lookup.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from service_ops.errors import Invalid
from service_ops.settings import get_settings


@dataclass(frozen=True)
class FileType:
    media_type: str
    extension: str


PDF = FileType("application/pdf", ".pdf")
PNG = FileType("image/png", ".png")
JPEG = FileType("image/jpeg", ".jpg")
WEBP = FileType("image/webp", ".webp")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_MAGIC = ((b"%PDF-", PDF), (PNG_MAGIC, PNG), (b"\xff\xd8\xff", JPEG))
MEDIA_TYPES = {kind.extension: kind.media_type for kind in (PDF, PNG, JPEG, WEBP, DOCX)} | {
    ".jpeg": JPEG.media_type
}


def sniff(content: bytes) -> FileType | None:
    """The type of a PDF, PNG, JPEG, WebP or Word (DOCX) file, judged by its content only."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    if content.startswith(b"PK\x03\x04") and _is_docx(content):
        return DOCX
    return None


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def within_limit(content: bytes) -> bool:
    return len(content) <= get_settings().upload_max_bytes


def limit_megabytes() -> int:
    return get_settings().upload_max_bytes // 2**20


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def store(content: bytes, folder: str, extension: str) -> tuple[str, str]:
    """Write the content under `uploads/<folder>/` once; its (sha256, path relative to the data folder)."""
    digest = sha256_of(content)
    relative = f"uploads/{folder}/{digest}{extension}"
    await asyncio.to_thread(_write, get_settings().data_dir / relative, content)
    return digest, relative


def _write(target: Path, content: bytes) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{uuid.uuid4().hex}.part")
    partial.write_bytes(content)
    os.replace(partial, target)


def stored_path(relative_path: str, folder: str) -> Path:
    """The file of a stored path, never outside `uploads/<folder>/` (a tampered path is refused)."""
    data_dir = get_settings().data_dir
    root = (data_dir / "uploads" / folder).resolve()
    path = (data_dir / relative_path).resolve()
    if root not in path.parents:
        raise Invalid("This file is not in the upload folder.")
    return path


def media_type(relative_path: str) -> str:
    return MEDIA_TYPES.get(Path(relative_path).suffix.lower(), "application/octet-stream")
