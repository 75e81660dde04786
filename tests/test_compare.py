"""compare_periods on a tiny hand-built database; numbers checked by hand."""

import click
import pytest
from click.testing import CliRunner

from analysis.compare import compare_periods, format_table, pct_change
from analysis.periods import parse_period
from crawler.cli import main
from crawler.db import JOB_COLUMNS, connect, save_jobs

AI = {"name": "chatgpt", "is_ai": True, "family": "ai"}
SEO = {"name": "seo", "is_ai": False, "family": "marketing"}


def job(n, posted, category, pay=None, skills=(), dup_of=None, pay_type=None):
    row = {c: None for c in JOB_COLUMNS}
    row.update(
        job_id=f"t:{n}",
        source="t",
        source_id=str(n),
        posted_at=posted,
        month=posted[:7],
        category=category,
        pay_type=pay_type or ("hourly" if pay else "fixed"),
        hourly_usd_mid=pay,
        skills=list(skills),
        has_ai_skill=int(any(s["is_ai"] for s in skills)),
        dup_of=dup_of,
    )
    return row


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "t.db"
    conn = connect(path)
    rows = [
        # A = 2022-11: writing 4 unique (pay 10, 20, 30; one fixed), translation 2
        job(1, "2022-11-01T10:00:00Z", "writing", 10, [SEO]),
        job(2, "2022-11-05T10:00:00Z", "writing", 20, [SEO]),
        job(3, "2022-11-09T10:00:00Z", "writing", 30),
        job(4, "2022-11-30T23:59:59Z", "writing", None, [SEO]),
        job(5, "2022-11-10T00:00:00Z", "translation", 40, [AI]),
        job(6, "2022-11-11T00:00:00Z", "translation", 50),
        # repost of job 1: must not count
        job(7, "2022-11-12T00:00:00Z", "writing", 99, [SEO], dup_of="t:1"),
        # B = 2024-02: writing 2 (pay 12, 14), translation 3 (pay 30, 30, 60), 1 legal
        job(8, "2024-02-01T00:00:00Z", "writing", 12),
        job(9, "2024-02-29T12:00:00Z", "writing", 14, [AI]),
        job(10, "2024-02-02T00:00:00Z", "translation", 30, [AI]),
        job(11, "2024-02-03T00:00:00Z", "translation", 30, [AI, SEO]),
        job(12, "2024-02-04T00:00:00Z", "translation", 60),
        job(13, "2024-02-05T00:00:00Z", "legal", 80),
        # outside both periods
        job(14, "2024-03-01T00:00:00Z", "writing", 5),
        job(15, "2022-10-31T23:59:59Z", "writing", 5),
    ]
    save_jobs(conn, rows)
    return path, conn


def test_pct_change():
    assert pct_change(4, 2) == -50.0
    assert pct_change(0, 3) is None


def test_compare_hand_checked(db):
    _, conn = db
    result = compare_periods(conn, parse_period("2022-11"), parse_period("2024-02"))
    assert (result.total_a, result.total_b) == (6, 6)
    by = {c.category: c for c in result.categories}
    w = by["writing"]
    assert (w.postings_a, w.postings_b, w.postings_pct) == (4, 2, -50.0)
    assert (w.hourly_n_a, w.median_hourly_a, w.median_hourly_b) == (3, 20.0, 13.0)
    assert w.median_hourly_pct == pytest.approx(-35.0)
    t = by["translation"]
    assert (t.postings_a, t.postings_b, t.postings_pct) == (2, 3, 50.0)
    assert (t.median_hourly_a, t.median_hourly_b, t.median_hourly_pct) == (
        45.0,
        30.0,
        pytest.approx(-100 / 3),
    )
    legal = by["legal"]
    assert (legal.postings_a, legal.postings_b, legal.postings_pct) == (0, 1, None)
    # sorted by % change, n/a last
    assert [c.category for c in result.categories] == [
        "writing",
        "translation",
        "legal",
    ]
    skills = {s.skill: s for s in result.skills}
    assert (skills["chatgpt"].postings_a, skills["chatgpt"].postings_b) == (1, 3)
    assert skills["chatgpt"].is_ai and skills["chatgpt"].pct == 200.0
    assert (skills["seo"].postings_a, skills["seo"].postings_b, skills["seo"].pct) == (
        3,
        1,
        pytest.approx(-200 / 3),
    )
    table = format_table(result)
    assert "writing" in table and "-50.0%" in table and "n/a" in table


def test_source_filter_and_day_range(db):
    _, conn = db
    result = compare_periods(
        conn,
        parse_period("2022-11-01..2022-11-05"),
        parse_period("2024-02-01..2024-02-02"),
        source="t",
    )
    by = {c.category: c for c in result.categories}
    assert (by["writing"].postings_a, by["writing"].postings_b) == (2, 1)
    empty = compare_periods(
        conn, parse_period("2022-11"), parse_period("2024-02"), source="other"
    )
    assert empty.total_a == 0 and empty.categories == []


@pytest.mark.parametrize(
    "text",
    ["2024-13", "2024/02", "2024-02-10..2024-02-01", "", "2024-02-30..2024-03-01"],
)
def test_parse_period_rejects(text):
    with pytest.raises(click.UsageError, match="YYYY-MM"):
        parse_period(text)


def test_parse_period_forms():
    p = parse_period("2024-02")
    assert (p.days, p.start_iso, p.end_iso) == (
        29,
        "2024-02-01T00:00:00Z",
        "2024-03-01T00:00:00Z",
    )
    assert parse_period("2024-02-01..2024-02-01").days == 1


def test_cli_compare(db, tmp_path):
    path, _ = db
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        [
            "compare",
            "--a",
            "2022-11",
            "--b",
            "2024-02",
            "--db",
            str(path),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "writing" in res.output and "-50.0%" in res.output
    assert (out / "compare.md").read_text().count("| writing |") == 1
    csv_text = (out / "compare_categories.csv").read_text()
    assert csv_text.splitlines()[0].startswith("category,postings_a,postings_b")
    assert "chatgpt,True,1,3,200.0" in (out / "compare_skills.csv").read_text()
    bad = CliRunner().invoke(
        main, ["compare", "--a", "nov", "--b", "2024-02", "--db", str(path)]
    )
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output


def test_pay_left_out_is_counted_by_reason(tmp_path):
    """Postings whose pay had no settled currency are counted per period and reason."""
    conn = connect(tmp_path / "left.db")
    rows = [
        job(1, "2022-11-02T00:00:00Z", "writing", 10),
        job(2, "2022-11-03T00:00:00Z", "writing"),
        job(3, "2022-11-04T00:00:00Z", "writing"),
        job(
            4, "2022-11-05T00:00:00Z", "writing", dup_of="t:3"
        ),  # a repost: not counted
        job(5, "2024-02-03T00:00:00Z", "writing"),
    ]
    issues = [
        ("t:2", "pay_currency", "$40/hr", "ambiguous:$", "v"),
        ("t:3", "pay_currency", "60 per hour", "no_currency", "v"),
        ("t:4", "pay_currency", "60 per hour", "no_currency", "v"),
        ("t:5", "pay_currency", "kr 500/h", "ambiguous:kr", "v"),
        (
            "t:1",
            "posted_at",
            "soon",
            "unparsed date",
            "v",
        ),  # another field: not counted
    ]
    save_jobs(conn, rows, issues)
    result = compare_periods(conn, parse_period("2022-11"), parse_period("2024-02"))
    assert result.pay_left_out_a == {"ambiguous:$": 1, "no_currency": 1}
    assert result.pay_left_out_b == {"ambiguous:kr": 1}
    assert (
        "pay left out of USD figures (no currency): 2022-11 2 (ambiguous:$ 1,"
        " no_currency 1); 2024-02 1 (ambiguous:kr 1)"
    ) in format_table(result)
    other = compare_periods(
        conn, parse_period("2022-11"), parse_period("2024-02"), source="x"
    )
    assert other.pay_left_out_a == {} and "2022-11 0; 2024-02 0" in format_table(other)
