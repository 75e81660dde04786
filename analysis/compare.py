"""Two-period comparison: postings and median hourly pay per category, skill growth.

This is the quick, raw view (no seasonality or platform-growth control; see
``analysis.report`` for that).  Unique postings only (``dup_of IS NULL``).

    >>> from analysis.periods import parse_period
    >>> result = compare_periods(conn, parse_period("2022-11"), parse_period("2024-02"))
    >>> print(format_table(result))
    Unique postings 2022-11 -> 2024-02: ... -> ... (...%)
    <BLANKLINE>
    category ...change  hourly n A  n B  median A  median B  change
    ...
    Skills by growth (top 15):
    skill ...AI  A  B   change
    ...
"""

from __future__ import annotations

import csv
import math
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

from analysis import data
from analysis.markdown import md_text
from analysis.periods import Period


def pct_change(a: float | None, b: float | None) -> float | None:
    """Percent change from a to b; None when the base is 0 or missing.

    >>> pct_change(40, 60)
    50.0
    """
    if a is None or b is None or a == 0:
        return None
    return (b / a - 1.0) * 100.0


@dataclass
class CategoryChange:
    category: str
    postings_a: int
    postings_b: int
    postings_pct: float | None
    hourly_n_a: int
    hourly_n_b: int
    median_hourly_a: float | None
    median_hourly_b: float | None
    median_hourly_pct: float | None


@dataclass
class SkillChange:
    skill: str
    is_ai: bool
    postings_a: int
    postings_b: int
    pct: float | None


@dataclass
class CompareResult:
    a: Period
    b: Period
    source: str | None
    total_a: int
    total_b: int
    categories: list[CategoryChange] = field(default_factory=list)
    skills: list[SkillChange] = field(default_factory=list)
    # reason -> postings whose pay had no settled currency (left out of the medians)
    pay_left_out_a: dict[str, int] = field(default_factory=dict)
    pay_left_out_b: dict[str, int] = field(default_factory=dict)

    @property
    def pay_left_out_note(self) -> str:
        return data.pay_left_out_note(
            {self.a.label: self.pay_left_out_a, self.b.label: self.pay_left_out_b}
        )

    @property
    def total_pct(self) -> float | None:
        return pct_change(self.total_a, self.total_b)


def _sort_key(pct: float | None, name: str) -> tuple:
    # Largest falls first; "n/a" (no base) last.
    return (pct is None, pct if pct is not None else 0.0, name)


def compare_periods(
    conn: sqlite3.Connection, a: Period, b: Period, source: str | None = None
) -> CompareResult:
    """Compare unique postings and median hourly pay per category between two periods."""
    counts_a = data.category_counts(conn, a, source)
    counts_b = data.category_counts(conn, b, source)
    pay_a = data.hourly_medians(conn, a, source)
    pay_b = data.hourly_medians(conn, b, source)
    names = [c for c in data.CATEGORIES if c in counts_a or c in counts_b]
    names += sorted((set(counts_a) | set(counts_b)) - set(names))
    categories = []
    for name in names:
        na, nb = counts_a.get(name, 0), counts_b.get(name, 0)
        ha, ma = pay_a.get(name, (0, None))
        hb, mb = pay_b.get(name, (0, None))
        categories.append(
            CategoryChange(
                name, na, nb, pct_change(na, nb), ha, hb, ma, mb, pct_change(ma, mb)
            )
        )
    categories.sort(key=lambda c: _sort_key(c.postings_pct, c.category))
    skills_a = data.skill_counts(conn, a, source)
    skills_b = data.skill_counts(conn, b, source)
    skills = []
    for skill in set(skills_a) | set(skills_b):
        na, ai_a = skills_a.get(skill, (0, 0))
        nb, ai_b = skills_b.get(skill, (0, 0))
        skills.append(
            SkillChange(skill, bool(ai_a or ai_b), na, nb, pct_change(na, nb))
        )
    # Growth first; new skills (no base) after those with a base, by count in B.
    skills.sort(key=lambda s: (s.pct is None, -(s.pct or 0.0), -s.postings_b, s.skill))
    return CompareResult(
        a,
        b,
        source,
        sum(counts_a.values()),
        sum(counts_b.values()),
        categories,
        skills,
        data.pay_left_out(conn, a, source),
        data.pay_left_out(conn, b, source),
    )


def _fmt_pct(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:+.1f}%"


def _fmt_money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.2f}"


def _align(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_table(result: CompareResult, top_skills: int = 15) -> str:
    """The comparison as aligned plain-text tables (categories, then skills)."""
    head = (
        f"Unique postings {result.a.label} -> {result.b.label}"
        + (f" (source {result.source})" if result.source else "")
        + f": {result.total_a} -> {result.total_b} ({_fmt_pct(result.total_pct)})"
    )
    rows = [
        [
            "category",
            "A",
            "B",
            "change",
            "hourly n A",
            "n B",
            "median A",
            "median B",
            "change",
        ]
    ]
    for c in result.categories:
        rows.append(
            [
                c.category,
                str(c.postings_a),
                str(c.postings_b),
                _fmt_pct(c.postings_pct),
                str(c.hourly_n_a),
                str(c.hourly_n_b),
                _fmt_money(c.median_hourly_a),
                _fmt_money(c.median_hourly_b),
                _fmt_pct(c.median_hourly_pct),
            ]
        )
    parts = [head, "", _align(rows, set(range(1, 9))), result.pay_left_out_note]
    if result.skills:
        srows = [["skill", "AI", "A", "B", "change"]]
        for s in result.skills[:top_skills]:
            srows.append(
                [
                    s.skill,
                    "AI" if s.is_ai else "",
                    str(s.postings_a),
                    str(s.postings_b),
                    _fmt_pct(s.pct),
                ]
            )
        parts += [
            "",
            f"Skills by growth (top {min(top_skills, len(result.skills))}):",
            _align(srows, {2, 3, 4}),
        ]
    return "\n".join(parts)


def format_markdown(result: CompareResult) -> str:
    lines = [
        f"# Compare {result.a.label} vs {result.b.label}",
        "",
        (
            f"Unique (deduplicated) postings: {result.total_a} -> {result.total_b}"
            f" ({_fmt_pct(result.total_pct)}). Raw two-period comparison: no control for"
            " seasonality or platform-wide growth (use `jobtrends report` for that)."
        ),
        "",
        (
            "| category | postings A | postings B | change | hourly n A | hourly n B |"
            " median $/h A | median $/h B | change |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in result.categories:
        lines.append(
            f"| {md_text(c.category)} | {c.postings_a} | {c.postings_b} | {_fmt_pct(c.postings_pct)} |"
            f" {c.hourly_n_a} | {c.hourly_n_b} | {_fmt_money(c.median_hourly_a)} |"
            f" {_fmt_money(c.median_hourly_b)} | {_fmt_pct(c.median_hourly_pct)} |"
        )
    lines += [
        "",
        md_text(result.pay_left_out_note),
        "",
        "## Skills by growth",
        "",
        "| skill | AI | A | B | change |",
        "|---|---|---:|---:|---:|",
    ]
    for s in result.skills:
        lines.append(
            f"| {md_text(s.skill)} | {'yes' if s.is_ai else ''} | {s.postings_a} | {s.postings_b} |"
            f" {_fmt_pct(s.pct)} |"
        )
    return "\n".join(lines) + "\n"


def write_outputs(result: CompareResult, out_dir: str | Path) -> list[Path]:
    """compare.md, compare_categories.csv and compare_skills.csv in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = out / "compare.md"
    md.write_text(format_markdown(result), encoding="utf-8")
    cats = out / "compare_categories.csv"
    with cats.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh,
            fieldnames=list(
                asdict(result.categories[0]) if result.categories else ["category"]
            ),
        )
        writer.writeheader()
        for c in result.categories:
            writer.writerow(asdict(c))
    skills = out / "compare_skills.csv"
    with skills.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh, fieldnames=["skill", "is_ai", "postings_a", "postings_b", "pct"]
        )
        writer.writeheader()
        for s in result.skills:
            writer.writerow(asdict(s))
    return [md, cats, skills]
