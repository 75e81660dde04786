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
from crawler.errors import UserError
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
    copied = {
        "job_id": "job_id || ':r'",
        "source_id": "source_id || ':r'",
        "dup_of": "job_id",
    }
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


@pytest.fixture(scope="module")
def monthly(tmp_path_factory):
    """Every day 2021-07-01..2024-06-14 (data stop mid-June), seasonal and growing."""
    path = tmp_path_factory.mktemp("monthly") / "t.db"
    scenario = Scenario(
        days=days_of([parse_period("2021-07-01..2024-06-14")]),
        rates={
            "writing": 6,
            "translation": 5,
            "legal": 5,
            "web design": 6,
            "engineering & architecture": 6,
            "accounting & finance": 5,
            "admin support": 6,
        },
        effects={"writing": 0.67},
        pay_effects={"translation": 0.8},
        pay_sigma=0.3,
        day_factor=lambda d: (
            seasonal(0.15, peak_month=1)(d) * 1.3 ** ((d - date(2021, 7, 1)).days / 365)
        ),
        ai_share=lambda d: 0.08 if d > date(2022, 11, 30) else 0.002,
        seed=31,
    )
    return path, make_db(path, scenario)


def test_panel_headline_recovers_planted_effects(monthly):
    _, conn = monthly
    rep = build_report(conn, ReportConfig(a=A, b=parse_period("2024-05"), reps=399))
    p = rep.panel
    assert p.months[0] == "2021-07" and p.months[-1] == "2024-05"  # June is partial
    assert p.controls == list(CONTROL) and not p.controls_dropped
    vol = {r.category: r for r in p.volume}
    w = vol["writing"]
    assert w.lo_pct <= -33 <= w.hi_pct and w.q_value < 0.01, w
    for cat in ("translation", "legal", "web design"):
        assert vol[cat].lo_pct <= 0 <= vol[cat].hi_pct, vol[cat]
    # leave-one-control-out brackets the estimate
    assert w.loo_min_pct <= w.effect_pct <= w.loo_max_pct
    pay = {r.category: r for r in p.pay}
    assert pay["translation"].lo_pct <= -20 <= pay["translation"].hi_pct
    assert pay["translation"].q_value < 0.05
    assert p.skills and all(s.change_pp > 0 for s in p.skills)
    # The panel answers the questions; Q1 and Q2 never share a category.
    ans = rep.answers
    assert ans["volume_fell_most"]["categories"][0] == "writing"
    assert "panel estimate" in ans["volume_fell_most"]["metric"]
    assert not set(ans["volume_fell_most"]["categories"]) & set(
        ans["least_affected"]["categories"]
    )
    assert ans["pay_fell_most"]["categories"][0] == "translation"


def test_cli_defaults_to_last_complete_month_and_prints_coverage_first(
    monthly, tmp_path
):
    path, _ = monthly
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, ["report", "--db", str(path), "--reps", "99", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    # The alignment note comes before computing; the report itself opens with coverage.
    lines = res.output.splitlines()
    assert lines[0].startswith("comparing 2022-05 with 2024-05")
    first = lines[1]
    assert first.startswith("Coverage of window A (2022-05)") and "(100.0%)" in first
    assert "B = 2024-05" in res.output  # not the partial June
    md = (out / "report.md").read_text()
    assert md.startswith(
        "# jobtrends report\n\n## The answer in five lines\n\n1. Fell most: writing"
    )
    assert "&amp;" not in md and "&#" not in md
    assert "engineering & architecture" in md
    data = json.loads((out / "report.json").read_text())
    panel = data["panel"]
    assert panel["months"][-1] == "2024-05" and panel["clusters"] == len(
        panel["months"]
    )
    row = next(r for r in panel["volume"] if r["category"] == "writing")
    assert row["lo_pct"] <= -33 <= row["hi_pct"]
    assert len(data["summary"]) == 5 and data["coverage"][1]["covered_pct"] == 100.0
    real = CliRunner().invoke(
        main,
        [
            "report",
            "--db",
            str(path),
            "--reps",
            "99",
            "--real",
            "--naive",
            "--a",
            "2022-11",
            "--b",
            "2024-02",
        ],
    )
    assert real.exit_code == 0, real.output
    assert "window A rates are in window B dollars (US CPI-U x1.0424" in real.output
    from analysis.cpi import period_cpi

    with pytest.raises(UserError, match="no CPI-U value for 2030-01"):
        period_cpi(parse_period("2030-01"))
    with pytest.raises(UserError, match="BLS published no CPI-U value for 2025-10"):
        period_cpi(parse_period("2025-09-01..2025-11-30"))


def test_empty_control_dropped_and_nothing_fell(tmp_path):
    """A control with no postings in one window is left out (and said so); when every
    category rose, Q1 says so instead of listing risers."""
    scenario = Scenario(
        days=days_of([A, B]),
        rates={
            "writing": 20,
            "legal": 20,
            "admin support": 20,
            "accounting & finance": 20,
        },
        effects={"writing": 1.5, "legal": 1.3},
        noise="none",
        seed=3,
    )
    conn = make_db(tmp_path / "t.db", scenario)
    conn.execute(
        "DELETE FROM jobs WHERE category = 'accounting & finance' AND month = '2024-02'"
    )
    refresh_rollups(conn)
    rep = build_report(conn, ReportConfig(a=A, b=B, naive=True, reps=99))
    assert any(
        "no postings in window A or B" in n and "accounting & finance" in n
        for n in rep.notes
    )
    vol = by_cat(rep.volume)
    assert not vol["accounting & finance"].is_control
    assert abs(vol["writing"].rel_pct - 50) < 2  # vs admin support alone
    assert rep.answers["volume_fell_most"]["text"] == ["no category fell"]
    assert not set(rep.answers["volume_fell_most"]["categories"]) & set(
        rep.answers["least_affected"]["categories"]
    )
