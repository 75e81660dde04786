"""Store `jobtrends report`'s estimates in the database for the browser's dashboard.

The "AI and freelance work" dashboard (analysis/datasette/metadata.yml) draws the
report's answers from ``report_estimates`` (crawler/db.py) instead of recomputing
statistics in SQL, so the browser and ``jobtrends report`` show the same numbers.
One row per (``a``, ``b``, ``source``, ``measure``, ``item``): ``a``/``b`` are the
periods exactly as given to ``--a``/``--b`` (the dashboard's period pickers list
them), ``measure`` is ``volume`` (item = category; values are unique postings per
day), ``pay`` (category; median hourly USD) or ``skill`` (AI skill; share of unique
postings in %).  ``change_pct`` and its interval ``lo_pct``..``hi_pct`` are the
report's percent change and bootstrap interval; ``suppressed`` marks rows under the
report's minimum count, which the report's answers and the dashboard leave out.

The one function that knows the report's row shapes is :func:`estimate_rows`: a new
estimator only has to fill the same columns there.

    >>> store_estimates(conn, report) > 0
    True
"""

from __future__ import annotations

import math
import sqlite3

from crawler.db import iso, transaction, utcnow

COLUMNS = (
    "a",
    "b",
    "source",
    "measure",
    "item",
    "window_a",
    "window_b",
    "mode",
    "n_a",
    "n_b",
    "value_a",
    "value_b",
    "change_pct",
    "lo_pct",
    "hi_pct",
    "base_rate_pct",
    "is_control",
    "suppressed",
    "min_count",
    "computed_at",
)


def _num(x) -> float | None:
    """A float for SQLite; NaN and infinities (no estimate) become NULL."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def estimate_rows(report) -> list[dict]:
    """The report's volume, pay and skill rows as ``report_estimates`` rows."""
    config = report.config
    common = {
        "a": config.a.label,
        "b": config.b.label,
        "source": config.source or "",
        "window_a": report.window_a.label,
        "window_b": report.window_b.label,
        "mode": report.mode,
        "min_count": config.min_count,
        "computed_at": iso(utcnow()),
    }
    rows = []
    for r in report.volume:
        rows.append(
            {
                **common,
                "measure": "volume",
                "item": r.category,
                "n_a": r.n_a,
                "n_b": r.n_b,
                "value_a": _num(r.per_day_a),
                "value_b": _num(r.per_day_b),
                "change_pct": _num(r.pct),
                "lo_pct": _num(r.pct_lo),
                "hi_pct": _num(r.pct_hi),
                "base_rate_pct": None,
                "is_control": int(r.is_control),
                "suppressed": int(r.suppressed),
            }
        )
    for r in report.pay:
        rows.append(
            {
                **common,
                "measure": "pay",
                "item": r.category,
                "n_a": r.n_a,
                "n_b": r.n_b,
                "value_a": _num(r.median_a),
                "value_b": _num(r.median_b),
                "change_pct": _num(r.pct),
                "lo_pct": _num(r.pct_lo),
                "hi_pct": _num(r.pct_hi),
                "base_rate_pct": None,
                "is_control": 0,
                "suppressed": int(r.suppressed),
            }
        )
    for r in report.skills:
        rows.append(
            {
                **common,
                "measure": "skill",
                "item": r.skill,
                "n_a": r.n_a,
                "n_b": r.n_b,
                "value_a": _num(r.share_a_pct),
                "value_b": _num(r.share_b_pct),
                "change_pct": _num(r.growth_pct),
                "lo_pct": _num(r.growth_lo),
                "hi_pct": _num(r.growth_hi),
                "base_rate_pct": _num(r.base_rate_pre2022_pct),
                "is_control": 0,
                "suppressed": int(r.suppressed),
            }
        )
    return rows


def store_estimates(conn: sqlite3.Connection, report) -> int:
    """Replace the stored estimates of this report's periods and source; return rows."""
    rows = estimate_rows(report)
    config = report.config
    key = (config.a.label, config.b.label, config.source or "")
    placeholders = ", ".join(f":{c}" for c in COLUMNS)
    with transaction(conn):
        conn.execute(
            "DELETE FROM report_estimates WHERE a = ? AND b = ? AND source = ?", key
        )
        conn.executemany(
            f"INSERT INTO report_estimates ({', '.join(COLUMNS)}) VALUES ({placeholders})",
            rows,
        )
    return len(rows)
