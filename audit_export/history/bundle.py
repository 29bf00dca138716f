"""Opening a bundle: a folder of CSV files, or a .zip of one, read whole into memory (within limits).

The bundle's identity is the SHA-256 of its content, the same for a folder and a zip of it:
sha256 over the sorted lines `name NUL sha256(file) LF`.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from audit_export.history.spec import Problem
from service_ops.errors import N_

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_BUNDLE_BYTES = 2 * 1024 * 1024 * 1024
MAX_FILES = 200
WHOLE_FILE = "*"


@dataclass
class Bundle:
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(f"{name}\0{hashlib.sha256(self.files[name]).hexdigest()}\n".encode())
        return digest.hexdigest()

    def add(self, name: str, size: int, read: Callable[[], bytes]) -> None:
        if not name.lower().endswith(".csv"):
            self.problems.append(
                Problem(name, 0, WHOLE_FILE, N_("Not a CSV file: a bundle holds only .csv files."))
            )
        elif len(self.files) >= MAX_FILES:
            self.problems.append(
                Problem(name, 0, WHOLE_FILE, N_("Too many files (at most {max})."), {"max": MAX_FILES})
            )
        elif size > MAX_FILE_BYTES or sum(map(len, self.files.values())) + size > MAX_BUNDLE_BYTES:
            self.problems.append(Problem(name, 0, WHOLE_FILE, N_("The file or the bundle is too large.")))
        else:
            self.files[name] = read()


def open_bundle(path: Path) -> Bundle:
    """The files of a folder or a .zip; problems (not CSV, unsafe paths, limits) are collected."""
    bundle = Bundle()
    if path.is_dir():
        for entry in sorted(path.iterdir()):
            if entry.name.startswith("."):
                continue  # hidden files (.DS_Store) are not part of a bundle
            if entry.is_dir():
                bundle.problems.append(
                    Problem(entry.name, 0, WHOLE_FILE, N_("A folder inside the bundle is not allowed."))
                )
                continue
            bundle.add(entry.name, entry.stat().st_size, entry.read_bytes)
    elif path.is_file() and zipfile.is_zipfile(path):
        _read_zip(path, bundle)
    else:
        bundle.problems.append(
            Problem(path.name, 0, WHOLE_FILE, N_("A bundle is a folder or a .zip file of CSV files."))
        )
    return bundle


def _read_zip(path: Path, bundle: Bundle) -> None:
    with zipfile.ZipFile(path) as archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        prefix = _common_folder([info.filename for info in entries])
        for info in entries:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or (parts and ":" in parts[0]) or ".." in parts:
                bundle.problems.append(
                    Problem(name, 0, WHOLE_FILE, N_("Unsafe path in the zip (absolute or with “..”)."))
                )
                continue
            inner = name[len(prefix) :]
            if "/" in inner or PurePosixPath(inner).name.startswith("."):
                if "/" in inner:
                    bundle.problems.append(
                        Problem(name, 0, WHOLE_FILE, N_("A folder inside the bundle is not allowed."))
                    )
                continue
            bundle.add(inner, info.file_size, lambda info=info: archive.read(info))  # type: ignore[misc]


def _common_folder(names: list[str]) -> str:
    """`folder/` when every entry sits in one top folder (a zip of a folder), else ``."""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        return tops.pop() + "/"
    return ""
