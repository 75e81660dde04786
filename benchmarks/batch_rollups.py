"""Rollups of a bulk normalize from the rows it wrote, against a rescan of `jobs`.

    python -m benchmarks.batch_rollups --db RAW.db [--workers 2]

``RAW.db``: stored raw listings (``jobtrends synth --rows 200000 --no-normalize``, or
``python -m benchmarks --rows N --keep``).  On a copy with `jobs` emptied, runs what
``jobtrends normalize`` runs (every listing normalized, reposts marked, rollups from
the rows written: ``rollups.BatchRollups``), keeps every row of the rollup tables, then
rebuilds them by rescanning `jobs` (``refresh_rollups``, what a partial run does) and
prints both times and ``identical: yes/no`` over every row, in order, of
category_month, skill_month, jobs_facet_counts, jobs_facet_totals and
jobs_facet_combos.  The batch's time includes its ``add`` calls during the normalize.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from benchmarks.normalize_ceiling import copy_db


def snapshot(conn) -> dict[str, list]:
    from crawler.rollups import ROLLUP_TABLES

    return {
        t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
        for t in ROLLUP_TABLES
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="a database holding raw_listings")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    work = args.db + ".batch"
    copy_db(args.db, work)
    from crawler.db import connect
    from crawler.normalize.bulk import normalize_db
    from crawler.rollups import BatchRollups, refresh_rollups

    spent = {"wall": 0.0, "cpu": 0.0}
    add = BatchRollups.add

    def timed_add(self, jobs, skills):
        wall, cpu = time.perf_counter(), time.process_time()
        add(self, jobs, skills)
        spent["wall"] += time.perf_counter() - wall
        spent["cpu"] += time.process_time() - cpu

    BatchRollups.add = timed_add
    conn = connect(work)
    cpu = time.process_time()
    stats = normalize_db(conn, progress=False, workers=args.workers)
    normalize_cpu = time.process_time() - cpu
    assert stats.timings["rollups"] == "batch", stats.timings
    batch = snapshot(conn)
    wall, cpu = time.perf_counter(), time.process_time()
    refresh_rollups(conn, None)
    scan_wall, scan_cpu = time.perf_counter() - wall, time.process_time() - cpu
    scan = snapshot(conn)
    reposts = conn.execute("SELECT count(*) FROM jobs WHERE dup_of IS NOT NULL")
    print(
        f"{stats.listings:,} listings, {reposts.fetchone()[0]:,} reposts,"
        f" {sum(map(len, batch.values())):,} rollup rows;"
        f" load {os.getloadavg()[0]:.2f}\n"
        f"rollups from the batch: {stats.timings['rollups_s'] + spent['wall']:.2f} s"
        f" wall ({spent['wall']:.2f} s of it in add, during the normalize;"
        f" add's CPU {spent['cpu']:.2f} s of the parent's {normalize_cpu:.1f} s)\n"
        f"rollups by rescanning jobs: {scan_wall:.2f} s wall, {scan_cpu:.2f} s CPU\n"
        f"identical: {'yes' if batch == scan else 'no'}",
        file=sys.stderr,
    )
    for table in batch:
        if batch[table] != scan[table]:
            print(f"  {table}: {len(batch[table])} rows against {len(scan[table])}")
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(work + suffix):
            os.remove(work + suffix)
    if batch != scan:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
