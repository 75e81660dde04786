"""Reading input files into chunks of events, in this process or in a second one.

``read_chunks(paths, fmt, options)`` yields :class:`Chunk` objects (a list of events
plus the bytes read so far).  :class:`ParallelReader` runs the same generator in a
forked child and hands its chunks over a bounded queue, so parsing (csv, JSON, XML) on
one core overlaps with the SQLite writes and the normalizer on the other, and memory
stays bounded (at most ``QUEUE_CHUNKS`` chunks in flight).
"""

from __future__ import annotations

import csv
import ctypes
import multiprocessing
import os
import queue as queue_module
import signal
import sys
import tarfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from crawler.db import RawRow, sha256
from crawler.importers.formats import FORMATS, ImportFormat
from crawler.importers.inputs import InputFile, OutsideFolder, iter_inputs
from crawler.importers.records import FileDone, Reject
from crawler.inflate import TooLarge

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
CHUNK_ROWS = 2_000
QUEUE_CHUNKS = 8
# What bad input can raise out of a reader: the file is one reject (rows it yielded
# before are kept).  Readers handle bad rows themselves (crawler/importers/lines.py).
_READ_ERRORS = (
    OSError,
    zipfile.BadZipFile,
    tarfile.TarError,
    EOFError,
    csv.Error,
    ValueError,  # UnicodeError, JSON and number limits
    RecursionError,
)


@dataclass(slots=True)
class InputFailed:
    """A path (folder, archive) that could not be opened at all."""

    reject: Reject


@dataclass(slots=True)
class Chunk:
    # crawler.db.RawRow (a listing with its seen_at) | Reject | FileDone | InputFailed;
    # a RawRow crossing a process boundary carries its sha256 (hashed by the reader).
    events: list
    bytes_read: int


def _inputs(
    paths: Sequence[str], fmt: ImportFormat
) -> Iterator[InputFile | InputFailed]:
    for path in paths:
        try:
            yield from iter_inputs(path, fmt.wanted)
        except _READ_ERRORS as exc:
            yield InputFailed(
                Reject(str(path), "unreadable", f"{type(exc).__name__}: {exc}")
            )


def _read_file(inp: InputFile, fmt: ImportFormat, options: dict) -> Iterator:
    try:
        yield from fmt.read(inp, **options)
    except _READ_ERRORS as exc:
        yield Reject(inp.name, _reason(exc), f"{type(exc).__name__}: {exc}")
        yield FileDone(inp.name, ok=False)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OutsideFolder):
        return "outside_folder"
    if isinstance(exc, TooLarge):
        return "too_large"
    return "unreadable"


def read_chunks(
    paths: Sequence[str],
    fmt: ImportFormat,
    options: dict,
    *,
    chunk_rows: int = CHUNK_ROWS,
    flatten: bool = False,
) -> Iterator[Chunk]:
    """Every event of every input file, ``chunk_rows`` at a time."""
    done_bytes = 0
    events: list = []
    for inp in _inputs(paths, fmt):
        if isinstance(inp, InputFailed):
            events.append(inp)
            continue
        for event in _read_file(inp, fmt, options):
            if flatten and type(event) is RawRow and event.sha256 is None:
                # hashed here, in the reading process
                event = event._replace(sha256=sha256(event.payload))
            events.append(event)
            if len(events) >= chunk_rows:
                stream = inp.stream
                yield Chunk(events, done_bytes + (stream.bytes_read if stream else 0))
                events = []
        done_bytes += inp.stream.bytes_read if inp.stream else inp.size
    yield Chunk(events, done_bytes)


def die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this process when its parent dies (prctl)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # no prctl: the watchdog in _put still ends the process


def _put(out, item, parent: int) -> None:
    """``out.put(item)``, ending this process if the parent is gone (the watchdog)."""
    while True:
        try:
            out.put(item, timeout=1.0)
            return
        except queue_module.Full:
            if os.getppid() != parent:
                os._exit(1)


def _child(
    out,
    paths: list[str],
    format_name: str,
    options: dict,
    chunk_rows: int,
    parent: int,
) -> None:
    die_with_parent()
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    try:
        for chunk in read_chunks(
            paths, FORMATS[format_name], options, chunk_rows=chunk_rows, flatten=True
        ):
            _put(out, chunk, parent)
        _put(out, None, parent)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        _put(out, f"{type(exc).__name__}: {exc}", parent)


class ParallelReader:
    """``for chunk in ParallelReader(paths, "upwork-csv", options): ...`` (Linux: fork).

    The reading process dies with its parent, even when the parent is SIGKILLed
    (``die_with_parent``; elsewhere a watchdog checks ``getppid`` while it waits).

    Start it before any thread exists in the parent (the progress bar's monitor), as
    forking a threaded process is unsafe.
    """

    def __init__(
        self,
        paths: Sequence[str],
        format_name: str,
        options: dict,
        chunk_rows: int = CHUNK_ROWS,
    ):
        context = multiprocessing.get_context("fork")
        self.queue = context.Queue(maxsize=QUEUE_CHUNKS)
        self.process = context.Process(
            target=_child,
            args=(
                self.queue,
                [str(p) for p in paths],
                format_name,
                options,
                chunk_rows,
                os.getpid(),
            ),
            daemon=True,
        )
        self.process.start()

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            try:
                item = self.queue.get(timeout=1.0)
            except queue_module.Empty:
                if not self.process.is_alive():
                    raise RuntimeError(
                        f"the reading process died (exit code {self.process.exitcode})"
                    ) from None
                continue
            if item is None:
                return
            if isinstance(item, str):
                raise RuntimeError(f"reading failed: {item}")  # noqa: TRY004 - a message, not bad input
            yield item

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=10)
        self.queue.close()
