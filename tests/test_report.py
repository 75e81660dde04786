"""Invariants of `jobtrends report` on seeded synthetic jobs with known truth.

Volume invariants use noise-free counts (noise="none") so they test the arithmetic
(per-day rates, windows, dedup, control); pay uses random log-normal values; the
bootstrap's calibration is checked by simulation under Poisson noise.
"""

import json
import math
from datetime import date

import numpy as np
import pytest
from click.testing import CliRunner

from analysis import stats
from analysis.periods import parse_period
from analysis.report import ReportConfig, _volume, aligned_window, build_report
from analysis.testdata import Scenario, days_of, seasonal, seed_db
from crawler.cli import main
from crawler.db import JOB_COLUMNS, connect
from crawler.rollups import refresh_rollups

A, B = parse_period("2022-11"), parse_period("2024-02")
CONTROL = ("engineering & architecture", "accounting & finance", "admin support")
PLANTED = {
    "writing": 0.67,
    "translation": 0.81,
    "customer service": 0.84,
    "video editing & production": 1.39,
    "web design": 1.10,
    "graphic design": 1.08,
}


def make_db(path, scenario):
    conn = connect(path)
    seed_db(conn, scenario)
    refresh_rollups(conn)
    return conn


def by_cat(rows):
    return {r.category: r for r in rows}


def covers(lo, hi, value):
    # Noise-free scenarios give zero-width intervals: allow for float rounding.
    return lo - 1e-6 <= value <= hi + 1e-6


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    path = tmp_path_factory.mktemp("planted") / "t.db"
    scenario = Scenario(
        days=days_of([A, B, parse_period("2021-06-01..2021-06-07")]),
        rates={c: 40 for c in [*PLANTED, *CONTROL]},
        effects=PLANTED,
        pay_effects={"translation": 0.80},
        pay_sigma=0.1,
        hourly_share=lambda d: 0.9,
        # chatgpt etc. appear after the event; a pre-2022 month gives the base rate.
        ai_share=lambda d: 0.15 if d > date(2022, 11, 30) else 0.01,
        noise="none",
        seed=11,
    )
    return path, make_db(path, scenario)


def test_aligned_window():
    assert aligned_window(A, B).label == "2022-02"
    assert aligned_window(
        parse_period("2023-03"), parse_period("2023-12-01..2024-01-31")
    ).label == ("2022-12-01..2023-01-31")


def test_planted_effects_naive(planted):
    _, conn = planted
    rep = build_report(conn, ReportConfig(a=A, b=B, naive=True, reps=200))
    vol = by_cat(rep.volume)
    for cat, factor in PLANTED.items():
        row = vol[cat]
        planted_pct = (factor - 1) * 100
        assert abs(row.pct - planted_pct) <= 2, (cat, row.pct)
        assert covers(row.pct_lo, row.pct_hi, planted_pct), (cat, row)
        assert covers(row.rel_lo, row.rel_hi, planted_pct), (
            cat,
            row,
        )  # control is flat
        assert row.n_a >= 30 and not row.suppressed
    for cat in CONTROL:
        assert vol[cat].is_control and abs(vol[cat].pct) < 2
    pay = by_cat(rep.pay)
    assert abs(pay["translation"].pct - (-20)) <= 2
    assert covers(pay["translation"].pct_lo, pay["translation"].pct_hi, -20)
    # No pay effect planted elsewhere: at most one of eight 95 % intervals may miss 0.
    misses = [
        r.category
        for r in rep.pay
        if r.category != "translation" and not covers(r.pct_lo, r.pct_hi, 0)
    ]
    assert len(misses) <= 1, misses
    assert rep.answers["volume_fell_most"]["categories"][0] == "writing"
    assert rep.answers["pay_fell_most"]["categories"][0] == "translation"
    # q-values: the big planted falls are significant, BH never below the raw p
    for row in rep.volume:
        if not row.is_control:
            assert row.q_value >= row.p_value - 1e-12
    assert vol["writing"].q_value < 0.01
    skills = {s.skill: s for s in rep.skills}
    assert skills["chatgpt"].n_b > skills["chatgpt"].n_a
    assert (
        skills["chatgpt"].base_n_pre2022 > 0
        and 0 < skills["chatgpt"].base_rate_pre2022_pct < 2
    )


def test_purely_seasonal_series(tmp_path):
    scenario = Scenario(
        days=days_of([parse_period("2022-02"), A, B]),
        rates={"writing": 25, "translation": 25, "admin support": 25},
        day_factor=seasonal(0.4, peak_month=11),
        noise="none",
        seed=5,
    )
    conn = make_db(tmp_path / "t.db", scenario)
    aligned = by_cat(build_report(conn, ReportConfig(a=A, b=B, reps=300)).volume)
    naive = by_cat(
        build_report(conn, ReportConfig(a=A, b=B, naive=True, reps=300)).volume
    )
    for cat in ("writing", "translation", "admin support"):
        assert abs(aligned[cat].pct) < 3, aligned[cat]
        # February runs at 1.0 of the yearly mean and November at 1.4: about -29 %.
        assert naive[cat].pct < -20, naive[cat]
        assert (
            abs(naive[cat].rel_pct) < 3
        )  # all seasonal alike, so relative change is ~0


def test_uniform_growth_gives_no_relative_change(tmp_path):
    """Platform-wide x1.14 moves every raw figure by +14 % and no relative one.

    Noise-free counts test the arithmetic; interval calibration under Poisson noise is
    tested separately below.
    """
    cats = ["writing", "translation", "legal", "web design", *CONTROL]
    scenario = Scenario(
        days=days_of([A, B]),
        rates={c: 30 for c in cats},
        day_factor=lambda d: 1.14 if d > date(2022, 11, 30) else 1.0,
        noise="none",
        seed=9,
    )
    conn = make_db(tmp_path / "t.db", scenario)
    rep = build_report(conn, ReportConfig(a=A, b=B, naive=True, reps=200))
    assert len(rep.volume) == len(cats)
    for row in rep.volume:
        assert abs(row.rel_pct) < 1, row
        assert abs(row.pct - 14) < 1.5, row
        assert abs(row.share_change_pp) < 0.3


def test_reposts_leave_deduplicated_figures_unchanged(tmp_path):
    scenario = Scenario(
        days=days_of([A, B]),
        rates={"writing": 8, "legal": 8, "admin support": 8},
        seed=2,
    )
    conn = make_db(tmp_path / "t.db", scenario)
    config = ReportConfig(a=A, b=B, naive=True, reps=200)
    before = build_report(conn, config)
    total = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    # 20 % exact reposts: same fields and skills, pointing at the first posting.
    copied = {"job_id": "job_id || ':r'", "source_id": "source_id || ':r'", "dup_of": "job_id"}
    conn.execute(
        f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)}) SELECT "
        + ", ".join(copied.get(c, c) for c in JOB_COLUMNS)
        + " FROM jobs WHERE rowid % 5 = 0"
    )
    conn.execute(
        "INSERT INTO job_skills SELECT job_id || ':r', skill, is_ai, family, month FROM job_skills"
        " WHERE job_id IN (SELECT dup_of FROM jobs WHERE dup_of IS NOT NULL)"
    )
    assert conn.execute("SELECT count(*) FROM jobs").fetchone()[0] == total + total // 5
    refresh_rollups(conn)
    after = build_report(conn, config)
    assert [(r.category, r.n_a, r.n_b, r.pct, r.rel_pct) for r in after.volume] == [
        (r.category, r.n_a, r.n_b, r.pct, r.rel_pct) for r in before.volume
    ]
    assert [(r.category, r.median_a, r.median_b) for r in after.pay] == [
        (r.category, r.median_a, r.median_b) for r in before.pay
    ]
    assert [(s.skill, s.n_a, s.n_b) for s in after.skills] == [
        (s.skill, s.n_a, s.n_b) for s in before.skills
    ]


def test_hourly_fixed_mix_does_not_move_pay(tmp_path):
    scenario = Scenario(
        days=days_of([A, B]),
        rates={"writing": 40, "admin support": 40},
        hourly_share=lambda d: 0.7 if d <= date(2022, 11, 30) else 0.2,
        pay_sigma=0.15,
        seed=4,
    )
    conn = make_db(tmp_path / "t.db", scenario)
    rep = build_report(conn, ReportConfig(a=A, b=B, naive=True, reps=300))
    for row in rep.pay:
        assert row.n_a > 2 * row.n_b  # the mix really changed
        assert abs(row.pct) < 3, row
        assert covers(row.pct_lo, row.pct_hi, 0.0), row
    assert abs(rep.pay_overall["pct"]) < 3


def test_block_bootstrap_interval_coverage():
    """Over many simulated Poisson weekly series the 95 % interval covers the truth ~95 %."""
    rng = np.random.default_rng(0)
    hits, sims = 0, 150
    days = np.array([7.0, 7, 7, 7, 2])
    config = ReportConfig(a=A, b=B, reps=300, naive=True, control=("c",))
    for _ in range(sims):
        WA = rng.poisson(np.outer(days, [20.0, 20.0]))
        WB = rng.poisson(np.outer(days, [20.0 * 0.8, 20.0]))
        wa = stats.block_bootstrap_weights(5, 300, rng)
        wb = stats.block_bootstrap_weights(5, 300, rng)
        row = by_cat(_volume(WA, WB, days, days, wa, wb, ["t", "c"], ["c"], config))[
            "t"
        ]
        hits += covers(row.pct_lo, row.pct_hi, -20.0)
    assert 0.85 <= hits / sims <= 0.995


def test_bh_qvalues_by_hand():
    q = stats.bh_qvalues([0.01, 0.04, 0.03, 0.5, float("nan")])
    assert q[:4] == pytest.approx(
        [0.04, 0.04 * 4 / 3 * 0 + 0.0533333333, 0.0533333333, 0.5]
    )
    assert math.isnan(q[4])


def test_cli_report_writes_everything(planted, tmp_path):
    path, _ = planted
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        [
            "report",
            "--db",
            str(path),
            "--a",
            "2022-11",
            "--b",
            "2024-02",
            "--naive",
            "--reps",
            "100",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert (
        "1. Which categories' volume fell most?" in res.output
        and "writing" in res.output
    )
    for name in (
        "report.md",
        "report.json",
        "volume.csv",
        "pay.csv",
        "ai_skills.csv",
        "volume_index.png",
        "volume_change.png",
        "pay_change.png",
        "ai_skills.png",
    ):
        assert (out / name).stat().st_size > 0, name
    data = json.loads((out / "report.json").read_text())
    assert {r["category"] for r in data["volume"]} >= set(PLANTED)
    assert (out / "volume_index.png").read_bytes()[:4] == b"\x89PNG"
    bad = CliRunner().invoke(
        main, ["report", "--db", str(path), "--control", "plumbing"]
    )
    assert bad.exit_code == 2 and "unknown control" in bad.output
    bad = CliRunner().invoke(
        main, ["report", "--db", str(path), "--a", "2024-02", "--b", "2022-11"]
    )
    assert bad.exit_code == 2 and "must start after" in bad.output


def test_partly_covered_window_is_flagged(planted):
    _, conn = planted
    rep = build_report(
        conn,
        ReportConfig(
            a=A, b=parse_period("2024-02-15..2024-03-15"), naive=True, reps=50
        ),
    )
    assert any("postings end 2024-02-29" in n and "window B" in n for n in rep.notes)
    assert not any("window A" in n for n in rep.notes)
