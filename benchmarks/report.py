"""Time rollups, compare, report and event study on a synthetic jobs table.

    python -m benchmarks.report --rows 5000000 [--db /tmp/bench_report.db] [--keep]

Rows are generated with numpy and written with plain executemany (FTS triggers are
dropped in this throwaway file so filling it does not dominate the run).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

import numpy as np

from analysis.data import CATEGORIES
from crawler.db import JOB_COLUMNS, connect


def fill(conn, rows: int, seed: int = 1, batch: int = 200_000) -> None:
    rng = np.random.default_rng(seed)
    for trig in ("jobs_fts_ai", "jobs_fts_ad", "jobs_fts_au"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trig}")
    start = date(2021, 1, 1).toordinal()
    span = date(2024, 7, 1).toordinal() - start
    cols = ", ".join(JOB_COLUMNS)
    marks = ", ".join("?" * len(JOB_COLUMNS))
    idx = {c: i for i, c in enumerate(JOB_COLUMNS)}
    done = 0
    while done < rows:
        n = min(batch, rows - done)
        days = rng.integers(0, span, n) + start
        secs = rng.integers(0, 86400, n)
        cats = rng.integers(0, len(CATEGORIES), n)
        hourly = rng.random(n) < 0.5
        mids = 30 * np.exp(rng.normal(0, 0.6, n))
        ai = rng.random(n) < 0.05
        dup = rng.random(n) < 0.1
        job_rows, skill_rows = [], []
        for i in range(n):
            d = date.fromordinal(int(days[i]))
            s = int(secs[i])
            posted = f"{d.isoformat()}T{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}Z"
            row = [None] * len(JOB_COLUMNS)
            job_id = f"b:{done + i}"
            row[idx["job_id"]], row[idx["source"]], row[idx["source_id"]] = job_id, "bench", str(done + i)
            row[idx["posted_at"]], row[idx["month"]] = posted, posted[:7]
            row[idx["category"]] = CATEGORIES[cats[i]]
            row[idx["country"]] = ("US", "GB", "IN", "PH", None)[i % 5]
            if hourly[i]:
                row[idx["pay_type"]] = "hourly"
                row[idx["hourly_usd_mid"]] = float(mids[i])
                row[idx["hourly_usd_min"]] = float(mids[i]) * 0.8
                row[idx["hourly_usd_max"]] = float(mids[i]) * 1.2
            else:
                row[idx["pay_type"]] = "fixed"
            row[idx["has_ai_skill"]] = int(ai[i])
            row[idx["dup_of"]] = f"b:{done + i - 1}" if dup[i] and i else None
            job_rows.append(row)
            if ai[i]:
                skill_rows.append((job_id, "chatgpt", 1, "ai", posted[:7]))
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO jobs ({cols}) VALUES ({marks})", job_rows)
        conn.executemany("INSERT INTO job_skills VALUES (?,?,?,?,?)", skill_rows)
        conn.execute("COMMIT")
        done += n
        print(f"  filled {done:,} rows", flush=True)


def timed(label, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label:<34} {time.perf_counter() - t:7.2f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--db", default="/tmp/bench_report.db")
    ap.add_argument("--keep", action="store_true", help="reuse an existing filled file")
    args = ap.parse_args()
    from analysis.compare import compare_periods
    from analysis.event_study import EventStudyConfig, event_study
    from analysis.periods import parse_period
    from analysis.report import ReportConfig, build_report
    from crawler.rollups import refresh_rollups

    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(args.db + suffix):
                os.remove(args.db + suffix)
    conn = connect(args.db)
    have = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    if have < args.rows:
        timed(f"fill {args.rows - have:,} rows", lambda: fill(conn, args.rows - have, seed=have + 1))
    rows = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    print(f"jobs rows: {rows:,}  (load average {os.getloadavg()[0]:.1f})")
    timed("refresh_rollups (all months)", lambda: refresh_rollups(conn))
    timed("refresh_rollups (one month)", lambda: refresh_rollups(conn, ["2024-02"]))
    a, b = parse_period("2022-11"), parse_period("2024-02")
    timed("compare 2022-11 vs 2024-02", lambda: compare_periods(conn, a, b))
    timed("report (aligned, 1000 reps)", lambda: build_report(conn, ReportConfig(a=a, b=b)))
    timed("report (naive, 1000 reps)", lambda: build_report(conn, ReportConfig(a=a, b=b, naive=True)))
    timed("event study (monthly, placebo)", lambda: event_study(
        conn, EventStudyConfig(event=date(2022, 11, 30), placebo=date(2021, 11, 30))))
    timed("event study (weekly)", lambda: event_study(
        conn, EventStudyConfig(event=date(2022, 11, 30), freq="week", pre=26, post=26)))


if __name__ == "__main__":
    main()
