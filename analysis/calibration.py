"""Monte Carlo calibration of the report's panel estimates on noisy simulated panels.

Count panels are simulated directly (no SQLite) with the noise real postings have -
Poisson counts, per-category month and week shocks, seasonality, platform growth,
month lengths - and go through the very functions `report` uses
(:func:`analysis.panel.volume_effects`, :func:`~analysis.panel.pay_effects`,
:func:`~analysis.panel.share_change`, BH q-values).  Measured: false flags at q < 0.05
under no effect, and 95 % interval coverage of the truth for volume, pay and AI-skill
estimates, with and without planted effects.

    >>> calibrate(Scenario(), sims=2, seed=1)["sims"]
    2
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis import panel, stats

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Month-of-year profile (January first): Nov != Feb, December trough.
_SEASON = np.array(
    [1.08, 1.05, 1.05, 1.0, 0.98, 0.95, 0.93, 0.95, 1.0, 1.02, 1.0, 0.88]
)


@dataclass(frozen=True)
class Scenario:
    """A simulated study: ``categories`` (the first ``controls`` are the controls)
    observed for ``months`` months from a January, the event after ``pre`` months."""

    categories: int = 13
    controls: int = 3
    months: int = 40
    pre: int = 16
    per_month: float = 6700.0  # unique postings per month, all categories
    month_sd: float = 0.05  # per-category month shocks (log sd)
    week_sd: float = 0.0  # per-category week shocks (log sd)
    growth_per_year: float = 0.3
    hourly_share: float = 0.4
    pay_sigma: float = 0.6  # log sd of posted rates within a category-month
    pay_month_sd: float = 0.03  # month shocks of a category's median rate
    skills: int = 5
    # Planted effects (factor per treated category, by position; 1.0 = none).
    volume_effects: tuple[float, ...] = ()
    pay_effects: tuple[float, ...] = ()
    skill_after: tuple[float, ...] = ()  # share after the event, per skill
    label: str = ""


@dataclass
class Tally:
    flags: int = 0
    tests: int = 0
    any_flag: int = 0
    covered: dict = field(default_factory=lambda: {"volume": 0, "pay": 0, "skills": 0})
    intervals: dict = field(
        default_factory=lambda: {"volume": 0, "pay": 0, "skills": 0}
    )


def simulate(s: Scenario, rng: np.random.Generator) -> dict:
    """One simulated study: the panels `report` would read, and the truth."""
    C, T = s.categories, s.months
    days = np.array([_MONTH_DAYS[t % 12] for t in range(T)], dtype=float)
    post = np.arange(T) >= s.pre
    is_ctrl = np.arange(C) < s.controls
    size = rng.uniform(0.3, 2.0, C)
    size /= size.sum()
    level = (
        s.per_month
        / 30.4375
        * days
        * _SEASON[np.arange(T) % 12]
        * (1 + s.growth_per_year) ** (np.arange(T) / 12)
    )
    vol = np.ones(C)
    treated_idx = np.flatnonzero(~is_ctrl)
    for j, f in enumerate(s.volume_effects):
        vol[treated_idx[j]] = f
    effect = np.where(post[None, :], vol[:, None], 1.0)
    month_shock = np.exp(rng.normal(0, s.month_sd, (C, T)) - s.month_sd**2 / 2)
    weeks = 5
    if s.week_sd > 0:
        wk = np.exp(rng.normal(0, s.week_sd, (C, T, weeks)) - s.week_sd**2 / 2)
        week_shock = wk.mean(axis=2)
    else:
        week_shock = 1.0
    lam = size[:, None] * level[None, :] * effect * month_shock * week_shock
    counts = rng.poisson(lam)
    # Pay: monthly median of n hourly postings, log-normal within the month.
    pay = np.ones(C)
    for j, f in enumerate(s.pay_effects):
        pay[treated_idx[j]] = f
    n_pay = rng.binomial(counts, s.hourly_share)
    log_level = (
        np.log(rng.uniform(15, 60, C))[:, None]
        + 0.01 * np.arange(T)[None, :]
        + np.where(post[None, :], np.log(pay)[:, None], 0.0)
        + rng.normal(0, s.pay_month_sd, (C, T))
    )
    # The median of n log-normal draws: sd ~ 1.2533 sigma / sqrt(n) on the log scale.
    sampling = (
        rng.normal(0, 1, (C, T)) * 1.2533 * s.pay_sigma / np.sqrt(np.maximum(n_pay, 1))
    )
    log_median = np.where(n_pay > 0, log_level + sampling, np.nan)
    # AI skills: shares of all postings, before and after the event.
    before = np.linspace(0.002, 0.02, s.skills)
    after = np.array(s.skill_after) if s.skill_after else before
    share = np.where(post[None, :], after[:, None], before[:, None])
    totals = counts.sum(axis=0)
    skill_shock = np.exp(rng.normal(0, s.month_sd, share.shape) - s.month_sd**2 / 2)
    skill_counts = rng.poisson(share * totals[None, :] * skill_shock)
    return {
        "counts": counts,
        "days": days,
        "post": post,
        "is_ctrl": is_ctrl,
        "log_median": log_median,
        "n_pay": n_pay,
        "skill_counts": skill_counts,
        "totals": totals,
        "truth_volume": np.log(vol[~is_ctrl]),
        "truth_pay": np.log(pay[~is_ctrl]),
        "truth_skills": after - before,
    }


def _covers(eff, truth) -> tuple[int, int]:
    ok = np.isfinite(eff.lo) & np.isfinite(eff.hi)
    hit = (eff.lo <= truth) & (truth <= eff.hi) & ok
    return int(hit.sum()), int(ok.sum())


@panel.single_threaded
def calibrate(
    s: Scenario, *, sims: int, seed: int = 0, reps: int = 399, cluster: str = "month"
) -> dict:
    """Run ``sims`` simulated studies; return flag rates and coverages."""
    rng = np.random.default_rng(seed)
    tally = Tally()
    planted = np.ones(s.categories - s.controls)
    planted[: len(s.volume_effects)] = s.volume_effects
    null = np.isclose(planted, 1.0)  # flags among these are false
    for _ in range(sims):
        d = simulate(s, rng)
        vol = panel.volume_effects(
            d["counts"],
            d["days"],
            d["post"],
            d["is_ctrl"],
            reps=reps,
            rng=rng,
            cluster=cluster,
        )
        q = np.array(stats.bh_qvalues(list(vol.p)))
        flagged = (q < 0.05) & null
        tally.flags += int(flagged.sum())
        tally.tests += int(null.sum())
        tally.any_flag += bool(flagged.any())
        pay = panel.pay_effects(
            d["log_median"],
            d["n_pay"],
            d["post"],
            d["is_ctrl"],
            reps=reps,
            rng=rng,
            cluster=cluster,
        )
        skills, _, _ = panel.share_change(
            d["skill_counts"], d["totals"], d["post"], reps=reps, rng=rng
        )
        for key, eff in (("volume", vol), ("pay", pay), ("skills", skills)):
            hit, n = _covers(eff, d[f"truth_{key}"])
            tally.covered[key] += hit
            tally.intervals[key] += n
    cov = {k: tally.covered[k] / max(1, tally.intervals[k]) for k in tally.covered}
    return {
        "scenario": s.label,
        "sims": sims,
        "false_flags_per_run": tally.flags / sims,
        "false_flag_rate": tally.flags / max(1, tally.tests),
        "p_any_flag": tally.any_flag / sims,
        "coverage_volume": cov["volume"],
        "coverage_pay": cov["pay"],
        "coverage_skills": cov["skills"],
    }


def event_study_rejections(
    *, sims: int, month_sd: float, per_month: float, seed: int = 0
) -> dict:
    """Share of null studies whose `event-study` pre-trend test (12 months before) and
    post-vs-pre test (12 after) reject at 5 %: one treated and three control categories,
    counts with month shocks, through analysis.event_study's own estimator."""
    from analysis.event_study import _did_test, _estimate, _wald

    rng = np.random.default_rng(seed)
    ks = list(range(-12, 12))
    pre_rej = post_rej = 0
    for _ in range(sims):
        counts = {}
        for cat in ("t", "c1", "c2", "c3"):
            shock = np.exp(rng.normal(0, month_sd, len(ks)) - month_sd**2 / 2)
            for k, f in zip(ks, shock, strict=False):
                counts[(cat, k)] = int(rng.poisson(per_month / 4 * f))
        _, _, vals, cov, pre, post, df = _estimate(
            counts, ["t"], ["c1", "c2", "c3"], ks
        )["t"]
        pre_rej += _wald(vals[pre], cov[np.ix_(pre, pre)], df)[2] < 0.05
        post_rej += _did_test(vals, cov, pre, post, df)[2] < 0.05
    return {"pre_trend": pre_rej / sims, "post": post_rej / sims}
