"""The shared import path: read files -> raw_listings -> normalizer -> rollups -> run record.

``run_import(conn, ["feeds/"], "upwork-rss")`` reads every input file with the format's
reader, writes ``batch_size`` listings per transaction (raw rows, their normalized jobs
and the rejects together), then marks reposts and refreshes the rollups of the months it
touched, as a crawl does.  Memory stays flat: one batch and one input file at a time
(large CSV/JSONL files stream line by line).  Large inputs are parsed in a second
process (reading.py) while this one writes and normalizes.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tarfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from crawler.db import (
    RawRow,
    finish_run,
    record_skip,
    save_raw,
    start_run,
    transaction,
)
from crawler.importers.formats import FORMATS
from crawler.importers.inputs import total_size
from crawler.importers.reading import InputFailed, ParallelReader, read_chunks
from crawler.importers.records import FileDone, Reject
from crawler.killpoints import kill_point
from crawler.run_record import mark_interrupted, record_owner

#: Tests only: a file path; after its first batch the import writes its pid and its
#: reader's there and stops, so a test can kill it at a known point (no timing).
KILL_POINT_ENV = "JOBTRENDS_IMPORT_KILL_POINT"

# Listings per transaction.  Large batches matter for big raw-only imports: new keys
# are inserted in key order, so a batch writes each touched page of the primary-key
# index once; 50,000 rows cut the SQLite time per row by about a third against 10,000
# (the writer's peak RSS is about 120 MB on the 1M-row benchmark, whatever the input's
# size).  With the normalizer on, its rows and jobs per batch are larger: 10,000.
BATCH_SIZE = 50_000
NORMALIZE_BATCH_SIZE = 10_000
PARALLEL_BYTES = (
    32 * 1024 * 1024
)  # below this, a second process costs more than it saves
WAL_CHECKPOINT_PAGES = 16_384  # 64 MiB of 4 KiB pages (see run_import)
EXAMPLES = 20  # rejects quoted in the run's stats; all of them are in skipped_listings


class ImportFailed(Exception):
    """A --strict import met a bad row, or nothing at all could be read."""


@dataclass
class ImportReport:
    """What an import read and stored (also written to its crawl_runs row)."""

    run_id: int
    format: str
    source: str | None
    files: int = 0
    files_failed: int = 0
    rows_read: int = 0  # listings read + rejected
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    widened: int = 0
    older_versions: int = 0
    rejected: int = 0
    reasons: Counter = field(default_factory=Counter)
    examples: list[dict] = field(default_factory=list)
    normalized: int = 0
    normalize_issues: int = 0
    months: set[str] = field(default_factory=set)
    seconds: float = 0.0
    status: str = "running"

    @property
    def listings(self) -> int:
        return self.rows_read - self.rejected

    @property
    def rows_per_s(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0

    def stats(self) -> dict:
        out = asdict(self)
        out["reasons"] = dict(self.reasons.most_common())
        out["months"] = sorted(self.months)
        out["rows_per_s"] = round(self.rows_per_s, 1)
        out["seconds"] = round(self.seconds, 3)
        return out

    def lines(self) -> list[str]:
        """A short human summary."""
        out = [
            (
                f"import run {self.run_id} ({self.format}) {self.status}: {self.files} file(s), "
                f"{self.rows_read} rows in {self.seconds:.1f}s ({self.rows_per_s:,.0f} rows/s)"
            ),
            (
                f"  stored: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.duplicates} duplicates; {self.normalized} normalized"
            ),
        ]
        if self.rejected:
            reasons = ", ".join(f"{r} {n}" for r, n in self.reasons.most_common(6))
            out.append(
                f"  rejected: {self.rejected} ({reasons}) - see skipped_listings for run {self.run_id}"
            )
            for ex in self.examples[:5]:
                out.append(f"    {ex['where']}: {ex['reason']} {ex['detail'][:100]}")
        if self.files_failed:
            out.append(f"  {self.files_failed} file(s) could not be read")
        return out


class _Progress:
    """A tqdm bar in rows (rows/s, ETA); the total is estimated from bytes read so far."""

    def __init__(self, enabled: bool, total_bytes: int, desc: str):
        self.bar = None
        self.total_bytes = total_bytes
        self.done_bytes = 0
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(unit=" rows", desc=desc, mininterval=0.5, smoothing=0.1)

    def update(self, rows: int, bytes_read: int) -> None:
        if self.bar is None:
            return
        self.bar.update(rows)
        if bytes_read and self.total_bytes:
            self.bar.total = max(
                self.bar.n, int(self.bar.n * self.total_bytes / bytes_read)
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.total = self.bar.n
            self.bar.close()


def run_import(
    conn: sqlite3.Connection,
    paths: Sequence[str],
    format_name: str,
    *,
    source: str | None = None,
    mapping: dict[str, str] | None = None,
    strict: bool = False,
    progress: bool = False,
    batch_size: int | None = None,
    normalize: bool = True,
    parallel: bool | None = None,
    args: dict | None = None,
) -> ImportReport:
    """Import files into the database: ``run_import(conn, ["feeds.zip"], "upwork-rss")``.

    Raises ImportFailed (after recording the run as failed) when ``strict`` and a row
    is rejected, or when no listing at all could be read.  ``parallel`` reads in a
    second process (default: for inputs of PARALLEL_BYTES or more on a multi-core
    machine).  ``batch_size``: listings per transaction (default BATCH_SIZE without
    the normalizer, NORMALIZE_BATCH_SIZE with it).
    """
    fmt = FORMATS[format_name]
    source = fmt.source or source
    options = {"source": source, "mapping": mapping}
    run_args = {
        "format": format_name,
        "paths": [str(p) for p in paths],
        "source": source,
        "mapping": mapping,
        "strict": strict,
        **(args or {}),
    }
    run_id = start_run(conn, source or format_name, kind="import", args=run_args)
    # Like a crawl: who writes this run, so a later command can tell the process died.
    record_owner(conn, run_id)
    mark_interrupted(conn)
    report = ImportReport(run_id=run_id, format=format_name, source=source)
    total_bytes = sum(_safe_size(p, fmt.wanted) for p in paths)
    if parallel is None:
        parallel = total_bytes >= PARALLEL_BYTES and (os.cpu_count() or 1) > 1
    # The reading process is forked before the progress bar starts its monitor thread.
    reader = None
    if parallel:
        try:
            reader = ParallelReader(paths, format_name, options)
        except (OSError, ValueError):  # no fork here: read in this process
            reader = None
    chunks = reader if reader is not None else read_chunks(paths, fmt, options)
    bar = _Progress(progress, total_bytes, f"import {format_name}")
    started = time.perf_counter()
    batch: list[RawRow] = []
    rejects: list[Reject] = []
    pending = 0
    if batch_size is None:
        batch_size = NORMALIZE_BATCH_SIZE if normalize else BATCH_SIZE
    # Fewer, larger WAL checkpoints while bulk writing: each one syncs the files, and
    # at the default (1,000 pages) a large import waits on hundreds of them.  Same
    # durability (synchronous stays as set); the WAL file grows to about
    # WAL_CHECKPOINT_PAGES pages on disk, not in memory.
    autocheckpoint = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute(
        f"PRAGMA wal_autocheckpoint = {max(autocheckpoint, WAL_CHECKPOINT_PAGES)}"
    )

    def flush() -> None:
        nonlocal batch, rejects
        _write_batch(conn, batch, rejects, report, normalize=normalize)
        batch, rejects = [], []
        if stop_file:
            _stop_at_kill_point(stop_file, reader)

    stop_file = os.environ.get(KILL_POINT_ENV)

    try:
        for chunk in chunks:
            for event in chunk.events:
                kind = type(event)
                if kind is RawRow:  # a listing seen at its seen_at
                    batch.append(event)
                elif kind is FileDone:
                    report.files += 1
                    report.files_failed += not event.ok
                    continue
                else:  # Reject, or InputFailed (a path that could not be opened)
                    if kind is InputFailed:
                        report.files_failed += 1
                        event = event.reject
                    report.rows_read += 1
                    pending += 1
                    _note_reject(event, report, rejects, strict)
                    continue
                report.rows_read += 1
                pending += 1
                if len(batch) >= batch_size:
                    flush()
            bar.update(pending, chunk.bytes_read)
            pending = 0
        flush()
        if report.listings == 0:
            raise ImportFailed(
                f"nothing could be read from {', '.join(map(str, paths))} as {format_name}"
                + (
                    f" ({_top_reasons(report)})"
                    if report.rejected
                    else " (no matching files: check the path and --format)"
                )
            )
        if normalize and report.months:
            from crawler.normalize.bulk import after_store

            after_store(conn, report.months)
        report.status = (
            "finished" if not report.rejected and not report.files_failed else "partial"
        )
    except ImportFailed:
        report.status = "failed"
        if rejects:  # --strict: the bad row is recorded; the unwritten batch is dropped
            _write_batch(conn, [], rejects, report, normalize=False)
        _finish(conn, report, started, bar, reason=str(sys.exc_info()[1]))
        raise
    except BaseException as exc:
        report.status = "failed"
        try:
            _finish(conn, report, started, bar, reason=f"{type(exc).__name__}: {exc}")
        except sqlite3.Error as finish_exc:
            # The run record cannot be closed either (a full disk): the first error is
            # the one to show; the run is marked interrupted by a later command.
            bar.close()
            print(
                f"run {report.run_id} could not be closed: {finish_exc}",
                file=sys.stderr,
            )
        raise
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
        if reader is not None:
            reader.close()
    _finish(conn, report, started, bar, reason="finished")
    return report


def _stop_at_kill_point(path: str, reader) -> None:
    """Tests: say who we are, then wait to be killed (see KILL_POINT_ENV)."""
    import json
    import threading

    reader_pid = reader.process.pid if reader is not None else None
    tmp = f"{path}.tmp"
    with open(tmp, "w") as fh:
        json.dump({"pid": os.getpid(), "reader": reader_pid}, fh)
    os.replace(tmp, path)
    threading.Event().wait()


def _safe_size(path, wanted: Callable[[str], bool]) -> int:
    try:
        return total_size(path, wanted)
    except (OSError, zipfile.BadZipFile, tarfile.TarError):
        return 0


def _top_reasons(report: ImportReport) -> str:
    return ", ".join(f"{n} {r}" for r, n in report.reasons.most_common(3)) + (
        f"; first at {report.examples[0]['where']}" if report.examples else ""
    )


def _note_reject(
    reject: Reject, report: ImportReport, rejects: list[Reject], strict: bool
) -> None:
    report.rejected += 1
    report.reasons[reject.reason] += 1
    if len(report.examples) < EXAMPLES:
        report.examples.append(
            {"where": reject.where, "reason": reject.reason, "detail": reject.detail}
        )
    rejects.append(reject)
    if strict:
        raise ImportFailed(
            f"--strict: {reject.where}: {reject.reason} {reject.detail}".strip()
        )


def _write_batch(
    conn: sqlite3.Connection,
    batch: list[RawRow],
    rejects: list[Reject],
    report: ImportReport,
    *,
    normalize: bool,
) -> None:
    """One transaction: raw rows (min/max seen), their normalized jobs, the rejects.

    The report counts what is committed: it is updated only after COMMIT succeeded.
    """
    if not batch and not rejects:
        return
    normalized = None
    with transaction(conn):
        counts = save_raw(conn, batch, run_id=report.run_id, in_transaction=True)
        if normalize and counts.changed_keys:
            from crawler.normalize.bulk import normalize_keys

            # the stored version of each listing (the latest sighting's payload)
            normalized = normalize_keys(conn, counts.changed_keys, in_transaction=True)
        for reject in rejects:
            source = report.source or "import"
            record_skip(
                conn,
                run_id=report.run_id,
                source=source,
                url=reject.where,
                reason=reject.reason,
                detail=reject.detail,
                excerpt=reject.excerpt,
            )
    report.new += counts.new
    report.updated += counts.updated
    report.unchanged += counts.unchanged
    report.duplicates += counts.duplicates
    report.widened += counts.widened
    report.older_versions += counts.older_versions
    if normalized is not None:
        report.months |= normalized.months
        report.normalized += normalized.listings
        report.normalize_issues += normalized.issues
    kill_point("import.batch")


def _finish(
    conn: sqlite3.Connection,
    report: ImportReport,
    started: float,
    bar: _Progress,
    *,
    reason: str,
) -> None:
    bar.close()
    report.seconds = time.perf_counter() - started
    extra = {}
    columns = {r[1] for r in conn.execute("PRAGMA table_info(crawl_runs)")}
    if "duplicates" in columns:  # added to the schema later; older files lack it
        extra["duplicates"] = report.duplicates
    finish_run(
        conn,
        report.run_id,
        status=report.status,
        finish_reason=reason[:500],
        pages=report.files,
        items=report.listings,
        new=report.new,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped=report.rejected,
        errors=report.files_failed,
        stats=report.stats(),
        **extra,
    )
