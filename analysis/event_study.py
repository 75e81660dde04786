"""Event study: each category's postings relative to a control set, bucket by bucket.

For bucket k (months or weeks; k = 0 is the first bucket after the event, k = -1 the
reference) the coefficient is

    coef_k = log(n_cat,k / n_ctrl,k) - log(n_cat,-1 / n_ctrl,-1)

so platform-wide swings cancel.  Variances use the Poisson approximation
var(log n) = 1/n, with the covariance the shared reference bucket induces; the
pre-trend check is a joint Wald test of the pre-event coefficients and a weighted
slope through them.  A placebo date repeats the estimate where nothing happened.

    >>> res = event_study(conn, EventStudyConfig(event=date(2022, 11, 30)))
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from scipy import stats as sps

from analysis import data
from analysis.report import DEFAULT_CONTROL
from crawler.rollups import rollups_current


@dataclass
class EventStudyConfig:
    event: date
    freq: str = "month"  # or "week"
    pre: int = 12
    post: int = 12
    control: tuple[str, ...] = DEFAULT_CONTROL
    treated: tuple[str, ...] | None = None  # None = every non-control category
    source: str | None = None
    placebo: date | None = None


@dataclass
class Coef:
    k: int
    coef: float
    se: float
    n_cat: int
    n_ctrl: int


@dataclass
class Series:
    category: str
    coefs: list[Coef]
    pre_wald_chi2: float
    pre_wald_df: int
    pre_wald_p: float
    pre_slope: float
    pre_slope_se: float
    pre_slope_p: float
    post_mean: float
    post_mean_se: float
    post_mean_pct: float
    post_mean_p: float
    placebo_mean: float = float("nan")
    placebo_se: float = float("nan")
    placebo_p: float = float("nan")


@dataclass
class EventStudyResult:
    event: str
    freq: str
    control: list[str]
    buckets: list[int]
    series: list[Series] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _bucket_sql(freq: str) -> str:
    """SQL expression: bucket index of posted_at relative to a day (parameter), floored."""
    if freq == "week":
        # +70000 days keeps the division non-negative so CAST floors instead of truncating.
        return (
            "CAST((julianday(substr(posted_at, 1, 10)) - julianday(?) + 70000) / 7 AS INTEGER)"
            " - 10000"
        )
    return (
        "(CAST(substr(posted_at, 1, 4) AS INTEGER) * 12 + CAST(substr(posted_at, 6, 2) AS INTEGER))"
        " - (CAST(substr(?, 1, 4) AS INTEGER) * 12 + CAST(substr(?, 6, 2) AS INTEGER))"
    )


def bucket_counts(
    conn: sqlite3.Connection,
    event: date,
    freq: str,
    pre: int,
    post: int,
    source: str | None,
) -> dict[tuple[str, int], int]:
    """(category, k) -> unique postings, for k in [-pre, post)."""
    first_after = event + timedelta(days=1)
    if freq == "week":
        start = first_after - timedelta(days=7 * pre)
        end = first_after + timedelta(days=7 * post)
        params = [first_after.isoformat()]
    else:
        index = first_after.year * 12 + first_after.month - 1
        start = date((index - pre) // 12, (index - pre) % 12 + 1, 1)
        end = date((index + post) // 12, (index + post) % 12 + 1, 1)
        params = [first_after.isoformat(), first_after.isoformat()]
    if freq == "month" and rollups_current(conn):
        # Whole months: the rollup table answers without touching the jobs rows.
        rows = conn.execute(
            "SELECT category, month, sum(unique_postings) FROM category_month"
            " WHERE month >= ? AND month < ?"
            + (" AND source = ?" if source else "")
            + " GROUP BY 1, 2",
            [start.isoformat()[:7], end.isoformat()[:7], *([source] if source else [])],
        )
        base = first_after.year * 12 + first_after.month
        out: dict[tuple[str, int], int] = {}
        for cat, month, n in rows:
            k = int(month[:4]) * 12 + int(month[5:7]) - base
            if -pre <= k < post:
                out[(cat, k)] = out.get((cat, k), 0) + n
        return out
    extra = " AND source = ?" if source else ""
    rows = conn.execute(
        f"SELECT {data.CAT}, {_bucket_sql(freq)} AS k, count(*) FROM jobs"
        f" WHERE posted_at >= ? AND posted_at < ? AND dup_of IS NULL{extra} GROUP BY 1, 2",
        [
            *params,
            f"{start.isoformat()}T00:00:00Z",
            f"{end.isoformat()}T00:00:00Z",
            *([source] if source else []),
        ],
    )
    return {(r[0], r[1]): r[2] for r in rows if -pre <= r[1] < post}


def extra_variance(ks: np.ndarray, d: np.ndarray, v: np.ndarray) -> tuple[float, int]:
    """Bucket-to-bucket variance of a log-ratio series beyond Poisson noise, and its df.

    ``d`` are log(category / control) per bucket ``ks`` in time order, ``v`` their
    Poisson variances.  Differences of neighbouring buckets cancel the level (and any
    effect that persists), so ``E[(d_k - d_k-1)^2] = v_k + v_k-1 + 2 tau^2``; the
    difference across the event (bucket -1 to 0) is left out so a step there cannot
    inflate tau^2.

    >>> extra_variance(np.arange(-2, 3), np.zeros(5), np.full(5, 0.01))
    (0.0, 3)
    """
    if len(d) < 3:
        return 0.0, 0
    diff = np.diff(d)
    pois = v[1:] + v[:-1]
    kept = ~((ks[:-1] < 0) & (ks[1:] >= 0))
    if kept.sum() < 2:
        return 0.0, 0
    tau2 = float(np.mean(diff[kept] ** 2 - pois[kept]) / 2)
    return max(0.0, tau2), int(kept.sum())


def _series(category, counts, ctrl, ks):
    """Coefficients, their covariance and the extra-variance df for one category.

    Variances are Poisson (1/n) plus tau^2, the category's month-to-month swing relative
    to control that counting noise does not explain (see :func:`extra_variance`).
    """
    ref = -1
    n_ref, c_ref = counts.get((category, ref), 0), ctrl.get(ref, 0)
    if n_ref == 0 or c_ref == 0:
        return None, None, 0
    present = [k for k in ks if counts.get((category, k), 0) > 0 and ctrl.get(k, 0) > 0]
    d = np.array([math.log(counts[(category, k)] / ctrl[k]) for k in present])
    v = np.array([1 / counts[(category, k)] + 1 / ctrl[k] for k in present])
    tau2, df = extra_variance(np.array(present), d, v)
    var_ref = 1 / n_ref + 1 / c_ref + tau2
    coefs = []
    for k in present:
        if k == ref:
            continue
        n, c = counts[(category, k)], ctrl[k]
        coef = math.log(n / c) - math.log(n_ref / c_ref)
        coefs.append(Coef(k, coef, math.sqrt(1 / n + 1 / c + tau2 + var_ref), n, c))
    own = np.array([c.se**2 - var_ref for c in coefs])
    # shared reference bucket: covariance var_ref everywhere
    cov = np.diag(own) + var_ref
    return coefs, cov, df


def _wald(
    values: np.ndarray, cov: np.ndarray, df_var: int = 0
) -> tuple[float, int, float]:
    """Joint test that every value is 0: chi2 statistic, its df and the p-value.

    With an estimated variance (``df_var`` > 0 degrees of freedom) the p-value is the
    F(df, df_var) one, which allows for the noise of that estimate.
    """
    if len(values) == 0:
        return float("nan"), 0, float("nan")
    chi2 = float(values @ np.linalg.solve(cov, values))
    df = len(values)
    if df_var > 0:
        return chi2, df, float(sps.f.sf(chi2 / df, df, df_var))
    return chi2, df, float(sps.chi2.sf(chi2, df))


def _two_sided(z: float, df_var: int) -> float:
    return float(2 * (sps.t.sf(abs(z), df_var) if df_var > 0 else sps.norm.sf(abs(z))))


def _did_test(
    values: np.ndarray,
    cov: np.ndarray,
    pre: np.ndarray,
    post: np.ndarray,
    df_var: int = 0,
):
    """Mean of post buckets minus mean of pre buckets (reference included, coef 0).

    Averaging the whole pre period keeps one noisy reference bucket from shifting the
    summary; returns (estimate, se, two-sided p).
    """
    if not post.any():
        return float("nan"), float("nan"), float("nan")
    w = np.zeros(len(values))
    w[post] = 1 / post.sum()
    w[pre] = -1 / (pre.sum() + 1)
    est = float(w @ values)
    se = float(math.sqrt(w @ cov @ w))
    return est, se, _two_sided(est / se, df_var)


def _slope(
    ks: np.ndarray, values: np.ndarray, cov: np.ndarray, df_var: int = 0
) -> tuple[float, float, float]:
    """GLS slope of the pre-event coefficients on k (0 under parallel trends)."""
    if len(values) < 2:
        return float("nan"), float("nan"), float("nan")
    X = np.column_stack([np.ones(len(ks)), ks.astype(float)])
    inv = np.linalg.inv(cov)
    xtx = X.T @ inv @ X
    beta = np.linalg.solve(xtx, X.T @ inv @ values)
    se = float(math.sqrt(np.linalg.inv(xtx)[1, 1]))
    return float(beta[1]), se, _two_sided(beta[1] / se, df_var)


def _estimate(counts, categories, control, ks):
    ctrl: dict[int, int] = {}
    for (cat, k), n in counts.items():
        if cat in control:
            ctrl[k] = ctrl.get(k, 0) + n
    out = {}
    for cat in categories:
        coefs, cov, df_var = _series(cat, counts, ctrl, ks)
        if not coefs:
            continue
        kk = np.array([c.k for c in coefs])
        vals = np.array([c.coef for c in coefs])
        pre = kk < 0
        post = kk >= 0
        out[cat] = (coefs, kk, vals, cov, pre, post, df_var)
    return out


def event_study(conn: sqlite3.Connection, config: EventStudyConfig) -> EventStudyResult:
    """Estimate per-category event-study coefficients, pre-trend tests and placebo."""
    if config.freq not in ("month", "week"):
        raise ValueError("freq must be 'month' or 'week'")
    ks = list(range(-config.pre, config.post))
    counts = bucket_counts(
        conn, config.event, config.freq, config.pre, config.post, config.source
    )
    present = {cat for cat, _ in counts}
    control = [c for c in config.control if c in present]
    result = EventStudyResult(config.event.isoformat(), config.freq, control, ks)
    if not control:
        result.notes.append(
            "no control category has postings in the window: nothing to estimate"
        )
        return result
    treated = [
        c
        for c in (config.treated or data.CATEGORIES)
        if c in present and c not in control
    ]
    estimates = _estimate(counts, treated, control, ks)
    placebo = {}
    if config.placebo:
        # Placebo: same design at a date where nothing happened; its "post" buckets stop
        # before the real event so the real effect cannot leak in.
        gap = _buckets_between(config.placebo, config.event, config.freq)
        post = max(1, min(config.post, gap))
        p_counts = bucket_counts(
            conn, config.placebo, config.freq, config.pre, post, config.source
        )
        placebo = _estimate(p_counts, treated, control, list(range(-config.pre, post)))
        result.notes.append(
            f"placebo at {config.placebo.isoformat()}: {post} post bucket(s), ending before the event"
        )
    for cat, (coefs, kk, vals, cov, pre, post, df_var) in estimates.items():
        chi2, df, p = _wald(vals[pre], cov[np.ix_(pre, pre)], df_var)
        slope, slope_se, slope_p = _slope(
            kk[pre], vals[pre], cov[np.ix_(pre, pre)], df_var
        )
        mean, mean_se, mean_p = _did_test(vals, cov, pre, post, df_var)
        series = Series(
            cat,
            coefs,
            chi2,
            df,
            p,
            slope,
            slope_se,
            slope_p,
            mean,
            mean_se,
            (math.exp(mean) - 1) * 100 if math.isfinite(mean) else float("nan"),
            mean_p,
        )
        if cat in placebo:
            _, _, pv, pcov, _, ppost, pdf = placebo[cat]
            series.placebo_mean, series.placebo_se, series.placebo_p = _did_test(
                pv, pcov, ~ppost, ppost, pdf
            )
        result.series.append(series)
    result.series.sort(key=lambda s: s.post_mean)
    result.notes.append(
        "variances: Poisson counting noise (1/n) plus each category's month-to-month swing"
        " relative to control that counting does not explain (estimated from neighbouring"
        " buckets, the step across the event left out); tests use F and t with that estimate's degrees"
        " of freedom. Swings that persist for several buckets are not allowed for: lean on"
        " the placebo too"
    )
    return result


def _buckets_between(start: date, end: date, freq: str) -> int:
    if freq == "week":
        return max(0, (end - start).days // 7)
    return max(0, (end.year * 12 + end.month) - (start.year * 12 + start.month))


def format_event_study(result: EventStudyResult) -> str:
    def p(x, spec="+.1f", suf="%"):
        return "n/a" if not math.isfinite(x) else f"{x:{spec}}{suf}"

    head = [
        (
            f"Event study around {result.event} ({result.freq}ly buckets {result.buckets[0]}..{result.buckets[-1]},"
            f" reference {result.freq} -1; control: {', '.join(result.control) or 'none'})"
        ),
        (
            "post = mean of post-event buckets minus mean of pre-event buckets (% vs control); pre-trend: joint Wald test"
            " of pre-event coefficients and their slope (large p = no evidence of diverging pre-trends)"
        ),
        "",
    ]
    rows = [
        [
            "category",
            "post",
            "95% CI",
            "p",
            "pre Wald p",
            "pre slope/bucket",
            "slope p",
            "placebo",
            "placebo p",
        ]
    ]
    for s in result.series:
        lo = (
            (math.exp(s.post_mean - 1.96 * s.post_mean_se) - 1) * 100
            if math.isfinite(s.post_mean)
            else float("nan")
        )
        hi = (
            (math.exp(s.post_mean + 1.96 * s.post_mean_se) - 1) * 100
            if math.isfinite(s.post_mean)
            else float("nan")
        )
        rows.append(
            [
                s.category,
                p(s.post_mean_pct),
                f"[{p(lo)}, {p(hi)}]",
                p(s.post_mean_p, ".3f", ""),
                p(s.pre_wald_p, ".3f", ""),
                p(s.pre_slope * 100, "+.2f", " pp"),
                p(s.pre_slope_p, ".3f", ""),
                p(
                    (math.exp(s.placebo_mean) - 1) * 100
                    if math.isfinite(s.placebo_mean)
                    else float("nan")
                ),
                p(s.placebo_p, ".3f", ""),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        lines.append(
            "  ".join(
                c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                for i, c in enumerate(r)
            )
        )
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(head + lines + [""] + [f"- {n}" for n in result.notes])


def event_study_dict(result: EventStudyResult) -> dict:
    from dataclasses import asdict

    def clean(o):
        if isinstance(o, float) and not math.isfinite(o):
            return None
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, list):
            return [clean(v) for v in o]
        return o

    return clean(asdict(result))
