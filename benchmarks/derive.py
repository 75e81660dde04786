"""Reposts and rollups, A/B in one process: a base commit's code against this tree's.

    python -m benchmarks.derive --db benchmarks/out/scale-200000.db   # after
    python -m benchmarks --rows 200000 --keep                          # makes that db

The base commit's ``crawler/normalize/reposts.py`` and ``crawler/rollups.py`` are read
with ``git show`` and loaded as modules beside the current ones.  Each step runs
``--repeat`` times per side, alternating (base, current, base, ...) so both sides see
the same machine load; the best wall and CPU (``process_time``, Polars' threads
included) time per side are printed with their ratios.  After each
run the results are snapshotted (every ``jobs.dup_of``; every row of category_month,
skill_month, jobs_facet_counts and jobs_facet_totals) and the two sides compared:
``identical: yes`` or ``no`` with the first differences.  The database is modified
(dup_of and the rollup tables are recomputed) but ends as the current code leaves it.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
# The last commit before reposts and rollups were computed through Polars.
BASE = "bbe3c7f"
ROLLUP_TABLES = (
    "category_month",
    "skill_month",
    "jobs_facet_counts",
    "jobs_facet_totals",
)


def load_base(rev: str, path: str, name: str) -> ModuleType:
    """The module at ``path`` as of git revision ``rev``, loaded under ``name``."""
    try:
        source = subprocess.run(
            ["git", "show", f"{rev}:{path}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"cannot read {path} at {rev} with git: {exc}") from None
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"{rev}:{path}", "exec"), module.__dict__)
    return module


def reposts_snapshot(conn) -> list[tuple]:
    return conn.execute(
        "SELECT job_id, dup_of FROM jobs WHERE dup_of IS NOT NULL ORDER BY job_id"
    ).fetchall()


def rollups_snapshot(conn) -> dict[str, list[tuple]]:
    out = {}
    for table in ROLLUP_TABLES:
        rows = conn.execute(f"SELECT * FROM {table}").fetchall()
        out[table] = sorted(rows, key=repr)
    out["meta"] = conn.execute(
        "SELECT key, value FROM meta WHERE key = 'facet_counts_max_rowid'"
    ).fetchall()
    return out


def differences(a, b) -> list[str]:
    if isinstance(a, dict):
        return [f"{k}: {d}" for k in a for d in differences(a[k], b.get(k, []))]
    sa, sb = set(a), set(b)
    out = [f"only base {r}" for r in sorted(sa - sb, key=repr)[:3]]
    out += [f"only current {r}" for r in sorted(sb - sa, key=repr)[:3]]
    if not out and len(a) != len(b):
        out.append(f"row counts {len(a)} vs {len(b)}")
    return out


def ab(name: str, sides: dict, run, snapshot, repeat: int) -> dict:
    """Run each side ``repeat`` times, alternating; compare their last results."""
    best = dict.fromkeys(sides, float("inf"))
    cpu = dict.fromkeys(sides, float("inf"))
    results = {}
    for _ in range(repeat):
        for side, target in sides.items():
            t0, c0 = time.perf_counter(), time.process_time()
            run(target)
            best[side] = min(best[side], time.perf_counter() - t0)
            cpu[side] = min(cpu[side], time.process_time() - c0)
            results[side] = snapshot()
    diff = differences(results["base"], results["current"])
    size = (
        len(results["current"])
        if isinstance(results["current"], list)
        else sum(len(v) for v in results["current"].values())
    )
    print(
        f"{name:<24} wall base {best['base']:6.2f} s current {best['current']:6.2f} s"
        f" ({best['base'] / best['current']:4.1f}x)   CPU base {cpu['base']:6.2f} s"
        f" current {cpu['current']:6.2f} s ({cpu['base'] / cpu['current']:4.1f}x)"
        f"   rows {size:,}   identical: {'no' if diff else 'yes'}"
    )
    for line in diff[:6]:
        print(f"    {line}")
    return {
        "base_s": best["base"],
        "current_s": best["current"],
        "base_cpu_s": cpu["base"],
        "current_cpu_s": cpu["current"],
        "identical": not diff,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="a normalized database")
    parser.add_argument("--base", default=BASE, help=f"git revision (default {BASE})")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--since", default=None, help="also time an incremental run from this date"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from crawler import rollups
    from crawler.db import connect
    from crawler.normalize import reposts

    conn = connect(args.db)
    n = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    print(f"{n:,} jobs in {args.db}; base {args.base} vs the current tree")
    old_reposts = load_base(args.base, "crawler/normalize/reposts.py", "base_reposts")
    old_rollups = load_base(args.base, "crawler/rollups.py", "base_rollups")
    ab(
        "reposts (full)",
        {"base": old_reposts, "current": reposts},
        lambda m: m.mark_reposts(conn),
        lambda: reposts_snapshot(conn),
        args.repeat,
    )
    if args.since:
        ab(
            f"reposts since {args.since}",
            {"base": old_reposts, "current": reposts},
            lambda m: m.mark_reposts(conn, since=args.since),
            lambda: reposts_snapshot(conn),
            args.repeat,
        )
    ab(
        "rollups (all months)",
        {"base": old_rollups, "current": rollups},
        lambda m: m.refresh_rollups(conn),
        lambda: rollups_snapshot(conn),
        args.repeat,
    )
    month = conn.execute("SELECT max(month) FROM jobs").fetchone()[0]
    if month:
        ab(
            f"rollups ({month})",
            {"base": old_rollups, "current": rollups},
            lambda m: m.refresh_rollups(conn, [month]),
            lambda: rollups_snapshot(conn),
            args.repeat,
        )


if __name__ == "__main__":
    main()
