"""One step of the scale benchmark, run in its own process so its peak RSS is its own.

``python -m benchmarks.steps STEP --db PATH [--rows N]`` prints one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from datetime import date

CHUNK = 20_000


def step_synth(
    db_path: str, rows: int, seed: int, processes: int, baseline: bool
) -> dict:
    """Generate rows (in ``processes`` processes) and store them with save_raw; with
    ``baseline`` also store the same rows with plain executemany into a scratch
    database (the reference for the raw store's ratio).  ``store_s`` counts only the
    time spent storing."""
    from analysis.synth import generate
    from crawler.db import connect, finish_run, save_raw, start_run

    conn = connect(db_path)
    run_id = start_run(conn, "synth", kind="synth", args={"rows": rows, "seed": seed})
    scratch_path = db_path + ".baseline"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(scratch_path + suffix):
            os.remove(scratch_path + suffix)
    base = sqlite3.connect(scratch_path, isolation_level=None)
    base.execute("PRAGMA journal_mode=WAL")
    base.execute("PRAGMA synchronous=NORMAL")
    base.execute(
        "CREATE TABLE raw (source TEXT, source_id TEXT, url TEXT, payload TEXT, payload_format TEXT,"
        " payload_sha256 TEXT, fetched_at TEXT, first_seen_at TEXT, last_seen_at TEXT,"
        " first_run_id INTEGER, last_run_id INTEGER, origin TEXT, PRIMARY KEY (source, source_id))"
    )
    gen_s = store_s = base_s = 0.0
    stored = 0
    listings = generate(
        date(2022, 1, 1), date(2024, 6, 30), rows=rows, seed=seed, processes=processes
    )
    from tqdm import tqdm

    bar = tqdm(
        total=rows, unit=" rows", desc="synth+store", mininterval=1, file=sys.stderr
    )
    while True:
        t0 = time.perf_counter()
        batch = []
        for item in listings:
            batch.append(item)
            if len(batch) >= CHUNK:
                break
        t1 = time.perf_counter()
        gen_s += t1 - t0
        if not batch:
            break
        counts = save_raw(conn, batch, run_id=run_id, seen_at="2024-07-01T00:00:00Z")
        t2 = time.perf_counter()
        store_s += t2 - t1
        stored += counts.new
        bar.update(len(batch))
        if not baseline:
            continue
        from crawler.db import sha256

        if stored and stored % 1_000_000 < CHUNK:
            # Keep the baseline's scratch table (and disk use) bounded: start it afresh
            # (not timed: it is not part of storing rows).
            base.execute("DELETE FROM raw")
            t2 = time.perf_counter()
        base.execute("BEGIN")
        base.executemany(
            "INSERT INTO raw VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    r.source,
                    r.source_id,
                    r.url,
                    r.payload,
                    r.payload_format,
                    sha256(r.payload),
                    r.fetched_at,
                    "2024-07-01T00:00:00Z",
                    "2024-07-01T00:00:00Z",
                    run_id,
                    run_id,
                    r.origin,
                )
                for r in batch
            ],
        )
        base.execute("COMMIT")
        base_s += time.perf_counter() - t2
    bar.close()
    finish_run(conn, run_id, status="finished", new=stored, items=stored)
    base.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(scratch_path + suffix):
            os.remove(scratch_path + suffix)
    return {
        "rows": stored,
        "synth_s": gen_s,
        "store_s": store_s,
        "baseline_s": base_s if baseline else None,
        "processes": processes,
    }


def step_normalize(db_path: str, workers: int) -> dict:
    """What ``jobtrends normalize`` does: normalize every stored listing, then mark
    reposts and refresh the rollups in the same process (a full normalize takes the
    rollups from the rows it wrote); each phase timed inside."""
    from crawler.db import connect
    from crawler.normalize.bulk import normalize_db

    conn = connect(db_path)
    t0 = time.perf_counter()
    stats = normalize_db(conn, progress=True, workers=workers)
    seconds = time.perf_counter() - t0
    timings = stats.timings
    return {
        "rows": stats.listings,
        "seconds": seconds,
        "normalize_s": seconds - timings["reposts_s"] - timings["rollups_s"],
        "reposts_s": timings["reposts_s"],
        "rollups_s": timings["rollups_s"],
        "rollups_from": timings["rollups"],
        "reposts": conn.execute(
            "SELECT count(*) FROM jobs WHERE dup_of IS NOT NULL"
        ).fetchone()[0],
        "workers": workers,
        "coverage": stats.coverage(),
    }


def step_reposts(db_path: str) -> dict:
    from crawler.db import connect
    from crawler.normalize.reposts import mark_reposts

    conn = connect(db_path)
    t0 = time.perf_counter()
    result = mark_reposts(conn)
    dups = conn.execute(
        "SELECT count(*) FROM jobs WHERE dup_of IS NOT NULL"
    ).fetchone()[0]
    return {
        "seconds": time.perf_counter() - t0,
        "reposts": dups,
        "result": str(result)[:200],
    }


def step_rollups(db_path: str) -> dict:
    from crawler.db import connect
    from crawler.rollups import refresh_rollups

    conn = connect(db_path)
    t0 = time.perf_counter()
    refresh_rollups(conn, None)
    return {"seconds": time.perf_counter() - t0}


def step_cli(db_path: str, args: list[str]) -> dict:
    import subprocess

    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args, "--db", db_path],
        capture_output=True,
        text=True,
    )
    out = {"seconds": time.perf_counter() - t0, "exit": proc.returncode}
    if proc.returncode:
        out["stderr"] = proc.stderr[-500:]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("step")
    parser.add_argument("--db", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", default=None)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    if args.step == "synth":
        result = step_synth(
            args.db, args.rows, args.seed, args.processes, args.baseline
        )
    elif args.step == "normalize":
        result = step_normalize(args.db, args.workers)
    elif args.step == "reposts":
        result = step_reposts(args.db)
    elif args.step == "rollups":
        result = step_rollups(args.db)
    elif args.step == "report":
        result = step_cli(args.db, ["report", "--out", args.out or args.db + ".report"])
    elif args.step == "compare":
        result = step_cli(args.db, ["compare", "--a", "2022-11", "--b", "2024-02"])
    else:
        raise SystemExit(f"unknown step {args.step}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
