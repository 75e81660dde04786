"""SQL readers shared by compare, report and event study.

Every reader counts unique postings (``dup_of IS NULL``) over a half-open window of
``posted_at`` (ISO strings compare correctly), optionally for one source, and uses the
``jobs_posted_at`` index so only the window's rows are touched.

    >>> from analysis.periods import parse_period
    >>> category_counts(conn, parse_period("2024-02"))
    {...'writing': ...}
"""

from __future__ import annotations

import itertools
import sqlite3

import numpy as np

from analysis.periods import Period
from crawler.normalize.categories import CANONICAL_CATEGORIES
from crawler.rollups import rollups_current

CATEGORIES: tuple[str, ...] = tuple(CANONICAL_CATEGORIES)

CAT = "coalesce(category, 'other')"


def _source_clause(source: str | None, column: str = "source") -> tuple[str, list]:
    return (f" AND {column} = ?", [source]) if source else ("", [])


def category_counts(
    conn: sqlite3.Connection, period: Period, source: str | None = None
) -> dict[str, int]:
    """Unique postings per category in ``period``."""
    extra, params = _source_clause(source)
    rows = conn.execute(
        f"SELECT {CAT}, count(*) FROM jobs WHERE posted_at >= ? AND posted_at < ?"
        f" AND dup_of IS NULL{extra} GROUP BY 1",
        [period.start_iso, period.end_iso, *params],
    )
    return {r[0]: r[1] for r in rows}


def weekly_counts(
    conn: sqlite3.Connection, period: Period, source: str | None = None
) -> dict[tuple[str, int], int]:
    """(category, week) -> unique postings; week k = days [7k, 7k+7) of the window."""
    extra, params = _source_clause(source)
    rows = conn.execute(
        f"SELECT {CAT}, CAST((julianday(substr(posted_at, 1, 10)) - julianday(?)) / 7 AS INTEGER),"
        f" count(*) FROM jobs WHERE posted_at >= ? AND posted_at < ? AND dup_of IS NULL{extra}"
        " GROUP BY 1, 2",
        [period.start.isoformat(), period.start_iso, period.end_iso, *params],
    )
    return {(r[0], r[1]): r[2] for r in rows}


def weeks_matrix(
    counts: dict[tuple[str, int], int], period: Period, categories: list[str]
) -> np.ndarray:
    """(weeks, categories) array from :func:`weekly_counts` output."""
    n_weeks = max(1, -(-period.days // 7))
    out = np.zeros((n_weeks, len(categories)), dtype=np.int64)
    index = {c: i for i, c in enumerate(categories)}
    for (cat, week), n in counts.items():
        if cat in index and 0 <= week < n_weeks:
            out[week, index[cat]] += n
    return out


def weekly_skill_counts(
    conn: sqlite3.Connection,
    period: Period,
    source: str | None = None,
    ai_only: bool = True,
) -> tuple[list[str], np.ndarray]:
    """Skills seen in ``period`` and their (weeks, skills) unique-posting counts."""
    n_weeks = max(1, -(-period.days // 7))
    extra, params = _source_clause(source, "j.source")
    ai = " AND s.is_ai = 1" if ai_only else ""
    rows = conn.execute(
        "SELECT s.skill, CAST((julianday(substr(j.posted_at, 1, 10)) - julianday(?)) / 7"
        " AS INTEGER), count(*) FROM jobs j JOIN job_skills s ON s.job_id = j.job_id"
        f" WHERE j.posted_at >= ? AND j.posted_at < ? AND j.dup_of IS NULL{ai}{extra}"
        " GROUP BY 1, 2",
        [period.start.isoformat(), period.start_iso, period.end_iso, *params],
    ).fetchall()
    skills = sorted({r[0] for r in rows})
    index = {s: i for i, s in enumerate(skills)}
    out = np.zeros((n_weeks, len(skills)), dtype=np.int64)
    for skill, week, n in rows:
        if 0 <= week < n_weeks:
            out[week, index[skill]] += n
    return skills, out


def skill_counts(
    conn: sqlite3.Connection, period: Period, source: str | None = None
) -> dict[str, tuple[int, int]]:
    """skill -> (unique postings in period, is_ai)."""
    extra, params = _source_clause(source, "j.source")
    rows = conn.execute(
        "SELECT s.skill, count(*), max(s.is_ai) FROM jobs j"
        " JOIN job_skills s ON s.job_id = j.job_id"
        f" WHERE j.posted_at >= ? AND j.posted_at < ? AND j.dup_of IS NULL{extra}"
        " GROUP BY s.skill",
        [period.start_iso, period.end_iso, *params],
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def hourly_rows(
    conn: sqlite3.Connection, period: Period, source: str | None = None
) -> list[tuple]:
    """(category, week, mid, min, max, source, country) for unique hourly postings."""
    extra, params = _source_clause(source)
    return conn.execute(
        f"SELECT {CAT}, CAST((julianday(substr(posted_at, 1, 10)) - julianday(?)) / 7 AS INTEGER),"
        " hourly_usd_mid, hourly_usd_min, hourly_usd_max, source, country FROM jobs"
        " WHERE posted_at >= ? AND posted_at < ? AND dup_of IS NULL AND pay_type = 'hourly'"
        f" AND hourly_usd_mid IS NOT NULL{extra}",
        [period.start.isoformat(), period.start_iso, period.end_iso, *params],
    ).fetchall()


def hourly_medians(
    conn: sqlite3.Connection, period: Period, source: str | None = None
) -> dict[str, tuple[int, float]]:
    """category -> (n, median hourly_usd_mid), streaming sorted values one group at a time."""
    extra, params = _source_clause(source)
    cursor = conn.execute(
        f"SELECT {CAT} AS cat, hourly_usd_mid FROM jobs WHERE posted_at >= ? AND posted_at < ?"
        f" AND dup_of IS NULL AND pay_type = 'hourly' AND hourly_usd_mid IS NOT NULL{extra}"
        " ORDER BY cat, hourly_usd_mid",
        [period.start_iso, period.end_iso, *params],
    )
    out: dict[str, tuple[int, float]] = {}
    current, values = None, []
    for cat, value in cursor:
        if cat != current:
            if values:
                out[current] = (len(values), float(np.median(values)))
            current, values = cat, []
        values.append(value)
    if values:
        out[current] = (len(values), float(np.median(values)))
    return out


def monthly_category_counts(
    conn: sqlite3.Connection, source: str | None = None, *, by_source: bool = False
) -> dict[tuple, int]:
    """(month, category) -> unique postings over all time; from rollups when current.

    ``by_source=True`` keys by (month, source, category) instead.
    """
    extra, params = _source_clause(source)
    keys = "month, source, " if by_source else "month, "
    if rollups_current(conn):
        sql = (
            f"SELECT {keys}category, sum(unique_postings) FROM category_month"
            f" WHERE 1{extra} GROUP BY {keys}category"
        )
    else:
        sql = (
            f"SELECT {keys}{CAT} AS cat, count(*) FROM jobs WHERE month IS NOT NULL"
            f" AND dup_of IS NULL{extra} GROUP BY {keys}cat"
        )
    return {tuple(r[:-1]): r[-1] for r in conn.execute(sql, params)}


def pre_period_base_rates(
    conn: sqlite3.Connection, before: str = "2022-01-01", source: str | None = None
) -> tuple[int, dict[str, int]]:
    """Unique postings before ``before`` and, per AI skill, how many mention it.

    A high base rate for an "AI" keyword before ChatGPT hints at false positives.
    """
    if before.endswith("-01") and rollups_current(conn):
        # Whole months: the rollups answer without touching millions of jobs.
        month = before[:7]
        extra, params = _source_clause(source)
        total = conn.execute(
            f"SELECT coalesce(sum(unique_postings), 0) FROM category_month WHERE month < ?{extra}",
            [month, *params],
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT skill, sum(unique_postings) FROM skill_month WHERE month < ? AND is_ai = 1"
            f"{extra} GROUP BY skill",
            [month, *params],
        )
        return total, {r[0]: r[1] for r in rows}
    extra, params = _source_clause(source)
    total = conn.execute(
        f"SELECT count(*) FROM jobs WHERE posted_at < ? AND dup_of IS NULL{extra}",
        [f"{before}T00:00:00Z", *params],
    ).fetchone()[0]
    extra_j, params_j = _source_clause(source, "j.source")
    rows = conn.execute(
        "SELECT s.skill, count(*) FROM jobs j JOIN job_skills s ON s.job_id = j.job_id"
        f" WHERE j.posted_at < ? AND j.dup_of IS NULL AND s.is_ai = 1{extra_j}"
        " GROUP BY s.skill",
        [f"{before}T00:00:00Z", *params_j],
    )
    return total, {r[0]: r[1] for r in rows}


def data_span(conn: sqlite3.Connection) -> tuple[str | None, str | None]:
    row = conn.execute("SELECT min(posted_at), max(posted_at) FROM jobs").fetchone()
    return row[0], row[1]


def columns_of(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def monthly_pay_medians(
    conn: sqlite3.Connection, source: str | None = None
) -> dict[tuple[str, str, str], tuple[int, float]]:
    """(month, source, category) -> (hourly postings, median hourly_usd_mid).

    From the rollups when current (their medians are per month, source and category).
    """
    extra, params = _source_clause(source)
    if rollups_current(conn):
        rows = conn.execute(
            "SELECT month, source, category, hourly_n, hourly_median FROM category_month"
            f" WHERE hourly_n > 0 AND hourly_median > 0{extra}",
            params,
        )
        return {(r[0], r[1], r[2]): (int(r[3]), float(r[4])) for r in rows}
    cursor = conn.execute(
        f"SELECT month, source, {CAT} AS cat, hourly_usd_mid FROM jobs"
        " WHERE month IS NOT NULL AND dup_of IS NULL AND pay_type = 'hourly'"
        f" AND hourly_usd_mid > 0{extra} ORDER BY month, source, cat, hourly_usd_mid",
        params,
    )
    out: dict[tuple[str, str, str], tuple[int, float]] = {}
    for key, rows in itertools.groupby(cursor, key=lambda r: r[:3]):
        values = [r[3] for r in rows]
        out[key] = (len(values), float(np.median(values)))
    return out


def monthly_ai_skill_counts(
    conn: sqlite3.Connection, source: str | None = None
) -> dict[tuple[str, str], int]:
    """(month, AI skill) -> unique postings mentioning it; from rollups when current."""
    extra, params = _source_clause(source)
    if rollups_current(conn):
        sql = (
            "SELECT month, skill, sum(unique_postings) FROM skill_month"
            f" WHERE is_ai = 1{extra} GROUP BY 1, 2"
        )
    else:
        extra_j, params = _source_clause(source, "j.source")
        sql = (
            "SELECT j.month, s.skill, count(*) FROM jobs j JOIN job_skills s"
            " ON s.job_id = j.job_id WHERE j.month IS NOT NULL AND j.dup_of IS NULL"
            f" AND s.is_ai = 1{extra_j} GROUP BY 1, 2"
        )
    return {(r[0], r[1]): r[2] for r in conn.execute(sql, params)}


def covered_days(
    conn: sqlite3.Connection, period: Period, source: str | None = None
) -> int:
    """Days of ``period`` with at least one posting (an index range, not a scan)."""
    extra, params = _source_clause(source)
    return conn.execute(
        "SELECT count(DISTINCT substr(posted_at, 1, 10)) FROM jobs"
        f" WHERE posted_at >= ? AND posted_at < ?{extra}",
        [period.start_iso, period.end_iso, *params],
    ).fetchone()[0]


def pay_left_out(
    conn: sqlite3.Connection, period: Period, source: str | None = None
) -> dict[str, int]:
    """reason -> unique postings of ``period`` whose pay amounts were kept but left out of
    every USD figure because no currency could be settled (``normalize_issues`` field
    ``pay_currency``: ``ambiguous:$``, ``no_currency`` ...), most frequent first."""
    extra, params = _source_clause(source, "j.source")
    rows = conn.execute(
        "SELECT i.reason, count(*) FROM normalize_issues i JOIN jobs j USING (job_id)"
        " WHERE i.field = 'pay_currency' AND j.posted_at >= ? AND j.posted_at < ?"
        f" AND j.dup_of IS NULL{extra} GROUP BY i.reason ORDER BY count(*) DESC, i.reason",
        [period.start_iso, period.end_iso, *params],
    ).fetchall()
    return {reason: n for reason, n in rows}


def pay_left_out_note(left_out: dict[str, dict[str, int]]) -> str:
    """One line for reports: ``{"A": {"ambiguous:$": 3}, "B": {}}`` ->
    ``"pay left out of USD figures (no currency): A 3 (ambiguous:$ 3); B 0"``."""
    parts = []
    for label, reasons in left_out.items():
        detail = ", ".join(f"{r} {n}" for r, n in reasons.items())
        parts.append(
            f"{label} {sum(reasons.values())}" + (f" ({detail})" if detail else "")
        )
    return "pay left out of USD figures (no currency): " + "; ".join(parts)
