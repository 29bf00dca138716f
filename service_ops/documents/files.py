"""Document files: PDF, DOCX, PNG or JPEG judged by their content, stored once by SHA-256.

Types and storage come from service_ops.files; the checks here are the documents' own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from service_ops import files
from service_ops.errors import Invalid
from service_ops.settings import get_settings

FOLDER = "documents"
ACCEPTED = (files.PDF, files.DOCX, files.PNG, files.JPEG)
DOCX_MEDIA_TYPE = files.DOCX.media_type
MEDIA_TYPES = {kind.extension: kind.media_type for kind in ACCEPTED}


@dataclass(frozen=True)
class DocumentFile:
    content: bytes
    filename: str
    media_type: str
    extension: str
    sha256: str


def file_type(content: bytes) -> tuple[str, str] | None:
    """(media type, extension) of a PDF, PNG, JPEG or Word (DOCX) file, judged by its content."""
    kind = files.sniff(content)
    return (kind.media_type, kind.extension) if kind in ACCEPTED else None


def checked_file(content: bytes | None, filename: str | None) -> DocumentFile:
    """A file that is present, within the upload limit, and really a PDF, DOCX, PNG or JPEG."""
    if not content:
        raise Invalid("Choose the document's file (PDF, DOCX, PNG or JPEG).", field="file")
    limit = get_settings().upload_max_bytes
    if len(content) > limit:
        raise Invalid("The file is too large (at most {max} MB).", field="file", max=limit // (1024 * 1024))
    found = file_type(content)
    name = Path((filename or "").replace("\\", "/")).name.strip()[:200]
    if found is None:
        raise Invalid("“{name}” is not a PDF, DOCX, PNG or JPEG file.", field="file", name=name[:80] or "?")
    media_type, extension = found
    return DocumentFile(
        content=content,
        filename=name or f"document{extension}",
        media_type=media_type,
        extension=extension,
        sha256=hashlib.sha256(content).hexdigest(),
    )


async def store(document: DocumentFile) -> str:
    """Write the file under the data folder (once per content); its path relative to that folder."""
    _, relative = await files.store(document.content, FOLDER, document.extension)
    return relative


def stored_file(relative_path: str) -> Path:
    """The file of a stored path (never outside the documents' upload folder)."""
    return files.stored_path(relative_path, FOLDER)
