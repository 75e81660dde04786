"""The database `python -m benchmarks.datasette` builds carries what the browser shows
on real data: remote and on-site and unstated postings, pay left out of the USD
figures with the normalizer's reasons, Upwork's hourly postings without a range."""

from __future__ import annotations

import sqlite3

from benchmarks.datasette import BOARD, build_database


def test_benchmark_database_has_realistic_shares(tmp_path):
    db = tmp_path / "bench.db"
    build_database(db, 4000)
    conn = sqlite3.connect(db)
    total = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    remote = dict(conn.execute("SELECT remote, count(*) FROM jobs GROUP BY remote"))
    assert set(remote) == {0, 1, None}
    assert 0.80 < remote[1] / total < 0.99  # marketplaces remote-only, a board mixed
    board = conn.execute(
        "SELECT count(*) FROM jobs WHERE source = ?", (BOARD,)
    ).fetchone()[0]
    assert 0.05 < board / total < 0.15
    issues = dict(
        conn.execute(
            "SELECT field || ' ' || reason, count(*) FROM normalize_issues"
            " GROUP BY field, reason"
        )
    )
    for reason in (
        "pay_currency ambiguous:$",
        "pay_currency no_currency",
        "pay not stated",
        "pay hourly without range",
    ):
        assert issues.get(reason, 0) > 0, (reason, issues)
    # Every issue belongs to a stored posting; left-out pay keeps its amounts.
    assert not conn.execute(
        "SELECT 1 FROM normalize_issues LEFT JOIN jobs USING (job_id)"
        " WHERE jobs.job_id IS NULL"
    ).fetchone()
    left_out = conn.execute(
        "SELECT count(*), count(j.pay_min) + count(j.pay_max) > 0,"
        " count(j.hourly_usd_mid) + count(j.budget_usd) + count(j.salary_usd_year)"
        " FROM normalize_issues i JOIN jobs j USING (job_id)"
        " WHERE i.field = 'pay_currency'"
    ).fetchone()
    assert left_out[0] > 0 and left_out[1] and left_out[2] == 0
    # The stored facet counts cover every posting.
    assert conn.execute("SELECT sum(n) FROM jobs_facet_combos").fetchone()[0] == total
    conn.close()
