"""Input files of an import: a file, a folder tree, or a .zip / .tar.gz of them.

``iter_inputs("feeds.zip", wanted)`` yields one :class:`InputFile` per member, in name
order, each opened lazily as a byte stream, so a large archive or CSV is never held in
memory.  ``.gz`` files (``data.csv.gz``) are decompressed on the fly.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from crawler.errors import UserError

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
            raw = gzip.GzipFile(fileobj=raw)
        self.stream = CountingReader(raw)
        return self.stream


class CountingReader(io.BufferedReader):
    """``io.BufferedReader`` over any byte stream, counting bytes pulled through it."""

    def __init__(self, stream):
        self._counter = _CountingRaw(stream)
        super().__init__(self._counter, buffer_size=1 << 16)

    @property
    def bytes_read(self) -> int:
        return self._counter.count


class _CountingRaw(io.RawIOBase):
    def __init__(self, stream):
        self.stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n

    def close(self) -> None:
        try:
            self.stream.close()
        finally:
            super().close()


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
            yield InputFile(
                f"{path}/{info.filename}",
                info.file_size,
                mtime,
                lambda info=info: archive.open(info),
            )


def _tar_members(path: Path, wanted: Callable[[str], bool]) -> Iterator[InputFile]:
    # Streaming mode ("r|*"): members are read in archive order, nothing is seeked.
    with tarfile.open(path, mode="r|*") as archive:
        for member in archive:
            if not member.isfile() or not _member_wanted(member.name, wanted):
                continue
            stream = archive.extractfile(member)
            yield InputFile(
                f"{path}/{member.name}",
                member.size,
                _utc(member.mtime),
                lambda stream=stream: stream,
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
        raise UserError(
            f"{path} does not exist - give a file, folder or archive"
        )
    if path.is_file():
        if is_archive(path):
            yield from (_zip_members if zipfile.is_zipfile(path) else _tar_members)(
                path, wanted
            )
        else:
            yield _plain(path, str(path))
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            full = Path(root) / name
            label = str(full)
            if name.startswith("."):
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
    for root, _, files in os.walk(path):
        for name in files:
            full = Path(root) / name
            if not name.startswith(".") and (is_archive(full) or wanted(str(full))):
                total += (
                    total_size(full, wanted)
                    if is_archive(full)
                    else full.stat().st_size
                )
    return total
