"""Input files of an import: a file, a folder tree, or a .zip / .tar.gz of them.

``iter_inputs("feeds.zip", wanted)`` yields one :class:`InputFile` per member, in name
order, each opened lazily as a byte stream, so a large archive or CSV is never held in
memory.  ``.gz`` files (``data.csv.gz``) are decompressed on the fly.

Hostile inputs: compressed data may inflate only so far (``crawler.inflate``: 200x its
stored size, at least 64 MiB), and a folder walk never reads outside the folder: a
symbolic link whose target is elsewhere is refused (``outside_folder``), never opened.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crawler.errors import UserError
from crawler.inflate import BoundedReader, allowed_size

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


@dataclass
class InputFile:
    """One file to read: ``name`` is what origins and rejects cite (``saved/feeds.zip/a.xml``)."""

    name: str
    size: int  # bytes as stored (for the progress estimate); 0 when unknown
    mtime: datetime | None  # the file's own modification time, UTC
    opener: Callable[[], io.RawIOBase | io.BufferedIOBase]
    stream: CountingReader | None = None  # the last stream opened (progress reads it)

    def open(self) -> CountingReader:
        """A buffered byte stream that counts what it has read (for progress)."""
        raw = self.opener()
        if self.name.lower().endswith(".gz") and not self.name.lower().endswith(
            (".tar.gz", ".tgz")
        ):
            raw = BoundedReader(
                gzip.GzipFile(fileobj=raw), allowed_size(self.size), self.name
            )
        self.stream = CountingReader(raw)
        return self.stream


class OutsideFolder(OSError):
    """A file of a folder walk that is a link to somewhere outside the folder."""


def _refuse(label: str, target: Path):
    def opener():
        raise OutsideFolder(f"{label} links to {target}, outside the folder: not read")

    return opener


class CountingReader(io.BufferedReader):
    """``io.BufferedReader`` over any byte stream, counting bytes pulled through it."""

    def __init__(self, stream):
        self._counter = BoundedReader(stream, sys.maxsize)  # counting, no limit
        super().__init__(self._counter, buffer_size=1 << 16)

    @property
    def bytes_read(self) -> int:
        return self._counter.count


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def is_archive(path: str | os.PathLike) -> bool:
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def _member_wanted(name: str, wanted: Callable[[str], bool]) -> bool:
    base = name.rsplit("/", 1)[-1]
    return (
        bool(base)
        and not base.startswith(".")
        and "__MACOSX" not in name
        and wanted(name)
    )


def _zip_members(path: Path, wanted: Callable[[str], bool]) -> Iterator[InputFile]:
    with zipfile.ZipFile(path) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir() or not _member_wanted(info.filename, wanted):
                continue
            # Zip times are local wall-clock without a zone: read them as UTC.
            mtime = datetime(*info.date_time, tzinfo=UTC)
            limit = allowed_size(info.compress_size)
            yield InputFile(
                f"{path}/{info.filename}",
                info.file_size,
                mtime,
                lambda info=info, limit=limit: BoundedReader(
                    archive.open(info), limit, f"{path}/{info.filename}"
                ),
            )


def _tar_members(path: Path, wanted: Callable[[str], bool]) -> Iterator[InputFile]:
    # Streaming mode ("r|*"): members are read in archive order, nothing is seeked.
    limit = allowed_size(path.stat().st_size)
    with tarfile.open(path, mode="r|*") as archive:
        for member in archive:
            if not member.isfile() or not _member_wanted(member.name, wanted):
                continue
            stream = archive.extractfile(member)
            name = f"{path}/{member.name}"
            yield InputFile(
                name,
                member.size,
                _utc(member.mtime),
                lambda stream=stream, name=name: BoundedReader(stream, limit, name),
            )


def _plain(path: Path, label: str) -> InputFile:
    stat = path.stat()
    return InputFile(label, stat.st_size, _utc(stat.st_mtime), lambda: open(path, "rb"))


def iter_inputs(
    path: str | os.PathLike, wanted: Callable[[str], bool]
) -> Iterator[InputFile]:
    """Every wanted file under ``path`` (file, folder tree, or archive), in name order.

    ``wanted(name)`` filters members of folders and archives by name; a path given
    directly is always read.  Archives found inside a folder are opened too.
    """
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path} does not exist - give a file, folder or archive")
    if path.is_file():
        if is_archive(path):
            yield from (_zip_members if zipfile.is_zipfile(path) else _tar_members)(
                path, wanted
            )
        else:
            yield _plain(path, str(path))
        return
    folder = path.resolve()
    for root, dirs, files in os.walk(path):  # symlinked folders are not entered
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            full = Path(root) / name
            label = str(full)
            if name.startswith("."):
                continue
            if full.is_symlink():
                target = full.resolve()
                if folder not in target.parents:
                    if is_archive(full) or wanted(label):
                        yield InputFile(label, 0, None, _refuse(label, target))
                    continue
                if not target.is_file():
                    continue
            if is_archive(full):
                yield from iter_inputs(full, wanted)
            elif wanted(label):
                yield _plain(full, label)


def total_size(path: str | os.PathLike, wanted: Callable[[str], bool]) -> int:
    """Bytes to read (stored sizes; cheap: no member is decompressed)."""
    path = Path(path)
    if path.is_file() and not is_archive(path):
        return path.stat().st_size
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return sum(
                i.file_size
                for i in archive.infolist()
                if not i.is_dir() and _member_wanted(i.filename, wanted)
            )
    if path.is_file():
        return path.stat().st_size  # compressed tar: the stored size is a fair guess
    total = 0
    folder = path.resolve()
    for root, _, files in os.walk(path):
        for name in files:
            full = Path(root) / name
            if full.is_symlink() and folder not in full.resolve().parents:
                continue
            if not name.startswith(".") and (is_archive(full) or wanted(str(full))):
                total += (
                    total_size(full, wanted)
                    if is_archive(full)
                    else full.stat().st_size
                )
    return total
