"""Time rollups, compare, report and event study on a synthetic jobs table.

    python -m benchmarks.report --rows 5000000 [--db /tmp/bench_report.db] [--keep]

Rows are generated inside SQLite (FTS triggers are dropped in this throwaway file so
filling it does not dominate the run).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date

from analysis.data import CATEGORIES
from crawler.db import connect


def fill(conn, rows: int, seed: int = 1, batch: int = 1_000_000) -> None:
    """Append ``rows`` synthetic jobs, generated inside SQLite (a recursive CTE).

    Generating in C keeps a 5-million-row fill to minutes on a small machine; values are
    uniform (days 2021-01..2024-06, 17 categories, half hourly at $10-$100, 5 % with an
    AI skill, 10 % reposts).  ``seed`` only offsets ids so repeated fills append.
    """
    for trig in ("jobs_fts_ai", "jobs_fts_ad", "jobs_fts_au"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trig}")
    span = date(2024, 7, 1).toordinal() - date(2021, 1, 1).toordinal()
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS bench_cats(i INTEGER PRIMARY KEY, name TEXT)"
    )
    conn.execute("DELETE FROM bench_cats")
    conn.executemany(
        "INSERT INTO bench_cats VALUES (?, ?)", list(enumerate(CATEGORIES))
    )
    done = 0
    while done < rows:
        n = min(batch, rows - done)
        offset = seed + done
        conn.execute("BEGIN")
        conn.execute(
            f"""
            INSERT INTO jobs (job_id, source, source_id, posted_at, month, category, country,
                              pay_type, hourly_usd_mid, hourly_usd_min, hourly_usd_max,
                              has_ai_skill, dup_of)
            -- MATERIALIZED: otherwise each use of a column re-runs its random().
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {n - 1}),
            r AS MATERIALIZED (
                SELECT i + {offset} AS id,
                       date('2021-01-01', '+' || (abs(random()) % {span}) || ' days')
                         || 'T' || printf('%02d:%02d:00Z', abs(random()) % 24, abs(random()) % 60) AS posted,
                       abs(random()) % {len(CATEGORIES)} AS cat,
                       abs(random()) % 2 AS hourly,
                       10 + (abs(random()) % 9000) / 100.0 AS mid,
                       abs(random()) % 100 AS u
                FROM n
            )
            SELECT 'b:' || id, 'bench', id, posted, substr(posted, 1, 7),
                   (SELECT name FROM bench_cats WHERE i = cat),
                   CASE id % 5 WHEN 0 THEN 'US' WHEN 1 THEN 'GB' WHEN 2 THEN 'IN' WHEN 3 THEN 'PH' END,
                   CASE hourly WHEN 1 THEN 'hourly' ELSE 'fixed' END,
                   CASE hourly WHEN 1 THEN mid END, CASE hourly WHEN 1 THEN mid * 0.8 END,
                   CASE hourly WHEN 1 THEN mid * 1.2 END,
                   u < 5, CASE WHEN u >= 90 THEN 'b:' || (id - 1) END
            FROM r
            """
        )
        conn.execute(
            "INSERT INTO job_skills (job_id, skill, is_ai, family, month)"
            " SELECT job_id, 'chatgpt', 1, 'ai', month FROM jobs"
            " WHERE source = 'bench' AND has_ai_skill = 1 AND CAST(source_id AS INTEGER) >= ?",
            (offset,),
        )
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
        timed(
            f"fill {args.rows - have:,} rows",
            lambda: fill(conn, args.rows - have, seed=have + 1),
        )
    rows = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    print(f"jobs rows: {rows:,}  (load average {os.getloadavg()[0]:.1f})")
    timed("refresh_rollups (all months)", lambda: refresh_rollups(conn))
    timed("refresh_rollups (one month)", lambda: refresh_rollups(conn, ["2024-02"]))
    a, b = parse_period("2022-11"), parse_period("2024-02")
    timed("compare 2022-11 vs 2024-02", lambda: compare_periods(conn, a, b))
    from analysis.panel_report import build_panel
    from analysis.report import DEFAULT_CONTROL

    timed(
        "panel estimate (every month, 1000 reps)",
        lambda: build_panel(
            conn, event=date(2022, 11, 30), control=DEFAULT_CONTROL, reps=1000
        ),
    )
    timed(
        "report (aligned, 1000 reps, with panel)",
        lambda: build_report(conn, ReportConfig(a=a, b=b)),
    )
    timed(
        "report (naive, 1000 reps)",
        lambda: build_report(conn, ReportConfig(a=a, b=b, naive=True)),
    )
    timed(
        "event study (monthly, placebo)",
        lambda: event_study(
            conn, EventStudyConfig(event=date(2022, 11, 30), placebo=date(2021, 11, 30))
        ),
    )
    timed(
        "event study (weekly)",
        lambda: event_study(
            conn,
            EventStudyConfig(event=date(2022, 11, 30), freq="week", pre=26, post=26),
        ),
    )


if __name__ == "__main__":
    main()
