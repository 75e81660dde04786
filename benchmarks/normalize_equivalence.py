"""Whether two databases hold the same normalized rows: an A/B check for normalizer work.

    python -m benchmarks.normalize_equivalence A.db B.db

Normalize copies of one raw database with two checkouts (say ``main`` in a
``git worktree`` and a branch), then compare: for every table both hold (``jobs``,
``job_skills``, ``normalize_issues``, the rollups; not ``meta``, which records when each
ran, nor the full-text index) it prints the row counts and the rows found in only one of
them, and exits 1 when any differ.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys

SKIP = {"meta"}


def tables(conn: sqlite3.Connection, schema: str) -> set[str]:
    return {
        name
        for (name,) in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%'"
            " AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'"
        )
    } - SKIP


def compare(a: str, b: str) -> int:
    """Print per-table differences between databases ``a`` and ``b``; their number."""
    conn = sqlite3.connect(f"file:{a}?mode=ro", uri=True)
    conn.execute("ATTACH ? AS b", (f"file:{b}?mode=ro",))
    differing = 0
    for table in sorted(tables(conn, "main") & tables(conn, "b")):
        counts = [
            conn.execute(f'SELECT count(*) FROM {s}."{table}"').fetchone()[0]
            for s in ("main", "b")
        ]
        only = [
            conn.execute(
                f'SELECT count(*) FROM (SELECT * FROM {x}."{table}"'
                f' EXCEPT SELECT * FROM {y}."{table}")'
            ).fetchone()[0]
            for x, y in (("main", "b"), ("b", "main"))
        ]
        differing += only[0] + only[1]
        print(
            f"{table}: {counts[0]:,} vs {counts[1]:,} rows;"
            f" only in A {only[0]:,}, only in B {only[1]:,}"
        )
    print("identical: " + ("yes" if differing == 0 else "no"))
    return differing


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    args = ap.parse_args(argv)
    sys.exit(1 if compare(args.a, args.b) else 0)


if __name__ == "__main__":
    main()
