"""Event study recovers a planted post-event drop, passes pre-trend checks, placebo ~0."""

import math
from datetime import date

import pytest
from click.testing import CliRunner

from analysis.event_study import EventStudyConfig, event_study
from analysis.periods import parse_period
from analysis.testdata import Scenario, days_of, seasonal, seed_db
from crawler.cli import main
from crawler.db import connect
from crawler.rollups import refresh_rollups

EVENT = date(2022, 11, 30)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("es") / "t.db"
    conn = connect(path)
    scenario = Scenario(
        days=days_of([parse_period("2021-12-01..2023-11-30")]),
        rates={
            "writing": 10,
            "translation": 10,
            "admin support": 10,
            "accounting & finance": 10,
        },
        effects={"writing": 0.67},
        day_factor=seasonal(0.3),
        hourly_share=lambda d: 0.0,
        ai_share=lambda d: 0.0,
        seed=21,
    )
    seed_db(conn, scenario)
    return path, conn


def _by_cat(result):
    return {s.category: s for s in result.series}


@pytest.mark.parametrize("freq,pre,post", [("month", 12, 12), ("week", 26, 26)])
def test_planted_drop_recovered(db, freq, pre, post):
    _, conn = db
    res = _by_cat(
        event_study(
            conn,
            EventStudyConfig(
                event=EVENT, freq=freq, pre=pre, post=post, placebo=date(2022, 5, 31)
            ),
        )
    )
    w, t = res["writing"], res["translation"]
    assert abs(w.post_mean - math.log(0.67)) < 3 * w.post_mean_se, w.post_mean_pct
    assert w.post_mean_p < 0.001
    ci = (w.post_mean - 1.96 * w.post_mean_se, w.post_mean + 1.96 * w.post_mean_se)
    assert ci[0] <= math.log(0.67) <= ci[1]
    assert abs(t.post_mean) < 3 * t.post_mean_se
    for s in (w, t):
        assert s.pre_wald_p > 0.01 and s.pre_slope_p > 0.01  # no planted pre-trend
        assert (
            abs(s.placebo_mean) < 0.08 and s.placebo_p > 0.01
        )  # nothing at the placebo


def test_rollups_and_jobs_paths_agree(db):
    _, conn = db
    cfg = EventStudyConfig(event=EVENT)
    direct = _by_cat(event_study(conn, cfg))
    refresh_rollups(conn)
    rolled = _by_cat(event_study(conn, cfg))
    assert [(c.k, c.n_cat, c.n_ctrl) for c in direct["writing"].coefs] == [
        (c.k, c.n_cat, c.n_ctrl) for c in rolled["writing"].coefs
    ]
    conn.execute("DELETE FROM category_month")


def test_pre_trend_detected(tmp_path):
    conn = connect(tmp_path / "t.db")
    start = date(2021, 11, 1).toordinal()
    scenario = Scenario(
        days=days_of([parse_period("2021-12-01..2023-11-30")]),
        rates={"writing": 15, "admin support": 15},
        # writing shrinks 5 % a month relative to control, before and after the event
        day_factor=lambda d: 1.0,
        seed=5,
    )
    scenario.effects = {}
    rows = []
    from analysis.testdata import iter_jobs

    for job in iter_jobs(scenario):
        months = (date.fromisoformat(job["posted_at"][:10]).toordinal() - start) / 30.4
        if (
            job["category"] == "writing"
            and int(job["source_id"]) * 2654435761 % 1000 / 1000 > 0.95**months
        ):
            continue
        rows.append(job)
    from crawler.db import save_jobs

    save_jobs(conn, rows)
    res = _by_cat(event_study(conn, EventStudyConfig(event=EVENT)))
    assert res["writing"].pre_slope_p < 0.001 and res["writing"].pre_slope < -0.02
    assert res["writing"].pre_wald_p < 0.05


def test_cli_event_study(db, tmp_path):
    path, _ = db
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        [
            "event-study",
            "--db",
            str(path),
            "--placebo-date",
            "2022-05-31",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "writing" in res.output and "pre Wald p" in res.output
    assert (out / "event_study.png").read_bytes()[:4] == b"\x89PNG"
    assert "writing" in (out / "event_study.csv").read_text()
    bad = CliRunner().invoke(
        main, ["event-study", "--db", str(path), "--placebo-date", "2023-01-01"]
    )
    assert bad.exit_code == 2 and "before --event" in bad.output
