"""The store's size and write speed, plain payloads vs zstd with trained dictionaries.

    python -m benchmarks.store --rows 100000

Generates synth listings once (not timed), then for each variant, in this one process
and on the same rows: a fresh database, ``save_raw`` in batches (raw store rows/s),
one read of every payload as the normalizer reads it (rows/s), ``normalize_db`` on one
worker without reposts and rollups (rows/s), and the database's bytes per posting,
whole and per table (SQLite's ``dbstat``).  Variants alternate (plain, zstd, plain,
zstd) so load from other processes falls on both; each speed is the best of the rounds.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path

from crawler import raw_codec

CHUNK = 20_000
SEEN = "2024-07-01T00:00:00Z"
VARIANTS = {"plain": 10**12, "zstd": raw_codec.TRAIN_ROWS}  # name -> TRAIN_ROWS


def table_bytes(conn: sqlite3.Connection) -> dict[str, int]:
    """Bytes on disk per table, its indexes included (dbstat)."""
    return {
        name: size
        for name, size in conn.execute(
            "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize) FROM dbstat d"
            " LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY 1 ORDER BY 2 DESC"
        )
    }


def used_bytes(conn: sqlite3.Connection) -> int:
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return (pages - free) * conn.execute("PRAGMA page_size").fetchone()[0]


# job_skills as it was before migration 7 (a rowid table keyed by job_id and skill text).
LEGACY_JOB_SKILLS = """
CREATE TABLE legacy_job_skills (job_id TEXT NOT NULL, skill TEXT NOT NULL,
    is_ai INTEGER NOT NULL DEFAULT 0, family TEXT, month TEXT, PRIMARY KEY (job_id, skill));
INSERT INTO legacy_job_skills SELECT * FROM job_skills;
CREATE INDEX legacy_job_skills_skill_month ON legacy_job_skills(skill, month);
"""


def legacy_job_skills_bytes(conn: sqlite3.Connection) -> int:
    """Bytes the same job_skills rows took in the layout before migration 7."""
    conn.executescript(LEGACY_JOB_SKILLS)
    size = table_bytes(conn)["legacy_job_skills"]
    conn.execute("DROP TABLE legacy_job_skills")
    return size


def adbc_vs_executemany(listings: list, folder: Path) -> dict[str, float]:
    """CPU seconds per 1,000 `jobs` rows upserted: ``executemany`` (db.write_job_rows'
    statement) vs Arrow columns ingested through ADBC into a staging table and upserted
    with one INSERT ... SELECT (same rows, same schema, fresh databases)."""
    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow as pa

    from crawler import db
    from crawler.normalize.bulk import _pack, normalize_chunk

    raw = [
        (r.source, r.source_id, r.payload, r.fetched_at, None, r.url) for r in listings
    ]
    jobs = _pack(normalize_chunk(raw))[0]
    cols = ", ".join(db.JOB_COLUMNS)
    sets = ", ".join(f"{c}=excluded.{c}" for c in db.JOB_COLUMNS if c != "job_id")

    def plain(path: Path) -> None:
        conn = db.connect(path)
        with db.transaction(conn):
            conn.executemany(db._JOB_INSERT, jobs)
        conn.close()

    def arrow(path: Path) -> None:
        db.connect(path).close()
        table = pa.table(
            {
                c: pa.array(v)
                for c, v in zip(db.JOB_COLUMNS, zip(*jobs, strict=True), strict=True)
            }
        )
        with adbc.connect(str(path)) as conn:
            cur = conn.cursor()
            cur.adbc_ingest("jobs_stage", table, mode="create", temporary=True)
            cur.execute(
                f"INSERT INTO jobs ({cols}) SELECT {cols} FROM temp.jobs_stage"
                f" WHERE true ON CONFLICT(job_id) DO UPDATE SET {sets}"
            )
            conn.commit()

    cpu: dict[str, float] = {}
    for round_ in range(2):
        for name, write in (("executemany", plain), ("adbc", arrow)):
            t0 = time.process_time()
            write(folder / f"{name}{round_}.db")
            spent = (time.process_time() - t0) / len(jobs) * 1_000_000
            cpu[name] = min(cpu.get(name, spent), spent)
    return cpu


def run_variant(name: str, listings: list, folder: Path) -> dict:
    from crawler.db import connect, save_raw
    from crawler.normalize.bulk import _RAW_COLUMNS, normalize_db

    raw_codec.TRAIN_ROWS = VARIANTS[name]
    path = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = connect(path)
    t0 = time.perf_counter()
    for i in range(0, len(listings), CHUNK):
        save_raw(conn, listings[i : i + CHUNK], run_id=1, seen_at=SEEN)
    store_s = time.perf_counter() - t0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw_bytes = used_bytes(conn)
    t0 = time.perf_counter()
    n_read = sum(1 for _ in conn.execute(f"SELECT {_RAW_COLUMNS} FROM raw_listings"))
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    stats = normalize_db(conn, progress=False, workers=1, derive=False)
    normalize_s = time.perf_counter() - t0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n = stats.listings
    legacy = legacy_job_skills_bytes(conn)
    figures = {
        "rows": n,
        "raw_store_rows_s": len(listings) / store_s,
        "payload_read_rows_s": n_read / read_s,
        "normalize_rows_s": n / normalize_s,
        "raw_store_bytes_per_posting": raw_bytes / n,
        "bytes_per_posting": used_bytes(conn) / n,
        "legacy_job_skills_bytes_per_posting": legacy / n,
        "table_bytes_per_posting": {
            t: round(b / n, 1) for t, b in table_bytes(conn).items() if b / n >= 1
        },
    }
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return figures


def best(a: dict, b: dict) -> dict:
    """Per figure, the better of two runs (speed: higher; sizes are the same)."""
    return {k: max(a[k], b[k]) if k.endswith("_s") else a[k] for k in a}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--dir", default=None, help="scratch folder (default: a temp one)"
    )
    parser.add_argument("--json", default=None, help="also write the figures here")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each variant")
    parser.add_argument(
        "--adbc", type=int, default=0, help="also time ADBC on this many listings"
    )
    args = parser.parse_args()
    from analysis.synth import generate

    listings = list(
        generate(date(2022, 1, 1), date(2024, 6, 30), rows=args.rows, seed=args.seed)
    )
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        runs: dict[str, list[dict]] = {name: [] for name in VARIANTS}
        for _ in range(args.rounds):
            for name in VARIANTS:
                runs[name].append(run_variant(name, listings, Path(tmp)))
        adbc = (
            adbc_vs_executemany(listings[: args.adbc], Path(tmp)) if args.adbc else {}
        )
    result = {name: functools.reduce(best, got) for name, got in runs.items()}
    plain, packed = result["plain"], result["zstd"]
    print(f"{len(listings):,} synth listings, {os.cpu_count()} cores")
    print(f"{'':32}{'plain':>12}{'zstd+dict':>12}{'ratio':>8}")
    for key, label in (
        ("raw_store_rows_s", "raw store rows/s"),
        ("payload_read_rows_s", "payload read rows/s"),
        ("normalize_rows_s", "normalize (1 worker) rows/s"),
        ("raw_store_bytes_per_posting", "raw store bytes/posting"),
        ("legacy_job_skills_bytes_per_posting", "job_skills before (bytes/post.)"),
        ("bytes_per_posting", "database bytes/posting"),
    ):
        ratio = packed[key] / plain[key]
        print(f"{label:32}{plain[key]:>12,.0f}{packed[key]:>12,.0f}{ratio:>8.2f}")
    print("bytes/posting per table (zstd+dict):", packed["table_bytes_per_posting"])
    print("bytes/posting per table (plain):    ", plain["table_bytes_per_posting"])
    if adbc:
        print(
            f"jobs upsert, CPU ms per 1,000 rows ({args.adbc:,} listings):"
            f" executemany {adbc['executemany']:.0f}, ADBC {adbc['adbc']:.0f}"
            f" ({adbc['executemany'] / adbc['adbc']:.2f}x)"
        )
        result["adbc_cpu_ms_per_1000_jobs"] = adbc
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
