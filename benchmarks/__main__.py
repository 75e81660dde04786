"""The scale benchmark: synth -> raw store -> normalize -> reposts -> rollups -> report.

    python -m benchmarks --rows 5000000      # the seed study's size (target: 10 minutes)
    python -m benchmarks --rows 100000       # a quick check (a couple of minutes)

Each step runs in its own process; its peak RSS comes from ``wait4``.  Prints a table of
rows/s, seconds and peak memory, the raw store's ratio to plain ``executemany`` on the
same rows, and the database's bytes per posting; writes the figures as JSON too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

STEPS = ["synth", "normalize", "reposts", "rollups", "report", "compare"]


def run_step(step: str, db: str, extra: list[str]) -> tuple[dict, float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.steps", step, "--db", db, *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(
            f"step {step} failed (exit {proc.returncode}); its output:\n{out}"
        )
    figures = json.loads(out.strip().splitlines()[-1])
    return figures, wall, usage.ru_maxrss / 1024  # MiB (ru_maxrss is KiB on Linux)


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--db",
        default=None,
        help="database path (default: benchmarks/out/scale-ROWS.db)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database afterwards"
    )
    args = parser.parse_args()
    out_dir = Path("benchmarks/out")
    out_dir.mkdir(parents=True, exist_ok=True)
    db = args.db or str(out_dir / f"scale-{args.rows}.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    print(
        f"scale benchmark: {args.rows:,} postings into {db} on {machine()}",
        file=sys.stderr,
    )
    results: dict[str, dict] = {}
    total = time.perf_counter()
    for step in STEPS:
        extra = ["--rows", str(args.rows)] if step == "synth" else []
        if step == "normalize":
            extra = ["--workers", str(args.workers)]
        if step == "report":
            extra = ["--out", str(out_dir / f"report-{args.rows}")]
        figures, wall, rss = run_step(step, db, extra)
        results[step] = {**figures, "wall_s": wall, "peak_rss_mib": rss}
        print(f"  {step:<10} {wall:8.1f} s  peak RSS {rss:7.0f} MiB", file=sys.stderr)
    total = time.perf_counter() - total
    rows = results["synth"]["rows"]
    size = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))
    s, n = results["synth"], results["normalize"]
    table = [
        (
            "synth (generate)",
            f"{rows / s['synth_s']:,.0f} rows/s",
            f"{s['synth_s']:.1f} s",
            "",
        ),
        (
            "raw store (save_raw)",
            f"{rows / s['store_s']:,.0f} rows/s",
            f"{s['store_s']:.1f} s",
            f"{s['store_s'] / s['baseline_s']:.2f}x plain executemany ({rows / s['baseline_s']:,.0f} rows/s)",
        ),
        (
            f"normalize ({n['workers']} workers)",
            f"{n['rows'] / n['seconds']:,.0f} rows/s",
            f"{n['seconds']:.1f} s",
            "",
        ),
        (
            "reposts",
            "",
            f"{results['reposts']['seconds']:.1f} s",
            f"{results['reposts']['reposts']:,} reposts",
        ),
        ("rollups refresh", "", f"{results['rollups']['seconds']:.1f} s", ""),
        (
            "jobtrends report",
            "",
            f"{results['report']['seconds']:.1f} s",
            f"exit {results['report']['exit']}",
        ),
        (
            "jobtrends compare",
            "",
            f"{results['compare']['seconds']:.1f} s",
            f"exit {results['compare']['exit']}",
        ),
    ]
    print(f"\n{rows:,} postings, {machine()}")
    print(f"{'step':<24} {'throughput':>16} {'time':>9} {'peak RSS':>10}  note")
    for (name, tput, secs, note), step in zip(
        table,
        ["synth", "synth", "normalize", "reposts", "rollups", "report", "compare"],
        strict=False,
    ):
        print(
            f"{name:<24} {tput:>16} {secs:>9} {results[step]['peak_rss_mib']:>7.0f} MiB  {note}"
        )
    # The synth step's wall also holds the benchmark's own executemany baseline and its
    # scratch-table upkeep: not part of a user's path from synth to report.
    harness = s["wall_s"] - s["synth_s"] - s["store_s"]
    print(f"{'whole path (wall)':<24} {'':>16} {total:>7.1f} s")
    print(
        f"{'  without the baseline':<24} {'':>16} {total - harness:>7.1f} s"
        f"             (the executemany baseline and its upkeep: {harness:.1f} s)"
    )
    print(
        f"database: {size / 2**20:,.0f} MiB, {size / max(rows, 1):,.0f} bytes per posting"
    )
    record = {
        "rows": rows,
        "machine": machine(),
        "total_s": total,
        "path_s": total - harness,
        "db_bytes": size,
        "steps": results,
    }
    (out_dir / f"scale-{args.rows}.json").write_text(json.dumps(record, indent=2))
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)


if __name__ == "__main__":
    main()
