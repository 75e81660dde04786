"""The report's headline: the panel estimates over every complete month, as data.

Reads month-level counts (the rollup tables when current: no row scans), builds the
(category x month) panels and runs :mod:`analysis.panel` on them:

- volume: Poisson PML with category and month fixed effects, each non-control category's
  average post-event change relative to the controls;
- pay: the same design on the log of each month's median posted hourly rate (WLS);
- AI skills: change in the pooled share of postings mentioning each skill;
- leave-one-control-out: the volume effects re-estimated without each control in turn.

Inference is a wild cluster bootstrap-t over months (see :mod:`analysis.panel`);
q-values are Benjamini-Hochberg within each family.

    >>> panel = build_panel(conn, event=date(2022, 11, 30), control=("admin support",))  # doctest: +SKIP
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from analysis import data, panel, stats
from analysis.periods import add_months, month_label


@dataclass
class PanelVolumeRow:
    category: str
    is_control: bool
    n_pre: int
    n_post: int
    effect_pct: float  # post-event change vs control, percent
    lo_pct: float
    hi_pct: float
    p_value: float
    q_value: float
    log_effect: float
    se: float
    loo_min_pct: float = float("nan")  # smallest effect leaving one control out
    loo_max_pct: float = float("nan")
    # Joint test of the 12 monthly event-study coefficients before the event (`event-study`):
    # a small p says the category was already drifting from control before the event.
    pretrend_p: float = float("nan")


@dataclass
class PanelPayRow:
    category: str
    is_control: bool
    n_pre: int
    n_post: int
    median_pre: float  # posted hourly rate, USD (median of monthly medians)
    median_post: float
    effect_pct: float  # vs control
    lo_pct: float
    hi_pct: float
    p_value: float
    q_value: float


@dataclass
class PanelSkillRow:
    skill: str
    n_pre: int
    n_post: int
    share_pre_pct: float
    share_post_pct: float
    change_pp: float
    lo_pp: float
    hi_pp: float
    p_value: float
    q_value: float


@dataclass
class Panel:
    months: list[str]
    pre_months: int
    post_months: int
    controls: list[str]
    controls_dropped: list[str]
    clusters: int
    reps: int
    volume: list[PanelVolumeRow] = field(default_factory=list)
    pay: list[PanelPayRow] = field(default_factory=list)
    skills: list[PanelSkillRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _pct(log_value) -> float:
    return (
        float((math.exp(log_value) - 1) * 100)
        if math.isfinite(log_value)
        else float("nan")
    )


def _month_start(label: str) -> date:
    return date(int(label[:4]), int(label[5:7]), 1)


def complete_months(conn: sqlite3.Connection) -> list[str]:
    """Every month the data covers from its first to its last day, in order."""
    first, last = data.data_span(conn)
    if not first or not last:
        return []
    first_day, last_day = date.fromisoformat(first[:10]), date.fromisoformat(last[:10])
    start = _month_start(month_label(first_day))
    if first_day > start:
        start = add_months(start, 1)
    end = add_months(_month_start(month_label(last_day)), 1)  # exclusive
    if (end - last_day).days > 1:  # the last month stops before its last day
        end = add_months(end, -1)
    months = []
    while start < end:
        months.append(month_label(start))
        start = add_months(start, 1)
    return months


def last_complete_month(conn: sqlite3.Connection) -> str | None:
    months = complete_months(conn)
    return months[-1] if months else None


@panel.single_threaded
def build_panel(
    conn: sqlite3.Connection,
    *,
    event: date,
    control: tuple[str, ...],
    source: str | None = None,
    reps: int = 999,
    seed: int = 20221130,
    level: float = 0.95,
    last_month: str | None = None,
) -> Panel | None:
    """Panel estimates over every complete month up to ``last_month`` (None: all)."""
    months = [m for m in complete_months(conn) if not last_month or m <= last_month]
    counts_by = data.monthly_category_counts(conn, source)
    # A month inside the span with no postings at all is a gap in collection.
    totals = {}
    for (month, _), n in counts_by.items():
        totals[month] = totals.get(month, 0) + n
    gaps = [m for m in months if not totals.get(m)]
    months = [m for m in months if totals.get(m)]
    # The event month is "before" only when the event falls on its last day.
    post = np.array([_month_start(m) > event for m in months])
    pre = np.array([add_months(_month_start(m), 1) <= _next_day(event) for m in months])
    months = [m for m, a, b in zip(months, pre, post) if a or b]
    post = np.array([_month_start(m) > event for m in months])
    if post.sum() < 2 or (~post).sum() < 2:
        return None
    seen = {c for (m, c) in counts_by if m in set(months)}
    categories = [c for c in data.CATEGORIES if c in seen] + sorted(
        seen - set(data.CATEGORIES)
    )
    index = {m: t for t, m in enumerate(months)}
    cat_index = {c: i for i, c in enumerate(categories)}
    Y = np.zeros((len(categories), len(months)))
    for (month, cat), n in counts_by.items():
        if month in index and cat in cat_index:
            Y[cat_index[cat], index[month]] += n
    days = np.array(
        [(add_months(_month_start(m), 1) - _month_start(m)).days for m in months],
        dtype=float,
    )
    # Controls with no postings before or after cannot anchor the months: dropped.
    ctrl = [c for c in control if c in cat_index]
    dropped = [
        c
        for c in ctrl
        if Y[cat_index[c], ~post].sum() == 0 or Y[cat_index[c], post].sum() == 0
    ]
    ctrl = [c for c in ctrl if c not in dropped]
    dropped += [c for c in control if c not in cat_index]
    result = Panel(
        months=months,
        pre_months=int((~post).sum()),
        post_months=int(post.sum()),
        controls=ctrl,
        controls_dropped=dropped,
        clusters=len(months),
        reps=reps,
    )
    if gaps:
        result.notes.append(
            f"months with no postings inside the data's span, left out: {', '.join(gaps)}"
        )
    if dropped:
        result.notes.append(
            "controls without postings before or after the event, left out of the"
            f" panel: {', '.join(dropped)}"
        )
    if not ctrl:
        result.notes.append("no control category with postings: no panel estimate")
        return result
    rng = np.random.default_rng(seed + 10)
    is_ctrl = np.array([c in ctrl for c in categories])
    result.volume = _volume_rows(Y, days, post, is_ctrl, categories, reps, rng, level)
    _leave_one_out(result, Y, days, post, categories, ctrl)
    _pretrends(conn, result, event, source)
    result.pay = _pay_rows(
        data.monthly_pay_medians(conn, source),
        index,
        cat_index,
        post,
        is_ctrl,
        categories,
        reps,
        rng,
        level,
    )
    result.skills = _skill_rows(
        data.monthly_ai_skill_counts(conn, source),
        index,
        Y.sum(axis=0),
        post,
        reps,
        rng,
        level,
    )
    return result


def _next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def _qvalues(rows) -> None:
    for row, q in zip(rows, stats.bh_qvalues([r.p_value for r in rows])):
        row.q_value = q


def _volume_rows(Y, days, post, is_ctrl, categories, reps, rng, level):
    eff = panel.volume_effects(Y, days, post, is_ctrl, reps=reps, rng=rng, level=level)
    rows = []
    j = 0
    for i, cat in enumerate(categories):
        n_pre, n_post = int(Y[i, ~post].sum()), int(Y[i, post].sum())
        if is_ctrl[i]:
            rows.append(PanelVolumeRow(cat, True, n_pre, n_post, *([float("nan")] * 8)))
            continue
        e = float(eff.effect[j])
        rows.append(
            PanelVolumeRow(
                cat,
                False,
                n_pre,
                n_post,
                _pct(e),
                _pct(float(eff.lo[j])),
                _pct(float(eff.hi[j])),
                float(eff.p[j]),
                float("nan"),
                e,
                float(eff.se[j]),
            )
        )
        j += 1
    _qvalues([r for r in rows if not r.is_control])
    return rows


def _leave_one_out(result: Panel, Y, days, post, categories, ctrl) -> None:
    """Refit without each control in turn; keep each category's range of estimates."""
    if len(ctrl) < 2:
        result.notes.append("leave-one-control-out needs two or more controls: skipped")
        return
    by_cat: dict[str, list[float]] = {}
    for left_out in ctrl:
        keep = [i for i, c in enumerate(categories) if c != left_out]
        cats = [categories[i] for i in keep]
        is_ctrl = np.array([c in ctrl and c != left_out for c in cats])
        fit = panel.fit_did(Y[keep], post, ~is_ctrl, exposure=days)
        for cat, e in zip([c for c in cats if c not in ctrl], fit.effect):
            by_cat.setdefault(cat, []).append(_pct(float(e)))
    for row in result.volume:
        values = [v for v in by_cat.get(row.category, []) if math.isfinite(v)]
        if values and not row.is_control:
            row.loo_min_pct, row.loo_max_pct = min(values), max(values)


def _pretrends(conn, result: Panel, event: date, source: str | None) -> None:
    """Each category's pre-trend p from the monthly event study (same controls)."""
    from analysis.event_study import EventStudyConfig, event_study

    study = event_study(
        conn,
        EventStudyConfig(
            event=event, pre=12, post=12, control=tuple(result.controls), source=source
        ),
    )
    by_cat = {s.category: s.pre_wald_p for s in study.series}
    for row in result.volume:
        row.pretrend_p = float(by_cat.get(row.category, float("nan")))


def _pay_rows(medians, index, cat_index, post, is_ctrl, categories, reps, rng, level):
    C, T = len(categories), len(index)
    log_med = np.full((C, T), np.nan)
    n = np.zeros((C, T))
    for (month, cat), (count, median) in medians.items():
        if month in index and cat in cat_index and median > 0:
            log_med[cat_index[cat], index[month]] = math.log(median)
            n[cat_index[cat], index[month]] = count
    has = [(n[i, ~post].sum() > 0 and n[i, post].sum() > 0) for i in range(C)]
    if not any(has[i] and is_ctrl[i] for i in range(C)):
        return []
    keep = [i for i in range(C) if has[i]]
    eff = panel.pay_effects(
        log_med[keep], n[keep], post, is_ctrl[keep], reps=reps, rng=rng, level=level
    )
    rows, j = [], 0
    for i in keep:
        cat = categories[i]

        def med(mask, i=i):
            ok = mask & (n[i] > 0)
            return float(np.exp(np.median(log_med[i, ok]))) if ok.any() else math.nan

        base = [
            cat,
            bool(is_ctrl[i]),
            int(n[i, ~post].sum()),
            int(n[i, post].sum()),
            med(~post),
            med(post),
        ]
        if is_ctrl[i]:
            rows.append(PanelPayRow(*base, *([float("nan")] * 5)))
            continue
        rows.append(
            PanelPayRow(
                *base,
                _pct(float(eff.effect[j])),
                _pct(float(eff.lo[j])),
                _pct(float(eff.hi[j])),
                float(eff.p[j]),
                float("nan"),
            )
        )
        j += 1
    _qvalues([r for r in rows if not r.is_control])
    return rows


def _skill_rows(counts_by, index, totals, post, reps, rng, level):
    skills = sorted({s for (m, s) in counts_by if m in index})
    if not skills or totals.sum() == 0:
        return []
    S = np.zeros((len(skills), len(index)))
    s_index = {s: i for i, s in enumerate(skills)}
    for (month, skill), n in counts_by.items():
        if month in index:
            S[s_index[skill], index[month]] += n
    eff, p_pre, p_post = panel.share_change(
        S, totals, post, reps=reps, rng=rng, level=level
    )
    rows = [
        PanelSkillRow(
            skill,
            int(S[k, ~post].sum()),
            int(S[k, post].sum()),
            float(p_pre[k] * 100),
            float(p_post[k] * 100),
            float(eff.effect[k] * 100),
            float(eff.lo[k] * 100),
            float(eff.hi[k] * 100),
            float(eff.p[k]),
            float("nan"),
        )
        for k, skill in enumerate(skills)
    ]
    _qvalues(rows)
    rows.sort(key=lambda r: (-r.change_pp, r.skill))
    return rows
