"""PNG charts for the report (matplotlib, Agg backend: no display needed).

>>> paths = write_report_charts(report, tmp_path / "out")
>>> sorted(p.suffix for p in paths)[0]
'.png'
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def volume_index_chart(
    monthly_index: dict, path: Path, highlight: list[str] | None = None
) -> Path:
    """Postings per day by category over time, event month = 100, event marked."""
    series = monthly_index.get("series", {})
    event_month = monthly_index.get("event_month")
    fig, ax = plt.subplots(figsize=(11, 6))
    months = sorted({m for s in series.values() for m in s})
    x_of = {m: i for i, m in enumerate(months)}
    names = highlight or sorted(series)
    for cat in names:
        if cat not in series:
            continue
        pts = sorted(series[cat].items())
        ax.plot(
            [x_of[m] for m, _ in pts], [v for _, v in pts], label=cat, linewidth=1.5
        )
    if event_month in x_of:
        ax.axvline(x_of[event_month], color="black", linestyle="--", linewidth=1)
        ax.text(
            x_of[event_month],
            ax.get_ylim()[1],
            f" event ({event_month})",
            va="top",
            fontsize=9,
        )
    ax.axhline(100, color="grey", linewidth=0.6)
    step = max(1, len(months) // 12)
    ax.set_xticks(range(0, len(months), step))
    ax.set_xticklabels(months[::step], rotation=45, ha="right")
    ax.set_title("Unique postings per day by category (index: event month = 100)")
    ax.set_xlabel("month")
    ax.set_ylabel("index (event month = 100)")
    ax.legend(fontsize=8, ncol=2, loc="best")
    return _save(fig, path)


def change_ci_chart(
    rows: list,
    path: Path,
    title: str,
    value: str,
    lo: str,
    hi: str,
    xlabel: str,
    label: str = "category",
) -> Path:
    """Horizontal dot-and-whisker chart of % changes with 95 % intervals."""
    rows = [r for r in rows if math.isfinite(getattr(r, value))]
    fig, ax = plt.subplots(figsize=(10, max(3, 0.45 * len(rows) + 1.5)))
    ys = list(range(len(rows)))
    for y, r in zip(ys, rows, strict=False):
        v, a, b = getattr(r, value), getattr(r, lo), getattr(r, hi)
        color = (
            "grey"
            if getattr(r, "suppressed", False)
            else ("tab:red" if v < 0 else "tab:blue")
        )
        if math.isfinite(a) and math.isfinite(b):
            ax.plot([a, b], [y, y], color=color, linewidth=2)
        ax.plot([v], [y], "o", color=color)
    names = []
    for r in rows:
        name = getattr(r, label)
        if getattr(r, "is_control", False):
            name += " (control)"
        if getattr(r, "suppressed", False):
            name += " (low n)"
        names.append(f"{name}  n={r.n_a}->{r.n_b}")
    ax.set_yticks(ys)
    ax.set_yticklabels(names, fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.invert_yaxis()
    return _save(fig, path)


def ai_skill_chart(
    rows: list, path: Path, label_a: str, label_b: str, top: int = 15
) -> Path:
    """Share of postings per AI skill in A and B, with the pre-2022 base rate."""
    rows = rows[:top]
    fig, ax = plt.subplots(figsize=(10, max(3, 0.5 * len(rows) + 1.5)))
    ys = list(range(len(rows)))
    h = 0.27
    ax.barh(
        [y - h for y in ys],
        [
            r.base_rate_pre2022_pct if math.isfinite(r.base_rate_pre2022_pct) else 0
            for r in rows
        ],
        height=h,
        color="lightgrey",
        label="before 2022 (base rate)",
    )
    ax.barh(
        ys, [r.share_a_pct for r in rows], height=h, color="tab:grey", label=label_a
    )
    ax.barh(
        [y + h for y in ys],
        [r.share_b_pct for r in rows],
        height=h,
        color="tab:purple",
        label=label_b,
    )
    ax.set_yticks(ys)
    ax.set_yticklabels([f"{r.skill}  n={r.n_a}->{r.n_b}" for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("% of unique postings mentioning the skill")
    ax.set_title("AI skills: share of postings before and after")
    ax.legend(fontsize=8)
    return _save(fig, path)


def event_study_chart(result, path: Path, top: int = 8) -> Path:
    """Coefficients (log ratio to control, relative to the reference bucket) with 95 % CIs."""
    fig, ax = plt.subplots(figsize=(11, 6))
    series = sorted(result.series, key=lambda s: s.post_mean)[:top]
    for k, s in enumerate(series):
        offset = (k - len(series) / 2) * 0.06
        xs = [c.k + offset for c in s.coefs]
        ys = [(math.exp(c.coef) - 1) * 100 for c in s.coefs]
        los = [(math.exp(c.coef - 1.96 * c.se) - 1) * 100 for c in s.coefs]
        his = [(math.exp(c.coef + 1.96 * c.se) - 1) * 100 for c in s.coefs]
        line = ax.plot(xs, ys, marker="o", markersize=3, linewidth=1, label=s.category)[
            0
        ]
        ax.vlines(xs, los, his, color=line.get_color(), linewidth=0.6, alpha=0.6)
    ax.axvline(-0.5, color="black", linestyle="--", linewidth=1)
    ax.axhline(0, color="grey", linewidth=0.6)
    ax.set_title(
        f"Event study: postings vs control, relative to {result.freq} -1 (event {result.event})"
    )
    ax.set_xlabel(
        f"{result.freq}s relative to the event (0 = first {result.freq} after it)"
    )
    ax.set_ylabel("% difference vs control, relative to reference")
    ax.legend(fontsize=8, ncol=2)
    return _save(fig, path)


def write_report_charts(report, out_dir: str | Path) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Up to ~8 lines stay readable: the biggest movers each way plus the control set.
    movers = [
        r.category for r in report.volume if not r.suppressed and not r.is_control
    ]
    highlight = list(
        dict.fromkeys(movers[:3] + movers[-3:][::-1] + list(report.config.control))
    )
    paths = [
        volume_index_chart(report.monthly_index, out / "volume_index.png", highlight)
    ]
    if report.volume:
        value = (
            ("pct", "pct_lo", "pct_hi")
            if report.config.naive
            else ("rel_pct", "rel_lo", "rel_hi")
        )
        what = (
            "raw change"
            if report.config.naive
            else "change relative to control categories"
        )
        paths.append(
            change_ci_chart(
                report.volume,
                out / "volume_change.png",
                f"Unique postings per day, {report.window_a.label} -> {report.window_b.label}: {what}",
                *value,
                xlabel="% change (95% block-bootstrap CI)",
            )
        )
    if report.pay:
        paths.append(
            change_ci_chart(
                report.pay,
                out / "pay_change.png",
                f"Median hourly pay (USD, midpoint), {report.window_a.label} -> {report.window_b.label}",
                "pct",
                "pct_lo",
                "pct_hi",
                xlabel="% change in median (95% CI)",
            )
        )
    if report.skills:
        paths.append(
            ai_skill_chart(
                report.skills,
                out / "ai_skills.png",
                report.window_a.label,
                report.window_b.label,
            )
        )
    return paths
