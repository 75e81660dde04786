"""The scale benchmark: synth -> raw store -> normalize (+ reposts + rollups) -> report.

    python -m benchmarks --rows 5000000      # the seed study's size (target: 10 minutes)
    python -m benchmarks --rows 100000       # a quick check (a couple of minutes)

Each step runs in its own process; its peak RSS comes from ``wait4``.  The normalize
step is ``jobtrends normalize``'s: reposts and rollups run in its process, after the
listings are written, and are timed inside it.  Prints a table of
rows/s, seconds and peak memory and the database's bytes per posting, then the whole
user path - raw store, normalize, reposts, rollups, report - without the synthetic
generator (which runs in ``--processes`` processes while the rows are stored, its time
counted apart) and its linear extrapolation to 5 million postings; writes the figures
as JSON too.  ``--baseline`` also times plain ``executemany`` of the same raw rows (the
raw store's ratio to it), outside the user path.
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

STEPS = ["synth", "normalize", "report", "compare"]


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
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="processes generating the synthetic rows (same rows whatever the number)",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also store the raw rows with plain executemany (the raw store's ratio)",
    )
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
        extra = []
        if step == "synth":
            extra = ["--rows", str(args.rows), "--processes", str(args.processes)]
            extra += ["--baseline"] if args.baseline else []
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
    baseline = (
        f"{s['store_s'] / s['baseline_s']:.2f}x plain executemany"
        f" ({rows / s['baseline_s']:,.0f} rows/s)"
        if s.get("baseline_s")
        else ""
    )
    # The user's path: what `jobtrends` does from raw rows to a report.  Each step's
    # wall in its own process (start-up and imports included), but for the raw store
    # only the time inside save_raw (the generator shares that process).
    path = {
        "raw store": s["store_s"],
        "normalize": n["wall_s"] - n["reposts_s"] - n["rollups_s"],
        "reposts": n["reposts_s"],
        "rollups": n["rollups_s"],
        "report": results["report"]["wall_s"],
    }
    path_s = sum(path.values())
    table = [
        (
            f"synth ({s['processes']} processes)",
            "synth",
            f"{rows / s['synth_s']:,.0f} rows/s",
            s["synth_s"],
            "generator: not in the user path",
        ),
        (
            "raw store (save_raw)",
            "synth",
            f"{rows / s['store_s']:,.0f} rows/s",
            s["store_s"],
            baseline,
        ),
        (
            f"normalize ({n['workers']} workers)",
            "normalize",
            f"{n['rows'] / path['normalize']:,.0f} rows/s",
            path["normalize"],
            f"process wall without reposts and rollups"
            f" ({n['normalize_s']:.1f} s inside normalize_db)",
        ),
        (
            "  reposts",
            "normalize",
            "",
            n["reposts_s"],
            f"{n['reposts']:,} reposts; in the normalize process",
        ),
        (
            "  rollups",
            "normalize",
            "",
            n["rollups_s"],
            f"from the {n['rollups_from']}; in the normalize process",
        ),
        (
            "jobtrends report",
            "report",
            "",
            results["report"]["wall_s"],
            f"exit {results['report']['exit']}",
        ),
        (
            "jobtrends compare",
            "compare",
            "",
            results["compare"]["wall_s"],
            f"exit {results['compare']['exit']}; not in the user path",
        ),
    ]
    print(f"\n{rows:,} postings, {machine()}")
    print(f"{'step':<26} {'throughput':>16} {'time':>9} {'peak RSS':>10}  note")
    for name, step, tput, secs, note in table:
        print(
            f"{name:<26} {tput:>16} {secs:>7.1f} s"
            f" {results[step]['peak_rss_mib']:>6.0f} MiB  {note}"
        )
    peak = max(results[step]["peak_rss_mib"] for step in STEPS)
    scale = 5_000_000 / max(rows, 1)
    print(
        f"{'user path (no generator)':<26} {rows / path_s:>9,.0f} rows/s"
        f" {path_s:>7.1f} s {peak:>6.0f} MiB  raw store + normalize + reposts"
        " + rollups + report; peak = the largest step's"
    )
    print(
        f"{'  at 5,000,000 (linear)':<26} {'':>16} {path_s * scale / 60:>7.1f} min"
        "             rows scaled from this run: a lower bound when the database"
        " outgrows the page cache"
    )
    print(f"{'everything (wall)':<26} {'':>16} {total:>7.1f} s")
    print(
        f"database: {size / 2**20:,.0f} MiB, {size / max(rows, 1):,.0f} bytes per posting"
    )
    record = {
        "rows": rows,
        "machine": machine(),
        "total_s": total,
        "path_s": path_s,
        "path_steps_s": path,
        "path_5m_linear_s": path_s * scale,
        "peak_rss_mib": peak,
        "db_bytes": size,
        "bytes_per_posting": size / max(rows, 1),
        "steps": results,
    }
    (out_dir / f"scale-{args.rows}.json").write_text(json.dumps(record, indent=2))
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)


if __name__ == "__main__":
    main()
