"""Statistics SQLite cannot do: block bootstrap, BH q-values, winsorizing, medians.

All randomness goes through a seeded ``numpy.random.Generator`` so reports repeat.

    >>> bh_qvalues([0.01, 0.04, 0.03])
    [0.03, 0.04, 0.04]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np


def block_length(n_blocks: int) -> int:
    """Moving-block length for ``n_blocks`` weekly observations (n^(1/3), 1 when short).

    >>> block_length(52)
    4
    """
    if n_blocks < 8:
        return 1
    return max(1, round(n_blocks ** (1 / 3)))


def block_bootstrap_weights(
    n: int, reps: int, rng: np.random.Generator, block: int | None = None
) -> np.ndarray:
    """How often each of ``n`` weeks is drawn in each of ``reps`` moving-block resamples.

    Returns an int array (reps, n); each row sums to n.  Whole runs of ``block``
    consecutive weeks are drawn together, so week-to-week autocorrelation survives.

    >>> block_bootstrap_weights(5, 2, np.random.default_rng(0)).sum(axis=1).tolist()
    [5, 5]
    """
    if n <= 0:
        return np.zeros((reps, 0), dtype=np.int64)
    block = block or block_length(n)
    block = min(block, n)
    n_draws = math.ceil(n / block)
    starts = rng.integers(0, n - block + 1, size=(reps, n_draws))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(reps, -1)[
        :, :n
    ]
    weights = np.zeros((reps, n), dtype=np.int64)
    rows = np.repeat(np.arange(reps), n)
    np.add.at(weights, (rows, idx.ravel()), 1)
    return weights


def inflate_bootstrap(samples: np.ndarray, estimate, n_blocks: int) -> np.ndarray:
    """Widen log-scale bootstrap spread by sqrt(n/(n-1)) around the estimate.

    With few weeks (a one-month window has 5) the bootstrap variance of a sum is
    (n-1)/n of the unbiased one; this small-sample correction restores it.
    Works on positive quantities (rates, medians); NaN and non-positive stay NaN.
    """
    if n_blocks < 2:
        return samples
    factor = math.sqrt(n_blocks / (n_blocks - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_est = np.log(np.asarray(estimate, dtype=float))
        logs = np.log(np.where(samples > 0, samples, np.nan))
        return np.exp(log_est + (logs - log_est) * factor)


def quiet_nan(func, *args, **kwargs):
    """A numpy nan-reduction whose all-NaN slices give NaN without a RuntimeWarning
    (an empty category is reported as n/a, not as a warning on stderr)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=RuntimeWarning)
        return func(*args, **kwargs)


def nan_std(samples: np.ndarray, axis: int = 0, ddof: int = 0) -> np.ndarray:
    """``np.nanstd`` that is silent (NaN) where fewer than ``ddof + 1`` values exist."""
    return quiet_nan(np.nanstd, samples, axis=axis, ddof=ddof)


def percentile_ci(samples: np.ndarray, level: float = 0.95, axis: int = 0) -> tuple:
    """Percentile interval of bootstrap samples along ``axis`` (NaNs ignored)."""
    alpha = (1 - level) / 2
    lo = quiet_nan(np.nanquantile, samples, alpha, axis=axis)
    hi = quiet_nan(np.nanquantile, samples, 1 - alpha, axis=axis)
    return lo, hi


def normal_p_value(estimate: float, se: float) -> float:
    """Two-sided p-value of estimate/se under a normal approximation.

    >>> round(normal_p_value(1.96, 1.0), 3)
    0.05
    """
    if se is None or not math.isfinite(se) or se <= 0 or not math.isfinite(estimate):
        return float("nan")
    return math.erfc(abs(estimate / se) / math.sqrt(2))


def bh_qvalues(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN stays NaN and is not counted.

    >>> bh_qvalues([0.01, float("nan")])[0]
    0.01
    """
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m == 0:
        return q.tolist()
    order = ok[np.argsort(p[ok])]
    ranked = p[order] * m / np.arange(1, m + 1)
    # Step-up: each q is the smallest adjusted value at its rank or above.
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q[order] = np.minimum(ranked, 1.0)
    return [round(float(v), 12) if np.isfinite(v) else float("nan") for v in q]


def winsor_limits(
    values: np.ndarray, lower: float = 0.01, upper: float = 0.99
) -> tuple:
    """The (p1, p99) clipping limits; (nan, nan) for no data."""
    if len(values) == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(values, [lower, upper])
    return float(lo), float(hi)


def pct(ratio: float) -> float:
    """Ratio -> percent change: ``pct(1.14) == 14.0`` (rounded to 1e-9)."""
    return (
        round((ratio - 1.0) * 100.0, 9)
        if ratio is not None and math.isfinite(ratio)
        else float("nan")
    )


def weighted_medians_from_histograms(
    hist: np.ndarray, bin_values: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Medians of bootstrap resamples built from per-week histograms.

    ``hist`` is (weeks, bins): how many values of each week fall in each bin;
    ``bin_values`` the representative value of each bin (sorted ascending);
    ``weights`` (reps, weeks) the bootstrap multiplicity of each week.
    Returns (reps,) medians (lower median; NaN when a resample is empty).
    """
    # Cumulate per week once; a matrix product then gives every resample's cumulative
    # counts (cheaper than a cumsum over reps x bins).
    cum = weights.astype(float) @ np.cumsum(hist, axis=1)
    total = cum[:, -1]
    pos = np.minimum((cum < (total / 2.0)[:, None]).sum(axis=1), len(bin_values) - 1)
    out = bin_values[pos].astype(float)
    out[total <= 0] = np.nan
    return out


def medians_from_counts(counts: np.ndarray, bin_values: np.ndarray) -> np.ndarray:
    """Lower median of each row of (reps, bins) counts over sorted ``bin_values``."""
    cum = np.cumsum(counts, axis=1)
    total = cum[:, -1]
    target = total / 2.0
    pos = (cum < target[:, None]).sum(axis=1)
    pos = np.minimum(pos, len(bin_values) - 1)
    out = bin_values[pos].astype(float)
    out[total <= 0] = np.nan
    return out


def iid_bootstrap_medians(
    sorted_values: np.ndarray, reps: int, rng: np.random.Generator
) -> np.ndarray:
    """Medians of ``reps`` i.i.d. bootstrap resamples, drawn exactly in O(reps).

    The lower median of a resample is its m-th order statistic (m = ceil(n/2)); for a
    resample from the empirical distribution that is sorted_values[floor(n U)] with
    U ~ Beta(m, n - m + 1), the m-th order statistic of n uniforms.

    >>> iid_bootstrap_medians(np.array([5.0]), 3, np.random.default_rng(0)).tolist()
    [5.0, 5.0, 5.0]
    """
    n = len(sorted_values)
    if n == 0:
        return np.full(reps, np.nan)
    m = (n + 1) // 2
    u = rng.beta(m, n - m + 1, size=reps)
    return sorted_values[np.minimum((u * n).astype(int), n - 1)].astype(float)


def histogram_grid(values: np.ndarray, max_bins: int = 4000) -> np.ndarray:
    """Bin edges for pay values: every distinct value when few, else fine quantiles.

    Quantile edges give about 1/max_bins of the data per bin, so a bootstrap median
    read from the bins is within a hair of the exact one.
    """
    uniq = np.unique(values)
    if len(uniq) <= max_bins:
        return uniq
    return np.unique(np.quantile(values, np.linspace(0, 1, max_bins + 1)))


def assign_bins(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Index of the grid point at or below each value (values below grid[0] -> 0)."""
    return np.clip(np.searchsorted(grid, values, side="right") - 1, 0, len(grid) - 1)


def wider(samples_a: np.ndarray, samples_b: np.ndarray, axis: int = 0) -> np.ndarray:
    """Per column, whichever bootstrap sample set has the larger log-scale spread.

    The block bootstrap over weeks captures autocorrelation and over-dispersion but,
    with the five weeks of a one-month window, can understate plain sampling noise;
    taking the wider of it and an i.i.d. (Poisson) bootstrap never understates either.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        sa = nan_std(np.log(np.where(samples_a > 0, samples_a, np.nan)), axis=axis)
        sb = nan_std(np.log(np.where(samples_b > 0, samples_b, np.nan)), axis=axis)
    pick_b = np.nan_to_num(sb, nan=-1) > np.nan_to_num(sa, nan=-1)
    return np.where(pick_b, samples_b, samples_a)
