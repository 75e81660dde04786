"""How fast can `normalize_db` go around the normalizer?  The database-side ceiling.

    python -m benchmarks.normalize_ceiling --db benchmarks/out/raw.db [--workers 2] [--real]

Copies the database (raw listings, e.g. from ``python -m benchmarks.steps synth``), empties
its `jobs`, and runs ``normalize_db`` with ``normalize_listing`` replaced by a stand-in that
costs about a microsecond: it returns one of 500 rows the real normalizer produced for
listings of the same database, re-keyed.  The rows/s left is what reading raw_listings,
shipping work to the workers, writing jobs + job_skills + issues, the indexes and the
full-text rebuild allow, whatever the normalizer's own speed.  ``--real`` times the real
normalizer on the same copy for comparison.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import sys
import time


def copy_db(src: str, dst: str) -> None:
    conn = sqlite3.connect(src)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(dst + suffix):
            os.remove(dst + suffix)
    shutil.copyfile(src, dst)
    conn = sqlite3.connect(dst, isolation_level=None)
    for table in ("jobs", "job_skill_ids", "normalize_issues"):
        conn.execute(f"DELETE FROM {table}")
    conn.execute("INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild')")
    conn.execute("VACUUM")
    conn.close()


def install_stand_in(db: str, samples: int = 500) -> None:
    """Replace the normalizer with a lookup of real rows (same sizes, skills, issues)."""
    from crawler import raw_codec
    from crawler.normalize import bulk, listing

    real = listing.normalize_listing
    conn = sqlite3.connect(db)
    raw_codec.register(conn)
    templates = [
        real(s, i, p, fetched_at=f, raw_sha256=h, url=u)
        for s, i, p, f, h, u in conn.execute(
            f"SELECT source, source_id, {raw_codec.PAYLOAD}, fetched_at, payload_sha256,"
            " url FROM raw_listings ORDER BY random() LIMIT ?",
            (samples,),
        )
    ]
    conn.close()

    def stand_in(source, source_id, payload, *, fetched_at, raw_sha256=None, url=None):
        row, issues = templates[hash(source_id) % len(templates)]
        job_id = f"{source}:{source_id}"
        row = {
            **row,
            "job_id": job_id,
            "source": source,
            "source_id": source_id,
            "fetched_at": fetched_at,
            "raw_sha256": raw_sha256,
        }
        return row, [(job_id, *i[1:]) for i in issues]

    listing.normalize_listing = stand_in
    bulk.normalize_listing = stand_in


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="a database holding raw_listings")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--real", action="store_true", help="time the real normalizer instead"
    )
    args = parser.parse_args()
    work = args.db + ".ceiling"
    copy_db(args.db, work)
    from crawler.db import connect
    from crawler.normalize.bulk import normalize_db

    if not args.real:
        install_stand_in(work)
    conn = connect(work)
    cpu0 = (
        resource.getrusage(resource.RUSAGE_SELF).ru_utime
        + resource.getrusage(resource.RUSAGE_SELF).ru_stime
    )
    kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    stats = normalize_db(conn, progress=False, workers=args.workers, derive=False)
    wall = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    parent_cpu = me.ru_utime + me.ru_stime - cpu0
    worker_cpu = kids.ru_utime + kids.ru_stime - kids0.ru_utime - kids0.ru_stime
    jobs = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    conn.close()
    what = "real normalizer" if args.real else "stand-in normalizer (ceiling)"
    print(
        f"{what}: {stats.listings:,} rows ({jobs:,} jobs) in {wall:.1f} s wall ="
        f" {stats.listings / wall:,.0f} rows/s; CPU parent {parent_cpu:.1f} s,"
        f" workers {worker_cpu:.1f} s; peak RSS {me.ru_maxrss / 1024:.0f} MiB (workers"
        f" {kids.ru_maxrss / 1024:.0f} MiB); load {os.getloadavg()[0]:.2f}",
        file=sys.stderr,
    )
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(work + suffix):
            os.remove(work + suffix)


if __name__ == "__main__":
    main()
