"""Running the normalizer over stored raw listings (the only part that touches the DB).

``normalize_rows`` turns (source, source_id, payload, fetched_at, sha) tuples into saved
jobs; ``normalize_db`` streams ``raw_listings`` through it in chunks with a progress bar,
then marks reposts and refreshes the rollups for the months it touched.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from contextlib import nullcontext

from crawler.db import deferred_fts, save_jobs, transaction
from crawler.normalize.listing import normalize_listing

CHUNK = 5000
BULK_FTS_ROWS = 50_000


@dataclass
class NormalizeStats:
    listings: int = 0
    issues: int = 0
    months: set[str] = field(default_factory=set)
    issue_reasons: Counter = field(default_factory=Counter)
    filled: Counter = field(default_factory=Counter)

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

    def coverage(self) -> dict[str, float]:
        n = max(self.listings, 1)
        return {k: self.filled[k] / n for k in ("posted_at", "pay", "category", "skills")}


def normalize_chunk(rows: Iterable[tuple]) -> list[tuple[dict, list]]:
    """Pure: (source, source_id, payload, fetched_at, sha256[, url]) rows -> (job row, issues)."""
    return [
        normalize_listing(r[0], r[1], r[2], fetched_at=r[3], raw_sha256=r[4],
                          url=r[5] if len(r) > 5 else None)
        for r in rows
    ]


def save_normalized(conn: sqlite3.Connection, results: list[tuple[dict, list]],
                    stats: NormalizeStats) -> None:
    jobs, issues = [], []
    for row, row_issues in results:
        stats.add_row(row, row_issues)
        jobs.append(row)
        issues.extend(row_issues)
    if jobs:
        save_jobs(conn, jobs, issues)


def normalize_rows(
    conn: sqlite3.Connection,
    rows: Iterable[tuple],
    stats: NormalizeStats | None = None,
) -> NormalizeStats:
    """Normalize and save rows of (source, source_id, payload, fetched_at, sha256[, url])."""
    stats = stats or NormalizeStats()
    save_normalized(conn, normalize_chunk(rows), stats)
    return stats


def _parallel(chunks: Iterator[list[tuple]], workers: int) -> Iterator[list[tuple[dict, list]]]:
    """Normalize chunks on ``workers`` processes, in order, with a bounded window.

    ``Pool.imap`` would read the whole input ahead; here at most 2 x workers chunks are
    in flight, so memory stays flat however many listings there are.
    """
    from crawler.normalize import fx

    fx._converter()  # load the ECB rate table once, before forking, not once per worker
    ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with ctx.Pool(workers) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(normalize_chunk, (chunk,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def after_store(conn: sqlite3.Connection, months: Iterable[str] | None) -> None:
    """Derived data that spans listings: reposts, then rollups for the touched months."""
    months = sorted(set(months)) if months is not None else None
    if months == []:
        return
    try:
        from crawler.normalize.reposts import mark_reposts
    except ImportError:  # pragma: no cover - during bootstrap
        mark_reposts = None
    if mark_reposts is not None:
        mark_reposts(conn, since=None if months is None else f"{months[0]}-01")
    try:
        from crawler.rollups import refresh_rollups
    except ImportError:  # pragma: no cover
        return
    refresh_rollups(conn, months)


def normalize_db(
    conn: sqlite3.Connection,
    *,
    run_id: int | None = None,
    source: str | None = None,
    since: str | None = None,
    progress: bool = True,
    workers: int | None = None,
    derive: bool = True,
) -> NormalizeStats:
    """Re-normalize raw listings (all, one run's, one source's, or seen since a date).

    ``workers`` processes normalize in parallel (default: one per core when there is
    enough work); this process reads raw chunks and writes the results.
    """
    where, params = [], []
    if run_id is not None:
        where.append("last_run_id = ?")
        params.append(run_id)
    if source:
        where.append("source = ?")
        params.append(source)
    if since:
        where.append("last_seen_at >= ?")
        params.append(since)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    total = conn.execute(f"SELECT count(*) FROM raw_listings {clause}", params).fetchone()[0]
    stats = NormalizeStats()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, unit=" listings", desc="normalize", mininterval=0.5)
    def chunks() -> Iterator[list[tuple]]:
        last = -1
        while True:
            chunk = conn.execute(
                f"SELECT rowid, source, source_id, payload, fetched_at, payload_sha256, url"
                f" FROM raw_listings {clause + ' AND' if clause else 'WHERE'} rowid > ?"
                f" ORDER BY rowid LIMIT ?",
                [*params, last, CHUNK],
            ).fetchall()
            if not chunk:
                return
            last = chunk[-1][0]
            yield [tuple(r)[1:] for r in chunk]

    if workers is None:
        workers = (os.cpu_count() or 1) if total > 4 * CHUNK else 1
    results = _parallel(chunks(), workers) if workers > 1 else map(normalize_chunk, chunks())
    # Large runs write jobs without per-row full-text updates and rebuild the index once.
    fts = deferred_fts(conn) if total > BULK_FTS_ROWS else nullcontext()
    with fts:
        for result in results:
            save_normalized(conn, result, stats)
            if bar:
                bar.update(len(result))
    if bar:
        bar.close()
    if derive:  # reposts and rollups (benchmarks time them separately)
        after_store(conn, stats.months if (run_id or source or since) else None)
    with transaction(conn):
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('normalized', datetime('now'))"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        )
    return stats
