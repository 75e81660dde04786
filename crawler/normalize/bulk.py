"""Running the normalizer over stored raw listings (the only part that touches the DB).

``normalize_keys`` is what every writer calls after storing raw listings (a crawl's
close, an import batch, a Redis ingest, synth): it normalizes the stored listings it is
given (and whatever waits in the queue); ``normalize_db`` normalizes stored raw listings (all, or a run's, a source's, those
seen since a date, or the queue of listings waiting for it) in chunks with a progress bar,
then marks reposts and refreshes the rollups for the months it touched.

How the parallel path splits the work: this process only names chunks (rowid ranges or
lists of rowids); each worker reads its chunk's payloads itself through a read-only
connection (WAL lets it read while this process writes), normalizes them and sends back
rows already shaped for ``executemany``.  Payloads never cross a pipe, and the writer's
time goes to SQLite alone.

The queue (``normalize_queue``): a crawl stores raw payloads only and queues the listings
it added or changed, in the same transaction; its close normalizes the queue.  A crawl
killed before its close leaves its listings queued, and the next crawl's close (or
``jobtrends normalize``) normalizes them.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sqlite3
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field

from crawler import raw_codec
from crawler.db import (
    JOB_COLUMNS,
    deferred_fts,
    fts_add_rows,
    job_rows,
    transaction,
    write_job_rows,
)
from crawler.killpoints import kill_point
from crawler.normalize.listing import normalize_listing
from crawler.normalize.reposts import BlockKeys
from crawler.rollups import BatchRollups

logger = logging.getLogger(__name__)

CHUNK = 5000
BULK_FTS_ROWS = 50_000
# Above this many listings the work goes to worker processes (below, forking costs more).
PARALLEL_ROWS = 4 * CHUNK
# A bulk run that rewrites at least this many listings, and at least as many as `jobs`
# already holds, drops the secondary indexes of jobs/job_skill_ids and builds them once at
# the end: sorting once is several times cheaper than updating 9 B-trees row by row.
BULK_INDEX_ROWS = 50_000

_RAW_COLUMNS = (
    f"source, source_id, {raw_codec.PAYLOAD}, fetched_at, payload_sha256, url"
)
# Where a jobs row keeps the raw listing it came from (to resolve its queue entry).
_SOURCE, _SOURCE_ID, _SHA = (
    JOB_COLUMNS.index(c) for c in ("source", "source_id", "raw_sha256")
)


@dataclass
class NormalizeStats:
    listings: int = 0
    issues: int = 0
    months: set[str] = field(default_factory=set)
    issue_reasons: Counter = field(default_factory=Counter)
    filled: Counter = field(default_factory=Counter)
    timings: dict[str, float | str] = field(default_factory=dict)  # after_store's

    def add_row(self, row: dict, issues: list) -> None:
        self.listings += 1
        self.issues += len(issues)
        if row.get("month"):
            self.months.add(row["month"])
        for _, fld, _, reason, _ in issues:
            self.issue_reasons[(fld, reason.split(":")[0])] += 1
        self.filled["posted_at"] += row.get("posted_at") is not None
        self.filled["pay"] += row.get("pay_type") not in (None, "unknown")
        self.filled["category"] += row.get("category") not in (None, "other")
        self.filled["skills"] += bool(row.get("skills"))

    def merge(self, other: NormalizeStats) -> None:
        self.listings += other.listings
        self.issues += other.issues
        self.months |= other.months
        self.issue_reasons.update(other.issue_reasons)
        self.filled.update(other.filled)

    def coverage(self) -> dict[str, float]:
        n = max(self.listings, 1)
        return {
            k: self.filled[k] / n for k in ("posted_at", "pay", "category", "skills")
        }


def normalize_chunk(rows: Iterable[tuple]) -> list[tuple[dict, list]]:
    """Pure: (source, source_id, payload, fetched_at, sha256[, url]) rows -> (job row, issues)."""
    return [
        normalize_listing(
            r[0],
            r[1],
            r[2],
            fetched_at=r[3],
            raw_sha256=r[4],
            url=r[5] if len(r) > 5 else None,
        )
        for r in rows
    ]


def normalize_keys(
    conn: sqlite3.Connection,
    keys: Iterable[tuple[str, str]],
    *,
    run_id: int | None = None,
    in_transaction: bool = False,
    workers: int | None = None,
    progress: bool = False,
) -> NormalizeStats:
    """Normalize the stored listings ``keys`` ((source, source_id) pairs, as
    ``save_raw``'s ``changed_keys``) and save their jobs: the one entry every writer
    uses.  No reposts or rollups (``after_store`` with the returned months does those).

    ``in_transaction=True`` (an import batch): normalized here, inside the caller's
    transaction, so the raw rows and their jobs commit together.  Otherwise the keys
    are queued and the whole queue is normalized (``normalize_db(queue=True)``: on
    worker processes when there is enough work), so listings a killed run left queued
    are normalized too.
    """
    if not in_transaction:
        with transaction(conn):
            enqueue(conn, keys, run_id)
        return normalize_db(
            conn, queue=True, progress=progress, workers=workers, derive=False
        )
    rows = _stored_rows(conn, list(keys))
    packed = _pack(normalize_chunk(rows))
    jobs, skills, issues, stats = packed
    if jobs:
        write_job_rows(conn, jobs, skills, issues)
    return stats


def _stored_rows(conn: sqlite3.Connection, keys: list[tuple[str, str]]) -> list[tuple]:
    """The normalizer's input rows (``_RAW_COLUMNS``) of the stored listings ``keys``."""
    by_source: dict[str, list[str]] = {}
    for source, source_id in keys:
        by_source.setdefault(source, []).append(source_id)
    rows: list[tuple] = []
    for source, ids in by_source.items():
        for i in range(0, len(ids), 2000):
            chunk = ids[i : i + 2000]
            rows.extend(
                conn.execute(
                    f"SELECT {_RAW_COLUMNS} FROM raw_listings WHERE source = ?"
                    f" AND source_id IN ({','.join('?' * len(chunk))})",
                    [source, *chunk],
                )
            )
    return rows


# -- the queue of listings waiting for the normalizer -------------------------------------
def enqueue(
    conn: sqlite3.Connection, keys: Iterable[tuple[str, str]], run_id: int | None
) -> None:
    """Queue (source, source_id) listings for normalizing (call inside the raw write's
    transaction, so a stored change is never left unqueued)."""
    conn.executemany(
        "INSERT INTO normalize_queue (source, source_id, run_id) VALUES (?, ?, ?)"
        " ON CONFLICT(source, source_id) DO UPDATE SET run_id = excluded.run_id",
        [(s, i, run_id) for s, i in keys],
    )


def enqueue_unnormalized(conn: sqlite3.Connection, run_id: int) -> int:
    """Queue the listings run ``run_id`` read that have no `jobs` row at all.

    Repairs listings stored by a crawl killed before its close in a database written
    before the queue existed, or by a run with JOBTRENDS_NORMALIZE=False.
    """
    with transaction(conn):
        cur = conn.execute(
            "INSERT OR IGNORE INTO normalize_queue (source, source_id, run_id)"
            " SELECT source, source_id, last_run_id FROM raw_listings r WHERE last_run_id = ?"
            " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.job_id = r.source || ':' || r.source_id)",
            (run_id,),
        )
    return cur.rowcount


def queued(conn: sqlite3.Connection) -> int:
    """Listings waiting in the queue."""
    return conn.execute("SELECT count(*) FROM normalize_queue").fetchone()[0]


def _resolve_queue(conn: sqlite3.Connection, keys: list[tuple[str, str, str]]) -> None:
    """Drop queue entries whose listing was normalized from the payload stored now.

    ``keys`` holds (source, source_id, sha256 normalized); an entry whose raw payload
    changed since (another crawl stored a newer version) stays queued.
    """
    conn.executemany(
        "DELETE FROM normalize_queue WHERE source = ? AND source_id = ? AND EXISTS ("
        "SELECT 1 FROM raw_listings r WHERE r.source = normalize_queue.source"
        " AND r.source_id = normalize_queue.source_id AND r.payload_sha256 = ?)",
        keys,
    )


# -- chunks, workers, writes ----------------------------------------------------------------
def _pack(results: list[tuple[dict, list]]) -> tuple[list, list, list, NormalizeStats]:
    """Job rows as tuples in JOB_COLUMNS order, job_skills rows, issues, and their stats."""
    stats = NormalizeStats()
    jobs, skills, issues = [], [], []
    for row, row_issues in results:
        stats.add_row(row, row_issues)
        job, job_skills = job_rows(row)
        jobs.append(job)
        skills.extend(job_skills)
        issues.extend(row_issues)
    return jobs, skills, issues, stats


def _read_unit(conn: sqlite3.Connection, unit: tuple) -> list[tuple]:
    kind, arg = unit
    if kind == "range":
        sql = f"SELECT {_RAW_COLUMNS} FROM raw_listings WHERE rowid BETWEEN ? AND ?"
        return conn.execute(sql, arg).fetchall()
    sql = f"SELECT {_RAW_COLUMNS} FROM raw_listings WHERE rowid IN (SELECT value FROM json_each(?))"
    return conn.execute(sql, (json.dumps(arg),)).fetchall()


_WORKER_CONN: dict[str, sqlite3.Connection] = {}


def _work(path: str, unit: tuple) -> tuple[list, list, list, NormalizeStats]:
    """In a worker: read one chunk of raw listings, normalize it, pack it for writing."""
    conn = _WORKER_CONN.get(path)
    if conn is None:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
        conn.execute("PRAGMA busy_timeout=60000")
        raw_codec.register(conn)
        _WORKER_CONN[path] = conn
    return _pack(normalize_chunk(_read_unit(conn, unit)))


def _parallel(path: str, units: Iterator[tuple], workers: int) -> Iterator[tuple]:
    """Normalize chunks on ``workers`` processes, in order, with a bounded window.

    ``Pool.imap`` would read the whole input ahead; here at most 2 x workers chunks are
    in flight, so memory stays flat however many listings there are.
    """
    from crawler.normalize import fx

    # Load the ECB rate table once, before forking, not once per worker.  (The rest
    # of the normalizer's lazy loads stay in the workers: the category model's
    # imports alone would add ~235 MB to this process, which also sorts the indexes.)
    fx._converter()
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(workers) as pool:
        pending: deque = deque()
        for unit in units:
            pending.append(pool.apply_async(_work, (path, unit)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


class _Fresh:
    """Whether this run still writes into tables only it has written.

    True when `jobs`, `job_skill_ids` and `normalize_issues` were empty as it started
    and no other connection has committed since (``PRAGMA data_version``, checked in
    each write transaction).  While it holds, a job has no earlier skills or issues to
    delete, each chunk's rows get the next rowids in order, and
    - with ``fts`` (a ``deferred_fts``) each transaction indexes its own new rows for
      full text, so the index needs no rebuild at the end;
    - ``blocks`` gathers the reposts' block keys of the rows written (by rowid), so
      reposts need not read every posting back.
    Once another connection commits, it stops for the rest of the run: deletes as
    usual, a full-text rebuild, reposts read from the table.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        fts: deferred_fts | None,
        blocks: BlockKeys | None,
    ):
        # The version first: a commit after it is seen by check(), one before it by
        # the emptiness test.
        self.version = conn.execute("PRAGMA data_version").fetchone()[0]
        self.on = not any(
            conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
            for table in ("jobs", "job_skill_ids", "normalize_issues")
        )
        self.fts, self.blocks, self.top = fts, blocks if self.on else None, 0

    def check(self, conn: sqlite3.Connection) -> bool:
        """Inside the write transaction, before writing: does it still hold?"""
        if (
            self.on
            and conn.execute("PRAGMA data_version").fetchone()[0] != self.version
        ):
            self.on, self.blocks = False, None
            logger.info(
                "another connection wrote meanwhile: writing as into used tables"
            )
        if self.fts is not None:
            self.fts.rebuild = not self.on
        return self.on

    def written(self, conn: sqlite3.Connection, jobs: list[tuple]) -> None:
        """Inside the write transaction, after writing ``jobs``."""
        if not self.on:
            return
        top = conn.execute("SELECT max(rowid) FROM jobs").fetchone()[0] or 0
        if self.blocks is not None:
            if top - len(jobs) == self.top:  # rowids top+1 ... in the rows' order
                self.blocks.add(jobs, self.top + 1)
            else:
                self.blocks = None
        if self.fts is not None:
            fts_add_rows(conn, self.top)
        self.top = top


def _write(
    conn: sqlite3.Connection, packed: tuple, *, queue: bool, fresh: _Fresh
) -> None:
    jobs, skills, issues, _ = packed
    if not jobs:
        return
    with transaction(conn):
        write_job_rows(conn, jobs, skills, issues, new=fresh.check(conn))
        fresh.written(conn, jobs)
        if queue:
            _resolve_queue(conn, [(j[_SOURCE], j[_SOURCE_ID], j[_SHA]) for j in jobs])


class _bulk_indexes:
    """``with _bulk_indexes(conn, on):`` drop the secondary indexes of jobs and job_skill_ids,
    create them again on exit (``ensure_db`` re-creates them after a crash in between)."""

    def __init__(self, conn: sqlite3.Connection, on: bool):
        self.conn, self.on, self.saved = conn, on, []

    def __enter__(self):
        if self.on:
            self.saved = self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name IN ('jobs', 'job_skill_ids') AND sql IS NOT NULL"
            ).fetchall()
            with transaction(self.conn):
                for name, _ in self.saved:
                    self.conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        return self

    def __exit__(self, *exc):
        if self.saved:
            with transaction(self.conn):
                for _, sql in self.saved:
                    self.conn.execute(
                        sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                        if "IF NOT EXISTS" not in sql
                        else sql
                    )
        return False


_BULK_PRAGMAS = {
    "cache_size": -131072,  # 128 MiB (default 2 MiB): B-tree pages stay cached
    "threads": 2,  # CREATE INDEX sorts on two threads
}


class _bulk_pragmas:
    """A bigger page cache and sorter threads for a bulk run, on this connection only.

    (Sorts still spill to temporary files: memory stays bounded at any table size.)
    """

    def __init__(self, conn: sqlite3.Connection, on: bool):
        self.conn, self.on, self.old = conn, on, {}

    def __enter__(self):
        if self.on:
            for name, value in _BULK_PRAGMAS.items():
                self.old[name] = self.conn.execute(f"PRAGMA {name}").fetchone()[0]
                self.conn.execute(f"PRAGMA {name} = {value}")
        return self

    def __exit__(self, *exc):
        for name, value in self.old.items():
            self.conn.execute(f"PRAGMA {name} = {value}")
        return False


def after_store(
    conn: sqlite3.Connection,
    months: Iterable[str] | None,
    batch: BatchRollups | None = None,
    blocks: BlockKeys | None = None,
) -> dict[str, float | str]:
    """Derived data that spans listings: reposts, then rollups for the touched months;
    returns the seconds each took and where the rollups came from (batch or scan).

    ``batch``: the rollups' counts gathered while the rows were written (a bulk
    normalize); used when `jobs` holds exactly those rows (a full normalize into an
    empty table), else the rollups rescan `jobs`.  ``blocks``: the reposts' block keys
    of every row written, when the run wrote into empty tables alone (``_Fresh``).
    """
    months = sorted(set(months)) if months is not None else None
    if months == []:
        return {}
    from crawler.normalize.reposts import mark_reposts_pairs
    from crawler.rollups import refresh_rollups

    started = time.perf_counter()
    covered = batch is not None and batch.covers(conn)
    pairs = mark_reposts_pairs(
        conn,
        since=None if months is None else f"{months[0]}-01",
        blocks=blocks if covered else None,
    )
    reposted = time.perf_counter()
    if covered:
        batch.write(conn, months, [job_id for _, job_id in pairs])
        rollups = "batch"
    else:
        refresh_rollups(conn, months)
        rollups = "scan"
    return {
        "reposts_s": reposted - started,
        "rollups_s": time.perf_counter() - reposted,
        "rollups": rollups,
        "reposts": "batch"
        if covered and blocks is not None and months is None
        else "scan",
    }


def _db_path(conn: sqlite3.Connection) -> str:
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main":
            return path or ""
    return ""


def normalize_db(
    conn: sqlite3.Connection,
    *,
    run_id: int | None = None,
    source: str | None = None,
    since: str | None = None,
    queue: bool = False,
    progress: bool = True,
    workers: int | None = None,
    derive: bool = True,
    chunk: int = CHUNK,
) -> NormalizeStats:
    """Re-normalize raw listings (all, one run's, one source's, seen since a date, or
    with ``queue=True`` every listing waiting in ``normalize_queue``).

    ``workers`` processes read and normalize in parallel (default: one per core when
    there is enough work); this process names the chunks and writes the results, one
    transaction per ``chunk`` listings.
    """
    where, params = [], []
    if run_id is not None and not queue:
        where.append("last_run_id = ?")
        params.append(run_id)
    if source:
        where.append("source = ?")
        params.append(source)
    if since:
        where.append("last_seen_at >= ?")
        params.append(since)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    if queue:
        ids = sorted(
            r[0]
            for r in conn.execute(
                "SELECT r.rowid FROM normalize_queue JOIN raw_listings r USING (source, source_id)"
            )
        )
        # entries whose raw row is gone (never expected) would stay forever
        conn.execute(
            "DELETE FROM normalize_queue WHERE NOT EXISTS (SELECT 1 FROM raw_listings r"
            " WHERE r.source = normalize_queue.source AND r.source_id = normalize_queue.source_id)"
        )
        total = len(ids)
    else:
        total = conn.execute(
            f"SELECT count(*) FROM raw_listings {clause}", params
        ).fetchone()[0]
    stats = NormalizeStats()
    if total == 0:
        return stats
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit=" listings", desc="normalize", mininterval=0.5)

    def units() -> Iterator[tuple]:
        if queue:
            for i in range(0, len(ids), chunk):
                yield ("ids", ids[i : i + chunk])
            return
        if not clause:
            lo, hi = conn.execute(
                "SELECT min(rowid), max(rowid) FROM raw_listings"
            ).fetchone()
            for start in range(lo, hi + 1, chunk):
                yield ("range", (start, min(start + chunk - 1, hi)))
            return
        last = -1
        while True:
            found = [
                r[0]
                for r in conn.execute(
                    f"SELECT rowid FROM raw_listings {clause} AND rowid > ? ORDER BY rowid LIMIT ?",
                    [*params, last, chunk],
                )
            ]
            if not found:
                return
            last = found[-1]
            yield ("ids", found)

    path = _db_path(conn)
    if workers is None:
        workers = (os.cpu_count() or 1) if total > PARALLEL_ROWS else 1
    if workers > 1 and path:
        results = _parallel(path, units(), workers)
    else:
        results = (_pack(normalize_chunk(_read_unit(conn, u))) for u in units())
    # Whether this run may rewrite every posting `jobs` holds (so far).
    whole = total >= conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    bulk = total > BULK_INDEX_ROWS and whole
    # Large runs write jobs without per-row full-text updates: into empty tables each
    # transaction indexes its own rows in one statement, else the index is rebuilt once.
    fts = deferred_fts(conn) if total > BULK_FTS_ROWS else None
    resolve = (
        queue
        or conn.execute("SELECT 1 FROM normalize_queue LIMIT 1").fetchone() is not None
    )
    fresh = _Fresh(conn, fts, BlockKeys() if derive else None)
    # The rollups' counts as the rows go by: a full normalize then needs no rescan.
    # A run smaller than `jobs` (a crawl's close) can never cover it: no counting.
    batch = BatchRollups() if derive and whole else None
    with (
        _bulk_pragmas(conn, total > BULK_FTS_ROWS),
        fts or nullcontext(),
        _bulk_indexes(conn, bulk),
    ):
        for packed in results:
            _write(conn, packed, queue=resolve, fresh=fresh)
            kill_point("normalize.written")
            stats.merge(packed[3])
            if batch is not None:
                batch.add(packed[0], packed[1])
            if bar:
                bar.update(len(packed[0]))
    if bar:
        bar.close()
    kill_point("normalize.derive")
    if derive:  # reposts and rollups, timed into stats.timings
        stats.timings.update(
            after_store(
                conn,
                stats.months if (run_id or source or since or queue) else None,
                batch,
                fresh.blocks,
            )
        )
    with transaction(conn):
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('normalized', datetime('now'))"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        )
    return stats
