"""Panel estimator: every month, category and month fixed effects, wild bootstrap by month.

The headline of `report`.  For counts ``y[c, t]`` (unique postings of category ``c`` in
month ``t``) the model is Poisson pseudo-maximum-likelihood

    log E[y[c, t]] = log days[t] + alpha[c] + gamma[t] + beta[c] * post[t]

with ``beta[c] = 0`` for the control categories, so ``gamma`` (every month's platform-wide
level, seasonality and growth included) is pinned down by the controls after the event and
``exp(beta[c]) - 1`` is category ``c``'s average post-event change relative to the controls
(a difference-in-differences over every month, not two endpoints).  Pay uses the same
design on the log of the monthly median hourly rate (weighted least squares).

Inference.  Each treated category has its own coefficient, so clustering by category
leaves one treated cluster per coefficient: its residuals are absorbed by its own fixed
effect and coefficient, and a category-clustered interval ignores that category's own
month-to-month swings (the calibration benchmark shows it covering far below 95 %).  The
replication here is over *time*: scores are summed per month (clusters = months, so any
correlation between categories within a month is allowed) and a wild cluster bootstrap-t
with Webb's six-point weights (seeded) gives p-values and intervals; a CR1 small-sample
factor corrects the residuals' shrinkage.  Month shocks that persist for several months
can be allowed for with ``block`` (clusters of consecutive months).

    >>> import numpy as np
    >>> y = np.array([[100, 110, 90, 95], [200, 220, 180, 190]])
    >>> fit = fit_did(y, post=np.array([0, 0, 1, 1], bool), treated=np.array([1, 0], bool))
    >>> round(float(fit.effect[0]), 6)
    0.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import numpy as np
from scipy.stats import t as t_dist
from threadpoolctl import threadpool_limits

from analysis.stats import quiet_nan

# Webb (2023) six-point weights: +-sqrt(1/2), +-1, +-sqrt(3/2), each with probability 1/6.
_WEBB = np.array(
    [-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)]
)


def single_threaded(func: Callable) -> Callable:
    """Run ``func`` with one BLAS thread: the matrices here are small (hundreds of rows),
    and a multi-threaded BLAS spends more on waking threads than on the products
    (measured 5x slower on a busy 2-core machine)."""

    @wraps(func)
    def run(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return run


@dataclass
class Fit:
    """A fitted model: coefficients, fitted means, and what cluster inference needs."""

    beta: np.ndarray  # (p,)
    mu: np.ndarray  # (n,) fitted values on the outcome's scale
    X: np.ndarray  # (n, p) design of the rows used
    w: np.ndarray  # (n,) working weights (mu for Poisson, the weights for WLS)
    u: np.ndarray  # (n,) standardized residuals: score_i = x_i sqrt(w_i) u_i
    h_inv: np.ndarray  # (p, p) inverse of X' W X
    iterations: int

    def cluster_influence(self, labels: np.ndarray) -> tuple[np.ndarray, int]:
        """(G, p) jackknife-type (CR3) influence of each cluster on the coefficients.

        Each cluster's residuals are first divided by one minus their leverage (the
        matrix form, (I - M_g)^-1), which undoes the shrinkage fitted residuals have,
        most of all in small categories and in months only a few categories pin down.
        """
        uniq, inv = np.unique(labels, return_inverse=True)
        out = np.zeros((len(uniq), self.X.shape[1]))
        sw = np.sqrt(self.w)
        Z = self.X * sw[:, None]
        for g in range(len(uniq)):
            rows = np.flatnonzero(inv == g)
            Zg = Z[rows]
            M = Zg @ self.h_inv @ Zg.T
            adj = np.linalg.pinv(np.eye(len(rows)) - M, hermitian=True) @ self.u[rows]
            out[g] = self.h_inv @ (Zg.T @ adj)
        return out, len(uniq)


@dataclass
class Effects:
    """Per treated unit: estimate, standard error, interval, p-value (log scale or pp)."""

    names: list[str]
    effect: np.ndarray
    se: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    p: np.ndarray
    clusters: int


def design(
    n_units: int,
    post: np.ndarray,
    treated: np.ndarray,
    month_fe: bool = True,
    *,
    effect_of: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Dense design for unit-major rows (row = unit * T + t).

    Columns: one dummy per unit; per group of units (a source), one per month after the
    first (when ``month_fe``); one ``post`` dummy per effect.  ``effect_of`` (units,)
    says which effect a unit's post months load on (-1: none, a control); by default
    every treated unit has its own.  Units of one category in several sources share
    its effect while each source keeps its own month effects.
    """
    T = len(post)
    cols = [np.repeat(np.eye(n_units), T, axis=0)]
    if month_fe:
        groups = np.zeros(n_units, dtype=int) if groups is None else np.asarray(groups)
        for g in np.unique(groups):
            block = np.zeros((n_units * T, T - 1))
            for u in np.flatnonzero(groups == g):
                block[u * T : (u + 1) * T] = np.eye(T)[:, 1:]
            cols.append(block)
    effect_of = _effect_index(treated, effect_of)
    d = np.zeros((n_units * T, int(effect_of.max()) + 1 if len(effect_of) else 0))
    for u, j in enumerate(effect_of):
        if j >= 0:
            d[u * T : (u + 1) * T, j] = post
    cols.append(d)
    return np.hstack(cols)


def _effect_index(treated: np.ndarray, effect_of: np.ndarray | None) -> np.ndarray:
    if effect_of is not None:
        return np.asarray(effect_of, dtype=int)
    treated = np.asarray(treated, dtype=bool)
    return np.where(treated, np.cumsum(treated) - 1, -1)


def fit_poisson(
    y: np.ndarray,
    X: np.ndarray,
    offset: np.ndarray | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> Fit:
    """Poisson pseudo-maximum likelihood by iteratively reweighted least squares.

    Observations whose unit has no count at all carry no information and must be left
    out by the caller (their fixed effect would run to minus infinity).
    """
    y = np.asarray(y, dtype=float)
    offset = np.zeros(len(y)) if offset is None else np.asarray(offset, dtype=float)
    # Start from the saturated fit, shrunk towards the mean so zeros stay finite.
    eta = np.log(y + max(y.mean(), 1e-9) * 0.1 + 0.1)
    beta = np.zeros(X.shape[1])
    dev_old = math.inf
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        mu = np.exp(eta)
        z = eta - offset + (y - mu) / mu
        Xw = X * mu[:, None]
        beta = _solve(X.T @ Xw, Xw.T @ z)
        eta = offset + X @ beta
        mu = np.exp(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = 2 * float(np.sum(np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu)))
        if abs(dev - dev_old) <= tol * (abs(dev) + 1.0):
            break
        dev_old = dev
    mu = np.exp(eta)
    return Fit(beta, mu, X, mu, (y - mu) / np.sqrt(mu), _inverse(X, mu), it)


def fit_wls(y: np.ndarray, X: np.ndarray, weights: np.ndarray) -> Fit:
    """Weighted least squares, with the same influence output as :func:`fit_poisson`."""
    y = np.asarray(y, dtype=float)
    w = np.asarray(weights, dtype=float)
    Xw = X * w[:, None]
    beta = _solve(X.T @ Xw, Xw.T @ y)
    mu = X @ beta
    return Fit(beta, mu, X, w, np.sqrt(w) * (y - mu), _inverse(X, w), 1)


def _solve(H: np.ndarray, b: np.ndarray) -> np.ndarray:
    """H^-1 b for the symmetric positive definite normal equations (the design has full
    rank: one dummy per unit, months after the first, treated post dummies)."""
    try:
        return np.linalg.solve(H, b)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(H, b, rcond=None)[0]


def _inverse(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    H = X.T @ (X * w[:, None])
    return _solve(H, np.eye(len(H)))


def webb_weights(reps: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """(reps, n) draws of Webb's six-point distribution (mean 0, variance 1)."""
    return _WEBB[rng.integers(0, 6, size=(reps, n))]


def wild_cluster(
    A: np.ndarray,
    estimate: np.ndarray,
    *,
    reps: int,
    rng: np.random.Generator,
    level: float = 0.95,
    factor: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cluster-robust SEs and wild cluster bootstrap-t intervals and p-values.

    ``A`` is (G, k): each cluster's influence on the k estimates; ``factor`` the
    small-sample factor on the variance.  Each bootstrap draw multiplies every cluster's
    influence by a Webb weight and studentizes by the draw's own cluster variance (a
    self-normalized score bootstrap), which keeps the heavier tails of few clusters.
    Returns (se, lo, hi, p).
    """
    G = A.shape[0]
    se = np.sqrt(factor * (A**2).sum(axis=0))
    W = webb_weights(reps, G, rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = np.abs((W @ A) / np.sqrt(factor * ((W**2) @ (A**2))))
        t_obs = np.abs(estimate / se)
        crit = quiet_nan(np.nanquantile, t_star, level, axis=0)
        beyond = (t_star >= t_obs[None, :]).sum(axis=0)
        p = (1 + beyond) / (reps + 1)
        # Below the bootstrap's resolution (no draw as extreme), the t distribution
        # with G - 1 degrees of freedom gives the p-value instead of the 1/(reps+1) floor.
        p = np.where(beyond == 0, np.minimum(p, 2 * t_dist.sf(t_obs, max(G - 1, 1))), p)
    p = np.where(np.isfinite(t_obs) & (se > 0), p, np.nan)
    return se, estimate - crit * se, estimate + crit * se, p


def month_clusters(n_units: int, n_months: int, block: int = 1) -> np.ndarray:
    """Cluster label of each unit-major row: its month (or block of ``block`` months)."""
    return np.tile(np.arange(n_months) // max(1, block), n_units)


@dataclass
class DidFit:
    effect: np.ndarray  # (treated,) log-scale effects (NaN where not estimable)
    columns: np.ndarray  # (treated,) column of each effect in fit.beta (-1: none)
    fit: Fit
    keep: np.ndarray  # (units * months,) rows used
    shape: tuple[int, int]

    def infer(
        self,
        *,
        reps: int,
        rng: np.random.Generator,
        level: float = 0.95,
        block: int = 1,
        cluster: str = "month",
    ) -> Effects:
        """Wild cluster bootstrap over months (default) or categories (for comparison)."""
        n_units, n_months = self.shape
        if cluster == "month":
            labels = month_clusters(n_units, n_months, block)
        elif cluster == "category":
            labels = np.repeat(np.arange(n_units), n_months)
        else:
            raise ValueError("cluster must be 'month' or 'category'")
        A_all, G = self.fit.cluster_influence(labels[self.keep])
        ok = self.columns >= 0
        A = np.zeros((G, len(self.effect)))
        A[:, ok] = A_all[:, self.columns[ok]]
        se, lo, hi, p = wild_cluster(
            A,
            np.nan_to_num(self.effect),
            reps=reps,
            rng=rng,
            level=level,
            factor=(G - 1) / G if G > 1 else 1.0,
        )
        for arr in (se, lo, hi, p):
            arr[~ok] = np.nan
        return Effects([], self.effect, se, lo, hi, p, G)


def fit_did(
    y: np.ndarray,
    post: np.ndarray,
    treated: np.ndarray,
    *,
    exposure: np.ndarray | None = None,
    family: str = "poisson",
    weights: np.ndarray | None = None,
    effect_of: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> DidFit:
    """Two-way fixed-effects DiD on a (units, months) panel; see the module docstring.

    ``exposure`` (months,) multiplies the mean (days in the month, so month length cannot
    look like a change); ``family="gaussian"`` fits ``y`` (e.g. log median pay) by WLS
    with ``weights`` (units, months), where NaN cells are left out.  ``effect_of`` and
    ``groups`` as in :func:`design` (units of one category in several sources).
    """
    y = np.asarray(y, dtype=float)
    post = np.asarray(post, dtype=float)
    effect_of = _effect_index(treated, effect_of)
    n_units, T = y.shape
    groups = np.zeros(n_units, dtype=int) if groups is None else np.asarray(groups)
    X = design(n_units, post, effect_of >= 0, effect_of=effect_of, groups=groups)
    flat = y.ravel()
    keep = np.isfinite(flat)
    w = None
    if family == "poisson":
        # A unit with no counts before or after has no finite level there: left out
        # (a control with an empty period would otherwise drag every month effect).
        for u in range(n_units):
            if y[u, post == 0].sum() <= 0 or y[u, post == 1].sum() <= 0:
                keep[u * T : (u + 1) * T] = False
    else:
        w = np.ones_like(flat) if weights is None else np.asarray(weights).ravel()
        keep &= np.isfinite(w) & (w > 0)
    # A group (source) without a control left has its months pinned by nothing but the
    # treated units themselves: it says nothing about the effects, so it is left out.
    kept = keep.reshape(n_units, T)
    anchored = kept[:, post == 0].any(axis=1) & kept[:, post == 1].any(axis=1)
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        if not any(effect_of[u] < 0 and anchored[u] for u in members):
            for u in members:
                keep[u * T : (u + 1) * T] = False
    used = np.any(X[keep] != 0, axis=0)
    if family == "poisson":
        offset = np.tile(np.log(exposure), n_units) if exposure is not None else None
        fit = fit_poisson(
            flat[keep], X[keep][:, used], None if offset is None else offset[keep]
        )
    else:
        fit = fit_wls(flat[keep], X[keep][:, used], w[keep])
    n_effects = int(effect_of.max()) + 1 if len(effect_of) else 0
    n_fe = X.shape[1] - n_effects
    position = np.cumsum(used) - 1
    columns = np.array(
        [position[n_fe + j] if used[n_fe + j] else -1 for j in range(n_effects)],
        dtype=int,
    )
    effect = np.where(columns >= 0, fit.beta[np.maximum(columns, 0)], np.nan)
    return DidFit(effect, columns, fit, keep, (n_units, T))


def share_change(
    counts: np.ndarray,
    totals: np.ndarray,
    post: np.ndarray,
    *,
    reps: int,
    rng: np.random.Generator,
    level: float = 0.95,
    block: int = 1,
) -> tuple[Effects, np.ndarray, np.ndarray]:
    """Change in the pooled share ``counts / totals`` after minus before, per row.

    ``counts`` (k, months), ``totals`` (months,).  Returns the effects (shares, not
    percent), and the pooled before and after shares.  Inference as for the DiD: each
    month's influence on the difference, wild bootstrap over months.
    """
    counts = np.asarray(counts, dtype=float)
    totals = np.asarray(totals, dtype=float)
    post = np.asarray(post, dtype=bool)
    n_pre, n_post = totals[~post].sum(), totals[post].sum()
    p_pre = counts[:, ~post].sum(1) / n_pre
    p_post = counts[:, post].sum(1) / n_post
    # Each month's residual divided by one minus its leverage (its share of the
    # period's postings): the jackknife (CR3) form, as for the fixed-effects fits.
    lev = np.where(post, totals / n_post, totals / n_pre)
    infl = (
        np.where(
            post[None, :],
            (counts - p_post[:, None] * totals[None, :]) / n_post,
            -(counts - p_pre[:, None] * totals[None, :]) / n_pre,
        )
        / (1 - np.minimum(lev, 0.99))[None, :]
    ).T
    est = p_post - p_pre
    labels = np.arange(len(post)) // max(1, block)
    uniq, inv = np.unique(labels, return_inverse=True)
    G = len(uniq)
    A = np.zeros((G, infl.shape[1]))
    np.add.at(A, inv, infl)
    se, lo, hi, p = wild_cluster(
        A, est, reps=reps, rng=rng, level=level, factor=(G - 1) / G
    )
    return Effects([], est, se, lo, hi, p, G), p_pre, p_post


def pay_weights(n: np.ndarray, shock_n: float = 200.0) -> np.ndarray:
    """Weights for monthly log medians: about inverse variance when a median's sampling
    variance falls as 1/n and a month shock adds a floor (``shock_n`` postings' worth)."""
    n = np.asarray(n, dtype=float)
    return n / (1.0 + n / shock_n)


def volume_effects(
    counts: np.ndarray,
    days: np.ndarray,
    post: np.ndarray,
    is_control: np.ndarray,
    *,
    reps: int,
    rng: np.random.Generator,
    level: float = 0.95,
    block: int = 1,
    cluster: str = "month",
    effect_of: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> Effects:
    """Post-event change of each non-control category vs the controls (log scale).

    Rows are categories, or (category, source) units with ``effect_of``/``groups``."""
    treated = ~np.asarray(is_control, dtype=bool)
    fit = fit_did(
        counts, post, treated, exposure=days, effect_of=effect_of, groups=groups
    )
    return fit.infer(reps=reps, rng=rng, level=level, block=block, cluster=cluster)


def pay_effects(
    log_median: np.ndarray,
    n: np.ndarray,
    post: np.ndarray,
    is_control: np.ndarray,
    *,
    reps: int,
    rng: np.random.Generator,
    level: float = 0.95,
    block: int = 1,
    cluster: str = "month",
    effect_of: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> Effects:
    """Post-event change of each category's median posted rate vs the controls (log)."""
    treated = ~np.asarray(is_control, dtype=bool)
    n = np.asarray(n, dtype=float)
    y = np.where(n > 0, log_median, np.nan)
    fit = fit_did(
        y,
        post,
        treated,
        family="gaussian",
        weights=pay_weights(n),
        effect_of=effect_of,
        groups=groups,
    )
    return fit.infer(reps=reps, rng=rng, level=level, block=block, cluster=cluster)
