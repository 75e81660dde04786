"""Rollups agree with direct computation over jobs, per month, and refresh idempotently."""

import numpy as np
import pytest

from analysis.periods import parse_period
from analysis.testdata import Scenario, days_of, make_jobs
from crawler.db import connect, save_jobs
from crawler.rollups import quantile_sorted, refresh_rollups, rollups_current


@pytest.fixture()
def conn(tmp_path):
    conn = connect(tmp_path / "t.db")
    scenario = Scenario(
        days=days_of([parse_period("2023-01-01..2023-03-15")]),
        rates={"writing": 6, "legal": 3},
        dup_share=0.25,
        ai_share=lambda d: 0.3,
        seed=3,
    )
    save_jobs(conn, make_jobs(scenario))
    return conn


def test_quantile_matches_numpy():
    values = sorted(np.random.default_rng(1).normal(size=101).tolist())
    for q in (0.25, 0.5, 0.75):
        assert quantile_sorted(values, q) == pytest.approx(np.quantile(values, q))
    assert quantile_sorted([], 0.5) is None


def test_category_month_matches_jobs(conn):
    result = refresh_rollups(conn)
    assert result["months"] == 3
    assert rollups_current(conn)
    for (
        month,
        _source,
        cat,
        postings,
        unique,
        hourly_n,
        median,
        p25,
        p75,
        ai,
    ) in conn.execute("SELECT * FROM category_month"):
        rows = conn.execute(
            "SELECT dup_of, pay_type, hourly_usd_mid, has_ai_skill FROM jobs"
            " WHERE month = ? AND category = ?",
            (month, cat),
        ).fetchall()
        assert postings == len(rows)
        uniq = [r for r in rows if r[0] is None]
        assert unique == len(uniq)
        assert ai == sum(r[3] for r in uniq)
        pay = [r[2] for r in uniq if r[1] == "hourly"]
        assert hourly_n == len(pay)
        assert median == pytest.approx(np.median(pay))
        assert p25 == pytest.approx(np.quantile(pay, 0.25))
        assert p75 == pytest.approx(np.quantile(pay, 0.75))


def test_skill_month_counts(conn):
    refresh_rollups(conn)
    rows = conn.execute(
        "SELECT skill, postings, unique_postings, is_ai FROM skill_month WHERE month = '2023-02'"
    ).fetchall()
    assert rows
    for skill, postings, unique, is_ai in rows:
        direct = conn.execute(
            "SELECT count(*), sum(j.dup_of IS NULL) FROM job_skills s JOIN jobs j USING (job_id)"
            " WHERE j.month = '2023-02' AND s.skill = ?",
            (skill,),
        ).fetchone()
        assert (postings, unique) == tuple(direct)
        assert is_ai == (skill in {"chatgpt", "prompt engineering", "llm fine-tuning"})


def test_refresh_one_month_leaves_others_and_is_idempotent(conn):
    refresh_rollups(conn)
    before = conn.execute("SELECT * FROM category_month ORDER BY 1, 2, 3").fetchall()
    conn.execute("DELETE FROM jobs WHERE month = '2023-03'")
    assert not rollups_current(conn)
    refresh_rollups(conn, ["2023-03"])
    after = conn.execute("SELECT * FROM category_month ORDER BY 1, 2, 3").fetchall()
    assert [tuple(r) for r in after] == [tuple(r) for r in before if r[0] != "2023-03"]
    assert rollups_current(conn)
    refresh_rollups(conn, ["2023-01", "2023-02"])
    again = conn.execute("SELECT * FROM category_month ORDER BY 1, 2, 3").fetchall()
    assert [tuple(r) for r in again] == [tuple(r) for r in after]
    assert refresh_rollups(conn, [])["months"] == 0
