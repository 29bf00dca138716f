"""Opening a bundle: a folder of CSV files, or a .zip of one, read as streams (never whole).

Limits are checked twice for a zip: first from its directory (declared sizes, compression ratio,
number of files) before anything is decompressed, then while streaming, since a zip's directory
can lie: a `GuardedStream` counts what actually comes out and stops at the file's limit or at a
compression ratio no CSV reaches (a zip bomb). A folder's files are checked by their size.

The bundle's identity is the SHA-256 of its content, the same for a folder and a zip of it:
sha256 over the sorted lines `name NUL sha256(file) LF`. `open_bundle` computes it in one streaming
pass, which also enforces the limits on every accepted file before the import reads any row.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import IO, Any

from audit_export.history.spec import Problem
from service_ops.errors import N_

MIB = 1024 * 1024
MAX_UPLOAD_BYTES = 1024 * MIB
"""A .zip bundle's own size on disk."""
MAX_FILE_BYTES = 512 * MIB
"""One CSV file, uncompressed."""
MAX_BUNDLE_BYTES = 1536 * MIB
"""All the CSV files together, uncompressed."""
MAX_RATIO = 100
"""Uncompressed / compressed size of a zip entry; CSV reaches 10–20, zip bombs 1000."""
RATIO_FLOOR = 4 * MIB
"""Entries smaller than this are not judged by their ratio (a small file can compress very well)."""
MAX_FILES = 200
CHUNK = MIB
WHOLE_FILE = "*"


class BundleLimitExceeded(Exception):
    """Raised while streaming an entry past a limit; `problem` says which."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Entry:
    """One CSV file of the bundle: its declared size and how to open it as a byte stream."""

    name: str
    size: int
    compressed: int | None  # zip entries only
    opener: Callable[[], IO[bytes]]


class GuardedStream(io.RawIOBase):
    """A byte stream that refuses to yield more than the entry's limits allow."""

    def __init__(self, entry: Entry) -> None:
        self._entry = entry
        self._inner = entry.opener()
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        self._check()
        return size

    def _check(self) -> None:
        entry, count = self._entry, self.count
        if count > MAX_FILE_BYTES:
            raise BundleLimitExceeded(_too_large(entry.name, count))
        if entry.compressed is not None:
            if count > entry.size:
                raise BundleLimitExceeded(
                    Problem(
                        entry.name,
                        0,
                        WHOLE_FILE,
                        N_("The zip entry holds more than its declared {size} bytes: refused."),
                        {"size": entry.size},
                    )
                )
            if count > RATIO_FLOOR and count > MAX_RATIO * max(entry.compressed, 1):
                raise BundleLimitExceeded(_bomb(entry.name))

    def close(self) -> None:
        self._inner.close()
        super().close()


@dataclass
class Bundle:
    entries: dict[str, Entry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""
    _archive: zipfile.ZipFile | None = None

    @property
    def names(self) -> list[str]:
        return sorted(self.entries)

    def open(self, name: str) -> IO[bytes]:
        """A buffered, guarded byte stream of the file `name`."""
        return io.BufferedReader(GuardedStream(self.entries[name]), CHUNK)

    def add(self, entry: Entry) -> None:
        """Accept `entry` unless it is not CSV or a limit is passed (then a problem is recorded)."""
        if not entry.name.lower().endswith(".csv"):
            self.problems.append(
                Problem(entry.name, 0, WHOLE_FILE, N_("Not a CSV file: a bundle holds only .csv files."))
            )
        elif len(self.entries) >= MAX_FILES:
            self.problems.append(
                Problem(entry.name, 0, WHOLE_FILE, N_("Too many files (at most {max})."), {"max": MAX_FILES})
            )
        elif entry.size > MAX_FILE_BYTES:
            self.problems.append(_too_large(entry.name, entry.size))
        elif sum(e.size for e in self.entries.values()) + entry.size > MAX_BUNDLE_BYTES:
            self.problems.append(
                Problem(
                    entry.name,
                    0,
                    WHOLE_FILE,
                    N_("The bundle's files together pass {max} uncompressed: refused."),
                    {"max": _size(MAX_BUNDLE_BYTES)},
                )
            )
        elif (
            entry.compressed is not None
            and entry.size > RATIO_FLOOR
            and entry.size > MAX_RATIO * max(entry.compressed, 1)
        ):
            self.problems.append(_bomb(entry.name))
        else:
            self.entries[entry.name] = entry

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _size(count: int) -> str:
    return f"{count / MIB:.0f} MB" if count >= MIB else f"{count} bytes"


def _too_large(name: str, size: int) -> Problem:
    return Problem(
        name,
        0,
        WHOLE_FILE,
        N_("The file is {size} uncompressed; at most {max}: refused."),
        {"size": _size(size), "max": _size(MAX_FILE_BYTES)},
    )


def _bomb(name: str) -> Problem:
    return Problem(
        name,
        0,
        WHOLE_FILE,
        N_("The zip entry is compressed more than {ratio} to 1 (a zip bomb?): refused."),
        {"ratio": MAX_RATIO},
    )


def open_bundle(path: Path) -> Bundle:
    """The files of a folder or a .zip, hashed; problems (not CSV, unsafe paths, limits) are collected.

    Use it as a context manager (a zip stays open while the import streams its files).
    """
    bundle = Bundle()
    if path.is_dir():
        _list_folder(path, bundle)
    elif path.is_file() and zipfile.is_zipfile(path):
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            bundle.problems.append(
                Problem(
                    path.name,
                    0,
                    WHOLE_FILE,
                    N_("The bundle is {size}; at most {max}: refused."),
                    {"size": _size(size), "max": _size(MAX_UPLOAD_BYTES)},
                )
            )
            return bundle
        bundle._archive = zipfile.ZipFile(path)
        _list_zip(bundle._archive, bundle)
    else:
        bundle.problems.append(
            Problem(path.name, 0, WHOLE_FILE, N_("A bundle is a folder or a .zip file of CSV files."))
        )
    _hash(bundle)
    return bundle


def _list_folder(path: Path, bundle: Bundle) -> None:
    for item in sorted(path.iterdir()):
        if item.name.startswith("."):
            continue  # hidden files (.DS_Store) are not part of a bundle
        if item.is_dir():
            bundle.problems.append(
                Problem(item.name, 0, WHOLE_FILE, N_("A folder inside the bundle is not allowed."))
            )
            continue
        bundle.add(Entry(item.name, item.stat().st_size, None, lambda item=item: item.open("rb")))  # type: ignore[misc]


def _list_zip(archive: zipfile.ZipFile, bundle: Bundle) -> None:
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
        opener = lambda info=info: archive.open(info)  # noqa: E731
        bundle.add(Entry(inner, info.file_size, info.compress_size, opener))  # type: ignore[misc]


def _hash(bundle: Bundle) -> None:
    """The bundle's SHA-256, streaming every accepted file; a file breaking a limit is dropped."""
    digests: dict[str, str] = {}
    for name in bundle.names:
        digest = hashlib.sha256()
        try:
            with bundle.open(name) as stream:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
        except BundleLimitExceeded as error:
            bundle.problems.append(error.problem)
            del bundle.entries[name]
            continue
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            bundle.problems.append(
                Problem(name, 0, WHOLE_FILE, N_("The file cannot be read: {error}"), {"error": str(error)})
            )
            del bundle.entries[name]
            continue
        digests[name] = digest.hexdigest()
    whole = hashlib.sha256()
    for name in sorted(digests):
        whole.update(f"{name}\0{digests[name]}\n".encode())
    bundle.sha256 = whole.hexdigest()


def _common_folder(names: list[str]) -> str:
    """`folder/` when every entry sits in one top folder (a zip of a folder), else ``."""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        return tops.pop() + "/"
    return ""
