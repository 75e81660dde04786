"""Turn a Report into a terminal table, report.md, CSVs, JSON and charts.

>>> print(format_report(report))
Coverage of window A (2022-02): ...
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, fields
from pathlib import Path

from analysis.markdown import md_text
from analysis.report import Report, fmt_q, plain_summary

QUESTIONS = {
    "volume_fell_most": "1. Which categories' volume fell most?",
    "least_affected": "2. Which categories were least affected?",
    "pay_fell_most": "3. Where did hourly pay fall most?",
    "ai_skills_grew_most": "4. Which AI skills grew most?",
}


def _p(x: float, spec: str = "+.1f", suffix: str = "%") -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:{spec}}{suffix}"


def _ci(lo: float, hi: float) -> str:
    return f"[{_p(lo)}, {_p(hi)}]"


def _table(rows: list[list[str]], right_from: int = 1) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for k, row in enumerate(rows):
        out.append(
            "  ".join(
                c.rjust(widths[i]) if i >= right_from else c.ljust(widths[i])
                for i, c in enumerate(row)
            ).rstrip()
        )
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def volume_rows(report: Report) -> list[list[str]]:
    rows = [
        [
            "category",
            "n A",
            "n B",
            "raw",
            "95% CI",
            "share pp",
            "vs control",
            "95% CI",
            "q",
            "flag",
        ]
    ]
    for r in report.volume:
        flag = "control" if r.is_control else ""
        if r.suppressed:
            flag = (flag + " low n").strip()
        rows.append(
            [
                r.category,
                str(r.n_a),
                str(r.n_b),
                _p(r.pct),
                _ci(r.pct_lo, r.pct_hi),
                _p(r.share_change_pp, "+.2f", ""),
                _p(r.rel_pct),
                _ci(r.rel_lo, r.rel_hi),
                fmt_q(r.q_value),
                flag,
            ]
        )
    return rows


def pay_rows(report: Report) -> list[list[str]]:
    rows = [
        [
            "category",
            "n A",
            "n B",
            "median A",
            "median B",
            "change",
            "95% CI",
            "composition",
            "cells",
            "flag",
        ]
    ]
    for r in report.pay:
        rows.append(
            [
                r.category,
                str(r.n_a),
                str(r.n_b),
                f"${r.median_a:.2f}",
                f"${r.median_b:.2f}",
                _p(r.pct),
                _ci(r.pct_lo, r.pct_hi),
                _p(r.composition_pct),
                str(r.composition_cells),
                "low n" if r.suppressed else "",
            ]
        )
    return rows


def skill_rows(report: Report) -> list[list[str]]:
    rows = [
        [
            "AI skill",
            "n A",
            "n B",
            "share A",
            "share B",
            "pp",
            "growth",
            "95% CI",
            "pre-2022 n",
            "pre-2022",
        ]
    ]
    for r in report.skills:
        rows.append(
            [
                r.skill,
                str(r.n_a),
                str(r.n_b),
                _p(r.share_a_pct, ".2f"),
                _p(r.share_b_pct, ".2f"),
                _p(r.share_change_pp, "+.2f", ""),
                _p(r.growth_pct),
                _ci(r.growth_lo, r.growth_hi),
                str(r.base_n_pre2022),
                _p(r.base_rate_pre2022_pct, ".2f"),
            ]
        )
    return rows


def coverage_lines(report: Report) -> list[str]:
    """One line per window: share of its days that have postings (printed first)."""
    out = []
    for cov in report.coverage:
        flag = "" if cov["covered_pct"] >= 99.9 else "  <- WARNING: partly covered"
        out.append(
            f"Coverage of window {cov['window']} ({cov['period']}):"
            f" {cov['days_with_postings']} of {cov['days']} days have postings"
            f" ({cov['covered_pct']:.1f}%){flag}"
        )
    return out


def panel_volume_rows(report: Report) -> list[list[str]]:
    rows = [
        [
            "category",
            "n before",
            "n after",
            "vs control",
            "95% CI",
            "q",
            "leave one control out",
            "pre-trend p",
            "flag",
        ]
    ]
    for r in report.panel.volume:
        loo = (
            f"{_p(r.loo_min_pct)} .. {_p(r.loo_max_pct)}"
            if math.isfinite(r.loo_min_pct)
            else ""
        )
        low = min(r.n_pre, r.n_post) < report.config.min_count
        flag = ("control" if r.is_control else "") + (" low n" if low else "")
        rows.append(
            [
                r.category,
                str(r.n_pre),
                str(r.n_post),
                _p(r.effect_pct),
                _ci(r.lo_pct, r.hi_pct),
                fmt_q(r.q_value),
                loo,
                _p(r.pretrend_p, ".3f", ""),
                flag.strip(),
            ]
        )
    return rows


def panel_pay_rows(report: Report) -> list[list[str]]:
    rows = [["category", "n before", "n after", "median before", "median after"]]
    rows[0] += ["vs control", "95% CI", "q"]
    for r in report.panel.pay:
        rows.append(
            [
                r.category + (" (control)" if r.is_control else ""),
                str(r.n_pre),
                str(r.n_post),
                f"${r.median_pre:.2f}",
                f"${r.median_post:.2f}",
                _p(r.effect_pct),
                _ci(r.lo_pct, r.hi_pct),
                fmt_q(r.q_value),
            ]
        )
    return rows


def panel_skill_rows(report: Report) -> list[list[str]]:
    rows = [["AI skill", "n before", "n after", "share before", "share after"]]
    rows[0] += ["pp", "95% CI", "q"]
    for r in report.panel.skills:
        rows.append(
            [
                r.skill,
                str(r.n_pre),
                str(r.n_post),
                _p(r.share_pre_pct, ".2f"),
                _p(r.share_post_pct, ".2f"),
                _p(r.change_pp, "+.2f", ""),
                f"[{_p(r.lo_pp, '+.2f', '')}, {_p(r.hi_pp, '+.2f', '')}]",
                fmt_q(r.q_value),
            ]
        )
    return rows


def _panel_header(report: Report) -> str:
    p = report.panel
    return (
        f"Panel estimate: {len(p.months)} complete months {p.months[0]}..{p.months[-1]}"
        f" ({p.pre_months} before the event, {p.post_months} after); Poisson model of"
        " monthly postings with category and month effects (pay: the log monthly median"
        " posted hourly rate, same design); 'vs control' = average change after the event"
        f" beyond the controls ({', '.join(p.controls)}); 95% CI and q from a wild"
        f" bootstrap over the {p.clusters} months (Webb weights, {p.reps} reps);"
        " pre-trend p = joint test of the 12 monthly event-study coefficients before the"
        " event (small = the category was already drifting from control)."
    )


def _header(report: Report) -> list[str]:
    c = report.config
    t = report.totals
    return [
        f"Windows (two-window comparison, descriptive): {report.mode}",
        f"A = {report.window_a.label} ({t['days_a']} days, {t['unique_a']} unique postings);"
        f" B = {report.window_b.label} ({t['days_b']} days, {t['unique_b']} unique postings);"
        f" event {c.event.isoformat()}" + (f"; source {c.source}" if c.source else ""),
        (
            f"Two-window changes are in unique postings per day. 95% CIs: moving-block bootstrap over weeks"
            f" ({c.reps} reps, seed {c.seed}); q = Benjamini-Hochberg over non-control categories;"
            f" 'low n' = fewer than {c.min_count} postings on a side (left out of the answers)."
        ),
    ]


def format_report(report: Report) -> str:
    parts = coverage_lines(report) + [""] + plain_summary(report) + [""]
    parts += _header(report) + [""]
    for key, question in QUESTIONS.items():
        parts.append(question)
        answer = report.answers.get(key)
        if not answer:
            parts.append("   not enough data")
        else:
            parts.append(f"   ({answer['metric']})")
            parts += [f"   - {line}" for line in answer["text"]]
    if report.panel and report.panel.volume:
        parts += [
            "",
            _panel_header(report),
            "",
            "Volume vs control, every month (panel)",
        ]
        parts.append(_table(panel_volume_rows(report)))
        if report.panel.pay:
            parts += ["", "Posted hourly rate vs control, every month (panel)"]
            parts.append(_table(panel_pay_rows(report)))
        if report.panel.skills:
            parts += ["", "AI skills, all months after vs before (panel)"]
            parts.append(_table(panel_skill_rows(report)))
    parts += ["", "Volume by category (two windows)", _table(volume_rows(report))]
    if report.pay:
        o = report.pay_overall
        parts += [
            "",
            (
                f"Posted hourly rate, two windows (USD/h, midpoint{' , real' if report.config.real else ''}; all categories: ${o['median_a']:.2f} -> ${o['median_b']:.2f},"
                f" {_p(o['pct'])}; composition-controlled {_p(o['composition_pct'])} over"
                f" {o['composition_cells']} cells)"
            ),
            _table(pay_rows(report)),
        ]
    if report.skills:
        parts += [
            "",
            "AI skills (share of unique postings, two windows)",
            _table(skill_rows(report)),
        ]
    notes = report.notes + (report.panel.notes if report.panel else [])
    parts += ["", "Notes:"] + [f"- {n}" for n in notes]
    return "\n".join(parts)


def _md_table(rows: list[list[str]]) -> str:
    rows = [[md_text(cell) for cell in row] for row in rows]
    head, body = rows[0], rows[1:]
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


def format_markdown(report: Report, charts: list[Path]) -> str:
    lines = ["# jobtrends report", "", "## The answer in five lines", ""]
    lines += [f"{k}. {md_text(t)}" for k, t in enumerate(plain_summary(report), 1)]
    lines += ["", "## Data coverage", ""]
    lines += [f"- {md_text(t)}" for t in coverage_lines(report)] + [""]
    lines += [f"{md_text(h)}  " for h in _header(report)] + [""]
    for key, question in QUESTIONS.items():
        lines.append(f"## {question}")
        answer = report.answers.get(key)
        if not answer:
            lines += ["", "Not enough data.", ""]
            continue
        lines += ["", f"Ranked by {answer['metric']}:", ""]
        lines += [f"- {md_text(t)}" for t in answer["text"]] + [""]
    if report.panel and report.panel.volume:
        lines += [
            "## Panel estimate (headline)",
            "",
            md_text(_panel_header(report)),
            "",
        ]
        lines += ["### Volume vs control", "", _md_table(panel_volume_rows(report)), ""]
        if report.panel.pay:
            lines += ["### Posted hourly rate vs control", ""]
            lines += [_md_table(panel_pay_rows(report)), ""]
        if report.panel.skills:
            lines += ["### AI skills", "", _md_table(panel_skill_rows(report)), ""]
    lines += ["## Volume by category (two windows)", ""]
    lines += [_md_table(volume_rows(report)), ""]
    if report.pay:
        lines += [
            "## Posted hourly rate (two windows)",
            "",
            _md_table(pay_rows(report)),
            "",
        ]
    if report.skills:
        lines += ["## AI skills (two windows)", "", _md_table(skill_rows(report)), ""]
    if charts:
        lines += ["## Charts", ""] + [f"![{p.stem}]({p.name})" for p in charts] + [""]
    notes = report.notes + (report.panel.notes if report.panel else [])
    lines += ["## Method and caveats", ""] + [f"- {md_text(n)}" for n in notes]
    return "\n".join(lines) + "\n"


def _write_csv(path: Path, rows: list) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        if not rows:
            fh.write("")
            return path
        writer = csv.DictWriter(fh, fieldnames=[f.name for f in fields(rows[0])])
        writer.writeheader()
        for r in rows:
            writer.writerow(asdict(r))
    return path


def _jsonable(obj):
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj


def report_dict(report: Report) -> dict:
    c = report.config
    return _jsonable(
        {
            "config": {
                "a": c.a.label,
                "b": c.b.label,
                "event": c.event.isoformat(),
                "control": list(c.control),
                "naive": c.naive,
                "min_count": c.min_count,
                "reps": c.reps,
                "seed": c.seed,
                "source": c.source,
                "level": c.level,
                "real": c.real,
            },
            "window_a": report.window_a.label,
            "window_b": report.window_b.label,
            "mode": report.mode,
            "totals": report.totals,
            "answers": report.answers,
            "volume": [asdict(r) for r in report.volume],
            "pay": [asdict(r) for r in report.pay],
            "pay_overall": report.pay_overall,
            "ai_skills": [asdict(r) for r in report.skills],
            "monthly_index": report.monthly_index,
            "notes": report.notes,
            "coverage": report.coverage,
            "summary": plain_summary(report),
            "panel": panel_dict(report),
        }
    )


def panel_dict(report: Report) -> dict | None:
    """The headline estimates as data (what `report --out` writes under "panel").

    Keys: months, pre_months, post_months, controls, controls_dropped, clusters, reps,
    volume / pay / skills (lists of row dicts, percent and percentage-point units),
    notes.  None when the data are too short for a panel.
    """
    return None if report.panel is None else _jsonable(asdict(report.panel))


def write_report(
    report: Report, out_dir: str | Path, charts: bool = True
) -> list[Path]:
    """report.md, report.json, volume.csv, pay.csv, ai_skills.csv and PNG charts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chart_paths: list[Path] = []
    if charts:
        from analysis.charts import write_report_charts

        chart_paths = write_report_charts(report, out)
    paths = [
        _write_csv(out / "volume.csv", report.volume),
        _write_csv(out / "pay.csv", report.pay),
        _write_csv(out / "ai_skills.csv", report.skills),
    ]
    (out / "report.json").write_text(
        json.dumps(report_dict(report), indent=2), encoding="utf-8"
    )
    (out / "report.md").write_text(
        format_markdown(report, chart_paths), encoding="utf-8"
    )
    return [out / "report.md", out / "report.json", *paths, *chart_paths]
