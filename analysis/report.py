"""`jobtrends report`: which categories lost volume and pay after an event, with honest statistics.

Method (also printed in report.md):
- counts are unique postings (``dup_of IS NULL``) per day of each window, so windows of
  different length compare fairly;
- default windows are calendar-aligned: the "before" window is the "after" window moved
  back whole years to end by the end of ``--a`` (same months, same length), which removes
  seasonality; ``naive=True`` compares ``--a`` with ``--b`` as given;
- each category's change is shown raw, as a change in its share of all postings, and
  relative to a control set of categories (ratio of ratios, i.e. exp of a log-DiD);
- 95 % intervals come from a moving-block bootstrap over weeks (seeded, vectorized),
  p-values from the bootstrap standard error of the log-DiD, q-values by
  Benjamini-Hochberg across categories; a change with fewer than ``min_count`` postings
  on either side is flagged and left out of the answers.

    >>> from analysis.periods import parse_period
    >>> rep = build_report(conn, ReportConfig(a=parse_period("2022-11"),
    ...                                       b=parse_period("2024-02"), reps=50))
    >>> rep.mode
    'calendar-aligned: 2022-02 vs 2024-02 (same calendar days, 2 year(s) apart; A anchor 2022-11)'
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from analysis import data, stats
from analysis.panel_report import Panel, build_panel
from analysis.periods import Period, add_months, month_label, shift_years
from crawler.errors import UserError
from crawler.normalize.countries import parse_country

DEFAULT_EVENT = date(2022, 11, 30)
# Categories judged least exposed to generative AI: physical-world or regulated work.
DEFAULT_CONTROL: tuple[str, ...] = (
    "engineering & architecture",
    "accounting & finance",
    "admin support",
)


@dataclass
class ReportConfig:
    a: Period
    b: Period
    event: date = DEFAULT_EVENT
    control: tuple[str, ...] = DEFAULT_CONTROL
    naive: bool = False
    min_count: int = 30
    reps: int = 1000
    seed: int = 20221130
    source: str | None = None
    level: float = 0.95
    real: bool = False  # deflate pay by US CPI-U (analysis/data/cpi_u.csv)


@dataclass
class VolumeRow:
    category: str
    is_control: bool
    n_a: int
    n_b: int
    per_day_a: float
    per_day_b: float
    pct: float
    pct_lo: float
    pct_hi: float
    share_a: float
    share_b: float
    share_change_pp: float
    share_lo_pp: float
    share_hi_pp: float
    rel_pct: float
    rel_lo: float
    rel_hi: float
    log_did: float
    p_value: float
    q_value: float
    suppressed: bool


@dataclass
class PayRow:
    category: str
    n_a: int
    n_b: int
    median_a: float
    median_b: float
    pct: float
    pct_lo: float
    pct_hi: float
    median_min_a: float
    median_min_b: float
    median_max_a: float
    median_max_b: float
    mean_w_a: float
    mean_w_b: float
    composition_pct: float
    composition_cells: int
    suppressed: bool


@dataclass
class SkillRow:
    skill: str
    n_a: int
    n_b: int
    share_a_pct: float
    share_b_pct: float
    share_change_pp: float
    growth_pct: float
    growth_lo: float
    growth_hi: float
    base_n_pre2022: int
    base_rate_pre2022_pct: float
    suppressed: bool


@dataclass
class Report:
    config: ReportConfig
    window_a: Period
    window_b: Period
    mode: str
    totals: dict
    volume: list[VolumeRow] = field(default_factory=list)
    pay: list[PayRow] = field(default_factory=list)
    pay_overall: dict = field(default_factory=dict)
    skills: list[SkillRow] = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    monthly_index: dict = field(default_factory=dict)
    panel: Panel | None = None
    # Per window: label, days, days with postings, percent covered (printed first).
    coverage: list[dict] = field(default_factory=list)


class ReportError(UserError):
    """A report cannot be built from this data (message says how to fix it)."""


def aligned_window(a: Period, b: Period) -> Period:
    """``b`` moved back whole years until it ends no later than ``a`` ends.

    >>> from analysis.periods import parse_period
    >>> aligned_window(parse_period("2022-11"), parse_period("2024-02")).label
    '2022-02'
    """
    years = 1
    while True:
        shifted = shift_years(b, -years)
        if shifted.end_exclusive <= a.end_exclusive:
            return shifted
        years += 1


def choose_windows(config: ReportConfig) -> tuple[Period, Period, str]:
    if config.b.start < config.a.end_exclusive:
        raise ReportError(
            f"period B ({config.b.label}) must start after period A ({config.a.label}) ends"
        )
    if config.naive:
        return (
            config.a,
            config.b,
            "naive: A and B as given (two endpoints, no seasonal control)",
        )
    window_a = aligned_window(config.a, config.b)
    return (
        window_a,
        config.b,
        (
            f"calendar-aligned: {window_a.label} vs {config.b.label} (same calendar days,"
            f" {config.b.start.year - window_a.start.year} year(s) apart; A anchor {config.a.label})"
        ),
    )


def _week_days(period: Period) -> np.ndarray:
    n = max(1, -(-period.days // 7))
    days = np.full(n, 7.0)
    days[-1] = period.days - 7 * (n - 1)
    return days


def _pct(x):
    return (np.asarray(x, dtype=float) - 1.0) * 100.0


def build_report(conn: sqlite3.Connection, config: ReportConfig) -> Report:
    """Compute every number of the report (no printing, no files)."""
    window_a, window_b, mode = choose_windows(config)
    rng = np.random.default_rng(config.seed)
    counts_a = data.weekly_counts(conn, window_a, config.source)
    counts_b = data.weekly_counts(conn, window_b, config.source)
    cats_seen = {c for c, _ in counts_a} | {c for c, _ in counts_b}
    categories = [c for c in data.CATEGORIES if c in cats_seen]
    categories += sorted(cats_seen - set(categories))
    WA = data.weeks_matrix(counts_a, window_a, categories)
    WB = data.weeks_matrix(counts_b, window_b, categories)
    if WA.sum() == 0 or WB.sum() == 0:
        empty = window_a.label if WA.sum() == 0 else window_b.label
        hint = (
            " (data may not reach back that far; try --naive)"
            if not config.naive
            else ""
        )
        raise ReportError(f"no unique postings in window {empty}{hint}")
    days_a, days_b = _week_days(window_a), _week_days(window_b)
    weights_a = stats.block_bootstrap_weights(len(days_a), config.reps, rng)
    weights_b = stats.block_bootstrap_weights(len(days_b), config.reps, rng)
    report = Report(
        config=config,
        window_a=window_a,
        window_b=window_b,
        mode=mode,
        totals={
            "unique_a": int(WA.sum()),
            "unique_b": int(WB.sum()),
            "days_a": window_a.days,
            "days_b": window_b.days,
            "weeks_a": len(days_a),
            "weeks_b": len(days_b),
        },
    )
    for label, window in (("A", window_a), ("B", window_b)):
        covered = data.covered_days(conn, window, config.source)
        report.coverage.append(
            {
                "window": label,
                "period": window.label,
                "days": window.days,
                "days_with_postings": covered,
                "covered_pct": round(100.0 * covered / window.days, 1),
            }
        )
    control = [c for c in config.control if c in categories]
    missing = sorted(set(config.control) - set(control))
    if missing:
        report.notes.append(
            f"control categories without data, left out: {', '.join(missing)}"
        )
    # A control with no postings in one window would read as a -100 % control change.
    empty = [
        c
        for c in control
        if WA[:, categories.index(c)].sum() == 0
        or WB[:, categories.index(c)].sum() == 0
    ]
    if empty:
        control = [c for c in control if c not in empty]
        report.notes.append(
            "control categories with no postings in window A or B, left out of the"
            f" control: {', '.join(empty)}"
        )
    if not control:
        report.notes.append(
            "no control category has data: relative changes are not available"
        )
    report.notes.append(f"control set: {', '.join(control) or 'none'}")
    first, last = data.data_span(conn)
    for label, window in (("A", window_a), ("B", window_b)):
        # A window the data only partly covers would read as a fall in volume.
        if first and first > window.start_iso:
            report.notes.append(
                f"WARNING: postings start {first[:10]}, after window {label} ({window.label})"
                " starts: its counts are incomplete"
            )
        if (
            last
            and last < window.end_iso
            and window.end_exclusive.isoformat() > last[:10]
        ):
            last_day = last[:10]
            if (
                window.end_exclusive.toordinal()
                - date.fromisoformat(last_day).toordinal()
                > 1
            ):
                report.notes.append(
                    f"WARNING: postings end {last_day}, before window {label} ({window.label})"
                    " ends: its counts are incomplete"
                )
    report.volume = _volume(
        WA, WB, days_a, days_b, weights_a, weights_b, categories, control, config
    )
    _pay(conn, report, window_a, window_b, weights_a, weights_b)
    report.notes.append(_pay_left_out_note(conn, window_a, window_b, config.source))
    _skills(
        conn, report, window_a, window_b, WA, WB, days_a, days_b, weights_a, weights_b
    )
    report.monthly_index = monthly_index(conn, config.event, config.source)
    report.panel = build_panel(
        conn,
        event=config.event,
        control=config.control,
        source=config.source,
        reps=config.reps,
        seed=config.seed,
        level=config.level,
    )
    if report.panel is None:
        report.notes.append(
            "panel estimate: needs two or more complete months before and after the"
            " event; only the two-window comparison is shown"
        )
    report.answers = answers(report)
    return report


def _volume(WA, WB, days_a, days_b, weights_a, weights_b, categories, control, config):
    level = config.level
    na, nb = WA.sum(axis=0), WB.sum(axis=0)
    rate_a, rate_b = na / days_a.sum(), nb / days_b.sum()
    # Bootstrap per-day rates: resampled counts over resampled days (a short last week
    # drawn twice must not look like a fall in volume).
    boot_a = (weights_a @ WA) / (weights_a @ days_a)[:, None]
    boot_b = (weights_b @ WB) / (weights_b @ days_b)[:, None]
    boot_a = stats.inflate_bootstrap(boot_a, rate_a, len(days_a))
    boot_b = stats.inflate_bootstrap(boot_b, rate_b, len(days_b))
    # Pure Poisson counting noise; per category the wider of the two spreads is used.
    prng = np.random.default_rng(config.seed + 1)
    pois_a = prng.poisson(np.broadcast_to(na, boot_a.shape)) / days_a.sum()
    pois_b = prng.poisson(np.broadcast_to(nb, boot_b.shape)) / days_b.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        chosen = stats.wider(boot_b / boot_a, pois_b / pois_a)
        use_pois = np.all(chosen == pois_b / pois_a, axis=0) & np.any(
            np.isfinite(chosen), axis=0
        )
    boot_a = np.where(use_pois[None, :], pois_a, boot_a)
    boot_b = np.where(use_pois[None, :], pois_b, boot_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = rate_b / rate_a
        boot_ratio = boot_b / boot_a
        share_a, share_b = na / na.sum(), nb / nb.sum()
        boot_share = boot_b / boot_b.sum(1, keepdims=True) - boot_a / boot_a.sum(
            1, keepdims=True
        )
        ci = [idx for idx, c in enumerate(categories) if c in control]
        if ci:
            ctrl_ratio = rate_b[ci].sum() / rate_a[ci].sum()
            boot_ctrl = boot_b[:, ci].sum(1) / boot_a[:, ci].sum(1)
            rel = ratio / ctrl_ratio
            boot_rel = boot_ratio / boot_ctrl[:, None]
        else:
            rel = np.full(len(categories), np.nan)
            boot_rel = np.full(boot_ratio.shape, np.nan)
        log_rel = np.log(rel)
        se_log_rel = stats.nan_std(
            np.log(np.where(boot_rel > 0, boot_rel, np.nan)), axis=0, ddof=1
        )
    lo_r, hi_r = stats.percentile_ci(
        np.where(np.isfinite(boot_ratio), boot_ratio, np.nan), level
    )
    lo_s, hi_s = stats.percentile_ci(boot_share, level)
    lo_rel, hi_rel = stats.percentile_ci(
        np.where(np.isfinite(boot_rel), boot_rel, np.nan), level
    )
    rows = []
    for i, cat in enumerate(categories):
        suppressed = bool(min(na[i], nb[i]) < config.min_count)
        is_control = cat in control
        p = stats.normal_p_value(float(log_rel[i]), float(se_log_rel[i]))
        rows.append(
            VolumeRow(
                category=cat,
                is_control=is_control,
                n_a=int(na[i]),
                n_b=int(nb[i]),
                per_day_a=float(rate_a[i]),
                per_day_b=float(rate_b[i]),
                pct=float(_pct(ratio[i])),
                pct_lo=float(_pct(lo_r[i])),
                pct_hi=float(_pct(hi_r[i])),
                share_a=float(share_a[i]),
                share_b=float(share_b[i]),
                share_change_pp=float((share_b[i] - share_a[i]) * 100),
                share_lo_pp=float(lo_s[i] * 100),
                share_hi_pp=float(hi_s[i] * 100),
                rel_pct=float(_pct(rel[i])),
                rel_lo=float(_pct(lo_rel[i])),
                rel_hi=float(_pct(hi_rel[i])),
                log_did=float(log_rel[i]),
                p_value=float("nan") if (is_control or suppressed) else p,
                q_value=float("nan"),
                suppressed=suppressed,
            )
        )
    for row, q in zip(rows, stats.bh_qvalues([r.p_value for r in rows]), strict=False):
        row.q_value = q
    key = (
        (lambda r: r.pct)
        if config.naive
        else (lambda r: r.rel_pct if math.isfinite(r.rel_pct) else r.pct)
    )
    rows.sort(
        key=lambda r: (
            r.suppressed,
            key(r) if math.isfinite(key(r)) else math.inf,
            r.category,
        )
    )
    return rows


COUNTRY_GROUPS = {
    "north america": {"US", "CA"},
    "europe": {
        "GB",
        "IE",
        "DE",
        "FR",
        "NL",
        "BE",
        "LU",
        "AT",
        "CH",
        "IT",
        "ES",
        "PT",
        "SE",
        "NO",
        "DK",
        "FI",
        "IS",
        "PL",
        "CZ",
        "SK",
        "HU",
        "RO",
        "BG",
        "GR",
        "HR",
        "SI",
        "EE",
        "LV",
        "LT",
        "UA",
        "RS",
    },
    "oceania": {"AU", "NZ"},
    "latin america": {"MX", "BR", "AR", "CL", "CO", "PE", "VE", "UY", "EC", "CR", "GT"},
    "south & east asia": {
        "IN",
        "PK",
        "BD",
        "LK",
        "NP",
        "PH",
        "ID",
        "VN",
        "TH",
        "MY",
        "CN",
        "SG",
        "JP",
        "KR",
    },
    "africa & middle east": {
        "NG",
        "KE",
        "EG",
        "ZA",
        "GH",
        "MA",
        "TN",
        "AE",
        "SA",
        "IL",
        "TR",
    },
}
_COUNTRY_TO_GROUP = {code: g for g, codes in COUNTRY_GROUPS.items() for code in codes}


def country_group(country: str | None) -> str:
    """``country_group("US") == "north america"``; unknown or missing -> "unknown".

    ``jobs.country`` holds ISO 3166-1 alpha-2 codes; a database normalized before
    that held names ("United States"), which are read through the same parser."""
    if not country:
        return "unknown"
    code = country.strip().upper()
    if code not in _COUNTRY_TO_GROUP and len(code) != 2:
        code = parse_country(country) or code
    return _COUNTRY_TO_GROUP.get(code, "other")


def _pay(
    conn, report: Report, window_a: Period, window_b: Period, weights_a, weights_b
) -> None:
    config = report.config
    rows_a = data.hourly_rows(conn, window_a, config.source)
    rows_b = data.hourly_rows(conn, window_b, config.source)
    report.notes.append(
        "pay = posted hourly rate: hourly listings only, USD per hour as posted (what"
        " clients offer, not what freelancers earn), midpoint of the range (medians of the"
        " range minimum and maximum shown too); midpoints winsorized at the pooled 1st/99th"
        " percentiles (a median is unaffected by winsorizing; the winsorized means are)"
    )
    if config.real:
        from analysis.cpi import cpi_ratio

        try:
            f = cpi_ratio(window_b, window_a)
        except ValueError as exc:
            raise ReportError(str(exc)) from None
        rows_a = [
            (
                r[0],
                r[1],
                r[2] * f,
                *(None if v is None else v * f for v in r[3:5]),
                *r[5:],
            )
            for r in rows_a
        ]
        report.notes.append(
            f"--real: window A rates are in window B dollars (US CPI-U x{f:.4f}, BLS series"
            " CUUR0000SA0 shipped in analysis/cpi_u.csv); the panel's vs-control pay"
            " effects need no deflating (a price level common to all categories cancels"
            " in the month effects)"
        )
    else:
        report.notes.append(
            "pay is nominal (dollars of each month); `--real` deflates by US CPI-U"
        )
    jobs_columns = data.columns_of(conn, "jobs")
    cell_columns = [c for c in ("experience_level", "duration") if c in jobs_columns]
    if cell_columns:
        report.notes.append(
            "composition-controlled pay change: median of within-cell changes over"
            f" category x {' x '.join(cell_columns)} cells is not wired yet; cells used:"
            " category x source x country group"
        )
    else:
        report.notes.append(
            "composition-controlled pay change: jobs has no experience or duration column, so"
            " cells are category x source x country group (>= 10 listings on both sides);"
            " the figure is the count-weighted median of within-cell median changes"
        )
    if not rows_a or not rows_b:
        report.notes.append(
            "no hourly listings in one of the windows: pay section empty"
        )
        return
    mids = np.array([r[2] for r in rows_a] + [r[2] for r in rows_b], dtype=float)
    lo, hi = stats.winsor_limits(mids)
    report.pay_overall = {"winsor_p1": lo, "winsor_p99": hi}
    pay_rng = np.random.default_rng(config.seed + 2)
    by_cat: dict[str, list] = {}
    for side, rows in (("a", rows_a), ("b", rows_b)):
        for r in rows:
            by_cat.setdefault(r[0], {"a": [], "b": []})[side].append(r)
    cats = [c for c in data.CATEGORIES if c in by_cat] + sorted(
        set(by_cat) - set(data.CATEGORIES)
    )
    out = []
    for cat in cats:
        side = by_cat[cat]
        n_a, n_b = len(side["a"]), len(side["b"])
        if n_a == 0 or n_b == 0:
            continue
        med, boot = {}, {}
        extra = {}
        # Per-category grid: about 1000 bins, each ~0.1 % of the category's listings.
        grid = stats.histogram_grid(
            np.clip(
                np.array([r[2] for r in side["a"] + side["b"]], dtype=float), lo, hi
            ),
            1000,
        )
        for key, rows, weights, n_weeks in (
            ("a", side["a"], weights_a, weights_a.shape[1]),
            ("b", side["b"], weights_b, weights_b.shape[1]),
        ):
            values = np.clip(np.array([r[2] for r in rows], dtype=float), lo, hi)
            weeks = np.clip(np.array([r[1] for r in rows], dtype=int), 0, n_weeks - 1)
            med[key] = float(np.median(values))
            hist = np.zeros((n_weeks, len(grid)))
            np.add.at(hist, (weeks, stats.assign_bins(values, grid)), 1.0)
            block = stats.inflate_bootstrap(
                stats.weighted_medians_from_histograms(hist, grid, weights),
                med[key],
                n_weeks,
            )
            # i.i.d. (Poisson-weight) bootstrap of the postings; the wider one is kept.
            iid = stats.iid_bootstrap_medians(np.sort(values), len(weights), pay_rng)
            boot[key] = stats.wider(block[:, None], iid[:, None])[:, 0]
            mins = [r[3] for r in rows if r[3] is not None]
            maxs = [r[4] for r in rows if r[4] is not None]
            extra[key] = (
                float(np.median(mins)) if mins else float("nan"),
                float(np.median(maxs)) if maxs else float("nan"),
                float(values.mean()),
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            lo_c, hi_c = stats.percentile_ci(boot["b"] / boot["a"], config.level)
        comp_pct, cells = _composition_change(side["a"], side["b"], lo, hi)
        out.append(
            PayRow(
                category=cat,
                n_a=n_a,
                n_b=n_b,
                median_a=med["a"],
                median_b=med["b"],
                pct=float(_pct(med["b"] / med["a"])),
                pct_lo=float(_pct(lo_c)),
                pct_hi=float(_pct(hi_c)),
                median_min_a=extra["a"][0],
                median_min_b=extra["b"][0],
                median_max_a=extra["a"][1],
                median_max_b=extra["b"][1],
                mean_w_a=extra["a"][2],
                mean_w_b=extra["b"][2],
                composition_pct=comp_pct,
                composition_cells=cells,
                suppressed=min(n_a, n_b) < config.min_count,
            )
        )
    out.sort(key=lambda r: (r.suppressed, r.pct, r.category))
    report.pay = out
    overall_pct, overall_cells = _composition_change(
        rows_a, rows_b, lo, hi, by_category=True
    )
    all_a = np.clip(np.array([r[2] for r in rows_a]), lo, hi)
    all_b = np.clip(np.array([r[2] for r in rows_b]), lo, hi)
    report.pay_overall.update(
        {
            "n_a": len(rows_a),
            "n_b": len(rows_b),
            "median_a": float(np.median(all_a)),
            "median_b": float(np.median(all_b)),
            "pct": float(_pct(np.median(all_b) / np.median(all_a))),
            "composition_pct": overall_pct,
            "composition_cells": overall_cells,
        }
    )


def _pay_left_out_note(conn, window_a, window_b, source) -> str:
    """How many postings of each window had pay amounts but no settled currency."""
    return data.pay_left_out_note(
        {
            f"A ({window_a.label})": data.pay_left_out(conn, window_a, source),
            f"B ({window_b.label})": data.pay_left_out(conn, window_b, source),
        }
    )


def _composition_change(rows_a, rows_b, lo, hi, by_category=False, min_cell=10):
    """Count-weighted median of within-cell median changes (percent) and the cell count."""

    def cells(rows):
        out: dict = {}
        for r in rows:
            key = (r[0] if by_category else None, r[5], country_group(r[6]))
            out.setdefault(key, []).append(min(max(r[2], lo), hi))
        return out

    ca, cb = cells(rows_a), cells(rows_b)
    changes, weights = [], []
    for key in set(ca) & set(cb):
        if len(ca[key]) >= min_cell and len(cb[key]) >= min_cell:
            changes.append(math.log(np.median(cb[key]) / np.median(ca[key])))
            weights.append(len(ca[key]) + len(cb[key]))
    if not changes:
        return float("nan"), 0
    order = np.argsort(changes)
    cum = np.cumsum(np.array(weights, dtype=float)[order])
    mid = np.array(changes)[order][np.searchsorted(cum, cum[-1] / 2)]
    return float((math.exp(mid) - 1) * 100), len(changes)


def _skills(
    conn, report, window_a, window_b, WA, WB, days_a, days_b, weights_a, weights_b
):
    config = report.config
    skills_a, SA = data.weekly_skill_counts(conn, window_a, config.source)
    skills_b, SB = data.weekly_skill_counts(conn, window_b, config.source)
    names = sorted(set(skills_a) | set(skills_b))
    if not names:
        report.notes.append("no AI skills tagged in either window")
        return

    def widen(skills, matrix):
        full = np.zeros((matrix.shape[0], len(names)), dtype=np.int64)
        for j, s in enumerate(skills):
            full[:, names.index(s)] = matrix[:, j]
        return full

    SA, SB = widen(skills_a, SA), widen(skills_b, SB)
    tot_a, tot_b = WA.sum(axis=1), WB.sum(axis=1)
    share_a = SA.sum(0) / tot_a.sum()
    share_b = SB.sum(0) / tot_b.sum()
    # A bootstrap draw that weights only empty weeks has no postings: its share is NaN
    # and percentile_ci ignores it.
    with np.errstate(divide="ignore", invalid="ignore"):
        boot_a = (weights_a @ SA) / (weights_a @ tot_a)[:, None]
        boot_b = (weights_b @ SB) / (weights_b @ tot_b)[:, None]
        growth = share_b / share_a
        boot_growth = np.where(boot_a > 0, boot_b / boot_a, np.nan)
    lo_g, hi_g = stats.percentile_ci(boot_growth, config.level)
    base_total, base_counts = data.pre_period_base_rates(
        conn, "2022-01-01", config.source
    )
    report.totals["unique_before_2022"] = base_total
    out = []
    for j, skill in enumerate(names):
        n_a, n_b = int(SA[:, j].sum()), int(SB[:, j].sum())
        base_n = int(base_counts.get(skill, 0))
        out.append(
            SkillRow(
                skill=skill,
                n_a=n_a,
                n_b=n_b,
                share_a_pct=float(share_a[j] * 100),
                share_b_pct=float(share_b[j] * 100),
                share_change_pp=float((share_b[j] - share_a[j]) * 100),
                growth_pct=float(_pct(growth[j])) if n_a else float("nan"),
                growth_lo=float(_pct(lo_g[j])) if n_a else float("nan"),
                growth_hi=float(_pct(hi_g[j])) if n_a else float("nan"),
                base_n_pre2022=base_n,
                base_rate_pre2022_pct=(base_n / base_total * 100)
                if base_total
                else float("nan"),
                suppressed=max(n_a, n_b) < config.min_count,
            )
        )
    out.sort(key=lambda r: (r.suppressed, -r.share_change_pp, r.skill))
    report.skills = out
    report.notes.append(
        "AI skills: share of unique postings mentioning the skill; pre-2022 base rate ="
        " share of postings before 2022-01-01 mentioning it (should be near 0 for"
        " post-2022 tools: a high base rate signals false positives)"
    )


def monthly_index(conn, event: date, source: str | None = None) -> dict:
    """Per category: month -> postings per day as an index (event month = 100)."""
    counts = data.monthly_category_counts(conn, source)
    event_month = month_label(event)
    series: dict[str, dict[str, float]] = {}
    for (month, cat), n in counts.items():
        year, mon = int(month[:4]), int(month[5:7])
        start = date(year, mon, 1)
        days = (add_months(start, 1) - start).days
        series.setdefault(cat, {})[month] = n / days
    out = {}
    for cat, by_month in series.items():
        base = by_month.get(event_month)
        if not base:
            continue
        out[cat] = {m: v / base * 100 for m, v in sorted(by_month.items())}
    return {"event_month": event_month, "series": out}


def _fmt(x: float, spec: str = "+.1f", suffix: str = "%") -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:{spec}}{suffix}"


def fmt_q(q: float) -> str:
    """``fmt_q(0.00002) == "<0.001"``; NaN -> "n/a"."""
    if q is None or not math.isfinite(q):
        return "n/a"
    return "<0.001" if q < 0.001 else f"{q:.3f}"


def _panel_used(report: Report) -> bool:
    p = report.panel
    return (
        not report.config.naive
        and p is not None
        and any(math.isfinite(r.effect_pct) for r in p.volume)
    )


def _pick(rows, metric):
    """(fell: up to three with metric < 0, most negative first; least affected: up to
    three others with the smallest |metric|) - never the same category twice."""
    finite = [r for r in rows if math.isfinite(metric(r))]
    fell = sorted([r for r in finite if metric(r) < 0], key=metric)[:3]
    rest = [r for r in finite if r not in fell]
    least = sorted(rest, key=lambda r: abs(metric(r)))[:3]
    return fell, least


def answers(report: Report) -> dict:
    """The four questions, answered from the computed rows (suppressed rows left out).

    The panel estimate (every month, fixed effects, vs control) answers when there is
    one; ``--naive`` (or data too short for a panel) answers from the two windows.
    """
    if _panel_used(report):
        return _panel_answers(report)
    naive = report.config.naive
    vol = [r for r in report.volume if not r.suppressed and not r.is_control]
    use_rel = not naive and any(math.isfinite(r.rel_pct) for r in vol)
    metric = (lambda r: r.rel_pct) if use_rel else (lambda r: r.pct)
    label = (
        "change relative to control (two windows)"
        if use_rel
        else "raw change in postings per day (two windows)"
    )
    out: dict = {}

    def vol_text(r: VolumeRow) -> str:
        rel = (
            f"{_fmt(r.rel_pct)} vs control (95% CI {_fmt(r.rel_lo)} to {_fmt(r.rel_hi)},"
            f" q={fmt_q(r.q_value)})"
        )
        raw = f"raw {_fmt(r.pct)} (95% CI {_fmt(r.pct_lo)} to {_fmt(r.pct_hi)})"
        first, second = (rel, raw) if use_rel else (raw, rel)
        return (
            f"{r.category}: {first}; {second};"
            f" share {_fmt(r.share_change_pp, '+.2f', ' pp')}; n {r.n_a} -> {r.n_b}"
        )

    fell, least = _pick(vol, metric)
    if any(math.isfinite(metric(r)) for r in vol):
        out["volume_fell_most"] = {
            "metric": label,
            "categories": [r.category for r in fell],
            "text": [vol_text(r) for r in fell] or ["no category fell"],
        }
        out["least_affected"] = {
            "metric": f"smallest absolute {label}",
            "categories": [r.category for r in least],
            "text": [vol_text(r) for r in least],
        }
    pay = [r for r in report.pay if not r.suppressed and math.isfinite(r.pct)]
    if pay:
        fell_pay = sorted(pay, key=lambda r: r.pct)[:3]
        out["pay_fell_most"] = {
            "metric": "change in the median posted hourly rate (USD, midpoint),"
            " two windows" + (" , real (CPI-U)" if report.config.real else ""),
            "categories": [r.category for r in fell_pay],
            "text": [
                f"{r.category}: {_fmt(r.pct)} (95% CI {_fmt(r.pct_lo)} to {_fmt(r.pct_hi)});"
                f" ${r.median_a:.2f} -> ${r.median_b:.2f}; composition-controlled"
                f" {_fmt(r.composition_pct)} over {r.composition_cells} cells; n {r.n_a} -> {r.n_b}"
                for r in fell_pay
            ],
        }
    skills = [r for r in report.skills if not r.suppressed]
    if skills:
        grew = sorted(skills, key=lambda r: -r.share_change_pp)[:3]
        out["ai_skills_grew_most"] = {
            "metric": "change in share of postings (percentage points), two windows",
            "skills": [r.skill for r in grew],
            "text": [
                f"{r.skill}: {r.share_a_pct:.2f}% -> {r.share_b_pct:.2f}% of postings"
                f" ({_fmt(r.share_change_pp, '+.2f', ' pp')}; growth {_fmt(r.growth_pct)},"
                f" n {r.n_a} -> {r.n_b}); pre-2022 base rate"
                f" {_fmt(r.base_rate_pre2022_pct, '.2f')} ({r.base_n_pre2022} postings)"
                for r in grew
            ],
        }
    return out


def _panel_answers(report: Report) -> dict:
    p = report.panel
    min_n = report.config.min_count
    vol = [r for r in p.volume if not r.is_control and min(r.n_pre, r.n_post) >= min_n]
    label = (
        f"average change after the event vs control, every month"
        f" ({p.months[0]}..{p.months[-1]}, panel estimate)"
    )

    def vol_text(r) -> str:
        loo = (
            f"; without one control {_fmt(r.loo_min_pct)} to {_fmt(r.loo_max_pct)}"
            if math.isfinite(r.loo_min_pct)
            else ""
        )
        pre = f"; pre-trend p={r.pretrend_p:.2f}" if math.isfinite(r.pretrend_p) else ""
        return (
            f"{r.category}: {_fmt(r.effect_pct)} vs control (95% CI {_fmt(r.lo_pct)} to"
            f" {_fmt(r.hi_pct)}, q={fmt_q(r.q_value)}){loo}{pre}; n {r.n_pre} before,"
            f" {r.n_post} after"
        )

    fell, least = _pick(vol, lambda r: r.effect_pct)
    out: dict = {}
    if vol:
        out["volume_fell_most"] = {
            "metric": label,
            "categories": [r.category for r in fell],
            "text": [vol_text(r) for r in fell]
            or ["no category fell relative to control"],
        }
        out["least_affected"] = {
            "metric": f"smallest absolute {label}",
            "categories": [r.category for r in least],
            "text": [vol_text(r) for r in least],
        }
    pay = [
        r
        for r in p.pay
        if not r.is_control
        and math.isfinite(r.effect_pct)
        and min(r.n_pre, r.n_post) >= min_n
    ]
    if pay:
        fell_pay = sorted(pay, key=lambda r: r.effect_pct)[:3]
        out["pay_fell_most"] = {
            "metric": "change in the median posted hourly rate vs control, every month"
            " (panel estimate)",
            "categories": [r.category for r in fell_pay],
            "text": [
                f"{r.category}: {_fmt(r.effect_pct)} vs control (95% CI {_fmt(r.lo_pct)}"
                f" to {_fmt(r.hi_pct)}, q={fmt_q(r.q_value)}); monthly median"
                f" ${r.median_pre:.2f} before, ${r.median_post:.2f} after;"
                f" n {r.n_pre} -> {r.n_post}"
                for r in fell_pay
            ],
        }
    skills = [r for r in p.skills if max(r.n_pre, r.n_post) >= min_n]
    if skills:
        grew = sorted(skills, key=lambda r: -r.change_pp)[:3]
        base = {s.skill: s for s in report.skills}
        out["ai_skills_grew_most"] = {
            "metric": "change in share of postings, all months after vs all before"
            " (percentage points)",
            "skills": [r.skill for r in grew],
            "text": [
                f"{r.skill}: {r.share_pre_pct:.2f}% -> {r.share_post_pct:.2f}% of postings"
                f" ({_fmt(r.change_pp, '+.2f', ' pp')}, 95% CI {_fmt(r.lo_pp, '+.2f', '')}"
                f" to {_fmt(r.hi_pp, '+.2f', ' pp')}, q={fmt_q(r.q_value)});"
                f" n {r.n_pre} -> {r.n_post}"
                + (
                    f"; pre-2022 base rate {_fmt(base[r.skill].base_rate_pre2022_pct, '.2f')}"
                    if r.skill in base
                    else ""
                )
                for r in grew
            ],
        }
    return out


def plain_summary(report: Report) -> list[str]:
    """Five plain lines: the four answers with estimate, interval and what would make
    each wrong, then how to read them."""
    a = report.answers
    panel_used = _panel_used(report)
    lines = []
    vol = a.get("volume_fell_most")
    if vol and vol["categories"]:
        lines.append(
            f"Fell most: {vol['text'][0]}. Wrong if the control categories were hit too"
            " (then every change here is understated) or if the category was already"
            " shrinking before the event (a small pre-trend p; see `event-study`)."
        )
    else:
        lines.append("Fell most: no category's volume fell relative to control.")
    least = a.get("least_affected")
    lines.append(
        f"Least affected: {least['text'][0]}. Wrong if the interval is wide: an"
        " interval spanning large falls and rises means 'not measured', not 'unaffected'."
        if least and least["categories"]
        else "Least affected: not enough data."
    )
    pay = a.get("pay_fell_most")
    lines.append(
        f"Posted pay fell most: {pay['text'][0]}. This is the posted hourly rate of"
        " hourly listings, not earnings; wrong if the mix of jobs posted hourly changed"
        " within the category."
        if pay
        else "Posted pay: not enough hourly listings."
    )
    skills = a.get("ai_skills_grew_most")
    lines.append(
        f"AI skill that grew most: {skills['text'][0]}. Wrong if the keyword matches"
        " postings that are not about the tool (check the pre-2022 base rate)."
        if skills
        else "AI skills: none tagged."
    )
    how = (
        "How to read: 'vs control' = change beyond what the control categories"
        f" ({', '.join(report.panel.controls if panel_used else report.config.control)})"
        " did over the same months; "
    )
    if panel_used:
        how += (
            "the estimate uses every month (Poisson model with category and month"
            " effects, so seasonality, platform growth and month length cancel), its 95%"
            " interval a wild bootstrap over months; "
        )
    else:
        how += "the estimate compares two windows only (a descriptive view); "
    how += (
        "q = the p-value adjusted for testing every category at once (Benjamini-Hochberg):"
        " of the categories with q < 0.05, about 5 % or fewer are expected to be noise."
    )
    lines.append(how)
    return lines
