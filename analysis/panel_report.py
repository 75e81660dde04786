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

    >>> panel = build_panel(
    ...     conn, event=date(2022, 11, 30), control=("admin support",), reps=49
    ... )
    >>> panel.months[0] <= "2022-11" < panel.months[-1]
    True
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
    sources: list[str] = field(default_factory=list)
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
    by_source = data.monthly_category_counts(conn, source, by_source=True)
    # A month inside the span with no postings at all is a gap in collection.
    totals: dict[str, int] = {}
    for (month, _, _), n in by_source.items():
        totals[month] = totals.get(month, 0) + n
    gaps = [m for m in months if not totals.get(m)]
    months = [m for m in months if totals.get(m)]
    # The event month is "before" only when the event falls on its last day.
    post = np.array([_month_start(m) > event for m in months])
    pre = np.array([add_months(_month_start(m), 1) <= _next_day(event) for m in months])
    months = [m for m, a, b in zip(months, pre, post, strict=False) if a or b]
    post = np.array([_month_start(m) > event for m in months])
    if post.sum() < 2 or (~post).sum() < 2:
        return None
    index = {m: t for t, m in enumerate(months)}
    seen = {c for (m, _, c) in by_source if m in index}
    categories = [c for c in data.CATEGORIES if c in seen] + sorted(
        seen - set(data.CATEGORIES)
    )
    units = _Units.of(by_source, index, categories)
    days = np.array(
        [(add_months(_month_start(m), 1) - _month_start(m)).days for m in months],
        dtype=float,
    )
    Y = units.by_category(units.panel, categories)
    # Controls with no postings before or after cannot anchor the months: dropped.
    ctrl = [c for c in control if c in categories]
    dropped = [
        c
        for c in ctrl
        if Y[categories.index(c), ~post].sum() == 0
        or Y[categories.index(c), post].sum() == 0
    ]
    ctrl = [c for c in ctrl if c not in dropped]
    dropped += [c for c in control if c not in categories]
    result = Panel(
        months=months,
        pre_months=int((~post).sum()),
        post_months=int(post.sum()),
        controls=ctrl,
        controls_dropped=dropped,
        clusters=len(months),
        reps=reps,
        sources=units.sources,
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
    if len(units.sources) > 1:
        result.notes.append(
            f"panel units are category x source ({', '.join(units.sources)}): each source"
            " has its own month effects, each category one effect across sources"
        )
    if not ctrl:
        result.notes.append("no control category with postings: no panel estimate")
        return result
    rng = np.random.default_rng(seed + 10)
    result.volume = _volume_rows(
        units, Y, days, post, categories, ctrl, reps, rng, level
    )
    _leave_one_out(result, units, days, post, categories, ctrl)
    _pretrends(conn, result, event, source)
    pay_units = _Units.of(
        data.monthly_pay_medians(conn, source), index, categories, value=1
    )
    result.pay = _pay_rows(pay_units, post, categories, ctrl, reps, rng, level)
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


@dataclass
class _Units:
    """(category, source) panel units: their month rows and what the estimator needs."""

    keys: list[tuple[str, str]]
    sources: list[str]
    panel: np.ndarray  # (units, months) counts, or medians for pay
    n: np.ndarray  # (units, months) postings behind each value (pay) or the counts

    @classmethod
    def of(cls, cells: dict, index: dict, categories: list[str], value=None):
        """From {(month, source, category): v}; ``value`` picks v[value] and v[0] is n."""
        keys = sorted(
            {(c, s) for (m, s, c) in cells if m in index and c in categories},
            key=lambda k: (categories.index(k[0]), k[1]),
        )
        at = {k: i for i, k in enumerate(keys)}
        values = np.full((len(keys), len(index)), 0.0 if value is None else np.nan)
        n = np.zeros((len(keys), len(index)))
        for (month, src, cat), v in cells.items():
            if month in index and (cat, src) in at:
                u, t = at[(cat, src)], index[month]
                if value is None:
                    values[u, t] = n[u, t] = v
                else:
                    n[u, t], values[u, t] = v[0], v[value]
        return cls(keys, sorted({s for _, s in keys}), values, n)

    def arrays(self, categories: list[str], ctrl: list[str], keep=None):
        """effect_of and groups for the units (``keep``: a subset of unit indexes)."""
        treated = [c for c in categories if c not in ctrl]
        t_index = {c: j for j, c in enumerate(treated)}
        rows = range(len(self.keys)) if keep is None else keep
        effect_of = np.array(
            [t_index.get(self.keys[u][0], -1) for u in rows], dtype=int
        )
        groups = np.array(
            [self.sources.index(self.keys[u][1]) for u in rows], dtype=int
        )
        return effect_of, groups

    def by_category(self, values: np.ndarray, categories: list[str]) -> np.ndarray:
        out = np.zeros((len(categories), values.shape[1]))
        for u, (cat, _) in enumerate(self.keys):
            out[categories.index(cat)] += np.nan_to_num(values[u])
        return out


def _next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def _qvalues(rows) -> None:
    for row, q in zip(rows, stats.bh_qvalues([r.p_value for r in rows]), strict=False):
        row.q_value = q


def _volume_rows(units, Y, days, post, categories, ctrl, reps, rng, level):
    effect_of, groups = units.arrays(categories, ctrl)
    eff = panel.volume_effects(
        units.panel,
        days,
        post,
        effect_of < 0,
        reps=reps,
        rng=rng,
        level=level,
        effect_of=effect_of,
        groups=groups,
    )
    rows = []
    j = 0
    for i, cat in enumerate(categories):
        n_pre, n_post = int(Y[i, ~post].sum()), int(Y[i, post].sum())
        if cat in ctrl:
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


def _leave_one_out(result: Panel, units, days, post, categories, ctrl) -> None:
    """Refit without each control in turn; keep each category's range of estimates."""
    if len(ctrl) < 2:
        result.notes.append("leave-one-control-out needs two or more controls: skipped")
        return
    treated = [c for c in categories if c not in ctrl]
    by_cat: dict[str, list[float]] = {}
    for left_out in ctrl:
        keep = [u for u, (c, _) in enumerate(units.keys) if c != left_out]
        effect_of, groups = units.arrays(categories, ctrl, keep)
        fit = panel.fit_did(
            units.panel[keep],
            post,
            effect_of >= 0,
            exposure=days,
            effect_of=effect_of,
            groups=groups,
        )
        # Effects are indexed by the treated categories, all of which stay.
        for cat, e in zip(treated, fit.effect, strict=False):
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


def _pay_rows(units, post, categories, ctrl, reps, rng, level):
    if not units.keys or not any(c in ctrl for c, _ in units.keys):
        return []
    effect_of, groups = units.arrays(categories, ctrl)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_med = np.log(np.where(units.n > 0, units.panel, np.nan))
    eff = panel.pay_effects(
        log_med,
        units.n,
        post,
        effect_of < 0,
        reps=reps,
        rng=rng,
        level=level,
        effect_of=effect_of,
        groups=groups,
    )
    treated = [c for c in categories if c not in ctrl]
    rows = []
    for cat in categories:
        mine = [u for u, (c, _) in enumerate(units.keys) if c == cat]
        if not mine:
            continue
        n, lm = units.n[mine], log_med[mine]

        def med(mask, n=n, lm=lm):
            ok = (n > 0) & mask[None, :]
            return float(np.exp(np.median(lm[ok]))) if ok.any() else math.nan

        base = [
            cat,
            cat in ctrl,
            int(n[:, ~post].sum()),
            int(n[:, post].sum()),
            med(~post),
            med(post),
        ]
        if cat in ctrl:
            rows.append(PanelPayRow(*base, *([float("nan")] * 5)))
            continue
        j = treated.index(cat)
        if j >= len(eff.effect) or not math.isfinite(eff.effect[j]):
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
