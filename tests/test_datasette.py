"""Datasette over a seeded database: canned queries, search, facets, --public, injection.

The seed is small enough to check every figure by hand; the expected rows below are
worked out in the comments of ``SEED`` rather than computed by the code under test.
Datasette runs as a real subprocess (``python -m crawler.cli serve``) on a free
127.0.0.1 port.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from analysis.datasette import export
from analysis.serve import free_port, wait_until_ready
from crawler import db as dbmod

# Only a guard against a hung server, never a speed check: generous, so a busy machine
# cannot turn a slow answer into a failure.
HANG_S = 300

REPO = Path(__file__).resolve().parents[1]

XSS_TITLE = "<script>window.__xss=1</script> Python scraper"
XSS_DESCRIPTION = '<img src=x onerror="window.__xss=2"> Scrape a site <b>fast</b>'
XSS_URL = "javascript:window.__xss=3"

# (job_id, source, month, category, pay_type, hourly_usd_mid, skills, dup_of, extra)
# Unique postings per (month, category):
#   2022-11 writing 4 (alpha)         software-development 2 (alpha)   design 1 (beta)
#   2023-06 writing 1 (alpha)
#   2024-02 writing 2 (+1 repost)     software-development 5 alpha + 1 beta   design 1 (beta)
# Hourly medians (unique only): alpha 2022-11 writing 10,20,30,40 -> 25;
#   alpha 2024-02 writing 15,25 -> 20 (the repost's 99 is left out);
#   alpha 2022-11 software 50,70 -> 60; alpha 2024-02 software 60..100 -> 80.
# AI skill (llm / openai-api): 2022-11 w1; 2024-02 s1 s2 s3 (alpha), b1 (beta).
SEED = [
    ("alpha:w1", "alpha", "2022-11", "writing", "hourly", 10.0, ["llm"], None),
    ("alpha:w2", "alpha", "2022-11", "writing", "hourly", 20.0, [], None),
    ("alpha:w3", "alpha", "2022-11", "writing", "hourly", 30.0, [], None),
    ("alpha:w4", "alpha", "2022-11", "writing", "hourly", 40.0, [], None),
    ("alpha:w5", "alpha", "2023-06", "writing", "unknown", None, [], None),
    ("alpha:w6", "alpha", "2024-02", "writing", "hourly", 15.0, [], None),
    ("alpha:w7", "alpha", "2024-02", "writing", "hourly", 25.0, [], None),
    ("alpha:w8", "alpha", "2024-02", "writing", "hourly", 99.0, [], "alpha:w7"),
    (
        "alpha:a1",
        "alpha",
        "2022-11",
        "software-development",
        "hourly",
        50.0,
        ["python"],
        None,
    ),
    ("alpha:a2", "alpha", "2022-11", "software-development", "hourly", 70.0, [], None),
    (
        "alpha:s1",
        "alpha",
        "2024-02",
        "software-development",
        "hourly",
        60.0,
        ["llm", "openai-api", "python"],
        None,
    ),
    (
        "alpha:s2",
        "alpha",
        "2024-02",
        "software-development",
        "hourly",
        70.0,
        ["llm", "python"],
        None,
    ),
    (
        "alpha:s3",
        "alpha",
        "2024-02",
        "software-development",
        "hourly",
        80.0,
        ["llm"],
        None,
    ),
    ("alpha:s4", "alpha", "2024-02", "software-development", "hourly", 90.0, [], None),
    ("alpha:s5", "alpha", "2024-02", "software-development", "hourly", 100.0, [], None),
    (
        "beta:b1",
        "beta",
        "2024-02",
        "software-development",
        "fixed",
        None,
        ["llm"],
        None,
    ),
    ("beta:d1", "beta", "2022-11", "design", "unknown", None, [], None),
    ("beta:x1", "beta", "2024-02", "design", "unknown", None, ["python"], None),
    # No date: no month, so no rollup row either.
    ("beta:n1", "beta", None, "other", "unknown", None, [], None),
]
AI_SKILLS = {"llm", "openai-api"}
# Posting times inside 2024-02 in another order than the job ids (else the 15th, noon).
POSTED = {
    "alpha:s1": "2024-02-03T08:00:00Z",
    "alpha:s2": "2024-02-20T23:30:00Z",
    "beta:x1": "2024-02-10T12:00:00Z",
}
FORMULA_TITLE = '=HYPERLINK("https://evil.example","click")'
FORMULA_DESCRIPTION = "-2+3 @SUM(A1) and more"
# `jobtrends report` on the seed: naive periods (the seed has no year-earlier window),
# every count reported (min 1).  Its report.json is what the dashboard must show.
REPORT_ARGS = [
    "--a",
    "2022-11",
    "--b",
    "2024-02",
    "--naive",
    "--min-count",
    "1",
    "--reps",
    "200",
]

# run_id order: 1 alpha ok, 2 beta partial with errors, 3 alpha running, 4 beta failed.
RUNS = [
    ("alpha", "finished", "2024-03-01T10:00:00Z", "2024-03-01T10:02:00Z", 10, 0),
    ("beta", "partial", "2024-03-02T10:00:00Z", "2024-03-02T10:00:30Z", 5, 2),
    ("alpha", "running", "2024-03-03T10:00:00Z", None, 0, 0),
    ("beta", "failed", "2024-03-04T10:00:00Z", "2024-03-04T10:00:05Z", 0, 1),
]


def _job(job_id, source, month, category, pay_type, hourly, skills, dup_of) -> dict:
    row = {c: None for c in dbmod.JOB_COLUMNS}
    title = f"{category} job {job_id}"
    description = f"Plain description of {job_id}."
    url = f"https://{source}.example/jobs/{job_id.split(':')[1]}"
    if job_id == "beta:x1":
        title, description, url = XSS_TITLE, XSS_DESCRIPTION, XSS_URL
    if job_id == "alpha:s4":
        description = "Build a data pipeline for invoices."
    if job_id == "beta:n1":  # cells a spreadsheet would run as formulas, a long text
        title = FORMULA_TITLE
        description = FORMULA_DESCRIPTION + " Überblick & Details. " * 20
    row.update(
        job_id=job_id,
        source=source,
        source_id=job_id.split(":")[1],
        title=title,
        description=description,
        url=url,
        country="US" if source == "alpha" else "DE",
        remote=1,
        month=month,
        category=category,
        pay_type=pay_type,
        posted_at=POSTED.get(job_id, f"{month}-15T12:00:00Z") if month else None,
        hourly_usd_mid=hourly,
        hourly_usd_min=hourly,
        hourly_usd_max=hourly,
        budget_usd=500.0 if pay_type == "fixed" else None,
        has_ai_skill=int(bool(AI_SKILLS & set(skills))),
        dup_of=dup_of,
        fetched_at="2024-03-01T00:00:00Z",
        normalizer_version="test",
        skills=[
            {
                "name": s,
                "is_ai": s in AI_SKILLS,
                "family": "ai" if s in AI_SKILLS else "language",
            }
            for s in skills
        ],
    )
    return row


ARCHIVE_ROWS = 1_000  # crawler.raw_codec.TRAIN_ROWS: the source gets a dictionary


def archive_text(i: int) -> str:
    return json.dumps(
        {
            "id": i,
            "title": f"Rédacteur·rice technique n°{i} — São Paulo / 東京 &amp; remote",
            "description": "Écrire la documentation; <b>pas</b> de Python requis. " * 3,
            "budget": f"{100 + i % 7 * 25} €",
        },
        ensure_ascii=False,
    )


def archive_listing(i: int) -> dbmod.RawRow:
    return dbmod.RawRow(
        "archive", str(i), archive_text(i), "json", fetched_at="2024-03-01T00:00:00Z"
    )


def seed_database(path: Path) -> Path:
    """Build the seeded database at ``path`` (jobs, skills, rollups, runs, raw listings)."""
    from crawler.rollups import refresh_rollups

    conn = dbmod.connect(path)
    run_ids = []
    for spider, status, started, finished, items, errors in RUNS:
        run_id = dbmod.start_run(conn, spider)
        conn.execute(
            "UPDATE crawl_runs SET status=?, started_at=?, finished_at=?, items=?, errors=?"
            " WHERE run_id=?",
            (status, started, finished, items, errors, run_id),
        )
        run_ids.append(run_id)
    dbmod.save_jobs(conn, [_job(*row) for row in SEED])
    raw = [
        dbmod.RawRow(
            source=row[1],
            source_id=row[0].split(":")[1],
            payload=json.dumps(row[0]),
            payload_format="json",
        )
        for row in SEED
    ]
    dbmod.save_raw(conn, [r for r in raw if r.source == "alpha"], run_id=run_ids[0])
    dbmod.save_raw(conn, [r for r in raw if r.source == "beta"], run_id=run_ids[1])
    # An archive of raw listings big enough for a compression dictionary of its own.
    dbmod.save_raw(conn, [archive_listing(i) for i in range(ARCHIVE_ROWS)], run_id=None)
    refresh_rollups(conn)
    conn.close()
    run_report(path)
    return path


def run_report(path: Path) -> dict:
    """`jobtrends report` on ``path`` (stores report_estimates); its report.json."""
    from click.testing import CliRunner

    from crawler.cli import main as cli

    out = path.parent / f"{path.stem}-report"
    result = CliRunner().invoke(
        cli, ["report", "--db", str(path), *REPORT_ARGS, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "estimates in report_estimates" in result.output
    return json.loads((out / "report.json").read_text())


def get_json(base: str, path: str, **params) -> dict:
    query = urllib.parse.urlencode(params)
    url = f"{base}{path}" + (f"?{query}" if query else "")
    with urllib.request.urlopen(url, timeout=HANG_S) as resp:
        return json.loads(resp.read())


def run_query(base: str, name: str, **params) -> list[dict]:
    data = get_json(base, f"/jobs/{name}.json", _shape="objects", **params)
    return data["rows"]


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory) -> Path:
    return seed_database(tmp_path_factory.mktemp("ds") / "jobs.db")


@contextlib.contextmanager
def serving(db: Path, env: dict[str, str] | None = None):
    """`jobtrends serve` on a free loopback port; always stopped afterwards."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, proc, timeout=HANG_S)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(seeded_db):
    with serving(seeded_db) as base:
        yield base


def test_compressed_payloads_show_as_text(server, seeded_db):
    """The archive's payloads are stored compressed; Datasette shows their text."""
    stored = sqlite3.connect(seeded_db).execute(
        "SELECT count(*), count(payload_dict), sum(typeof(payload) = 'blob')"
        " FROM raw_listings WHERE source = 'archive'"
    )
    assert stored.fetchone() == (ARCHIVE_ROWS, ARCHIVE_ROWS, ARCHIVE_ROWS)
    got = get_json(
        server,
        "/jobs/raw_payloads.json",
        source="archive",
        source_id="7",
        _shape="array",
    )
    assert [r["payload"] for r in got] == [archive_text(7)]
    html = urllib.request.urlopen(
        f"{server}/jobs/raw_payloads?source=archive&source_id=7", timeout=HANG_S
    )
    assert "São Paulo / 東京 &amp;amp; remote" in html.read().decode()  # escaped once


def test_volume_change_by_category_defaults(server):
    rows = run_query(server, "volume_change_by_category")
    assert [
        (
            r["category"],
            r["period_a_postings"],
            r["period_b_postings"],
            r["change"],
            r["pct_change"],
        )
        for r in rows
    ] == [
        ("software-development", 2, 6, 4, 200.0),
        ("design", 1, 1, 0, 0.0),
        ("writing", 4, 2, -2, -50.0),
    ]


def test_volume_change_one_source_and_custom_periods(server):
    rows = run_query(server, "volume_change_by_category", source="alpha")
    assert {r["category"]: r["pct_change"] for r in rows} == {
        "software-development": 150.0,
        "writing": -50.0,
    }
    # Period A = June 2023 only: writing 1 -> 2; no base for the others, so no % and last.
    rows = run_query(
        server, "volume_change_by_category", a_start="2023-06-01", a_end="2023-07-01"
    )
    assert [
        (r["category"], r["period_a_postings"], r["period_b_postings"], r["pct_change"])
        for r in rows
    ] == [
        ("writing", 1, 2, 100.0),
        ("design", 0, 1, None),
        ("software-development", 0, 6, None),
    ]


def test_hourly_pay_change_by_category(server, seeded_db):
    """The medians of `jobtrends report` (unique hourly postings of each window)."""
    rows = run_query(server, "hourly_pay_change_by_category")
    # alpha 2022-11 writing 10,20,30,40 -> 25; 2024-02 15,25 -> 20 (the repost's 99 out);
    # software 50,70 -> 60; 60..100 -> 80.
    assert [
        (
            r["category"],
            r["period_a_median_usd_hour"],
            r["period_b_median_usd_hour"],
            r["pct_change"],
            r["period_b_hourly_postings"],
        )
        for r in rows
    ] == [
        ("writing", 25.0, 20.0, -20.0, 2),
        ("software-development", 60.0, 80.0, 33.3, 5),
    ]
    assert (
        run_query(server, "hourly_pay_change_by_category", a="2022-11", b="2024-02")
        == rows
    )
    assert run_query(server, "hourly_pay_change_by_category", a="2021-01") == []


def test_ai_skill_growth(server):
    rows = run_query(server, "ai_skill_growth")
    # Unique postings: 7 in November 2022, 9 in February 2024.
    assert [
        (
            r["skill"],
            r["period_a_postings"],
            r["period_b_postings"],
            r["change"],
            r["period_a_share_pct"],
            r["period_b_share_pct"],
        )
        for r in rows
    ] == [
        ("llm", 1, 4, 3, 14.29, 44.44),
        ("openai-api", 0, 1, 1, 0.0, 11.11),
    ]


def test_category_postings_per_month(server):
    # Default category: the one with most unique postings (software-development, 8).
    rows = run_query(server, "category_postings_per_month")
    assert [
        (
            r["month"],
            r["category"],
            r["postings"],
            r["unique_postings"],
            r["source_median_usd_hour"],
            r["ai_share_pct"],
        )
        for r in rows
    ] == [
        ("2022-11", "software-development", 2, 2, 60.0, 0.0),
        ("2024-02", "software-development", 6, 6, 80.0, 66.7),
    ]
    rows = run_query(server, "category_postings_per_month", category="writing")
    assert [
        (r["month"], r["postings"], r["unique_postings"], r["source_median_usd_hour"])
        for r in rows
    ] == [("2022-11", 4, 4, 25.0), ("2023-06", 1, 1, None), ("2024-02", 3, 2, 20.0)]


def test_postings_with_skill(server):
    rows = run_query(server, "postings_with_skill", skill="python")
    # Newest posted time first, across and within months (see POSTED).
    assert [r["job_id"] for r in rows] == [
        "alpha:s2",
        "beta:x1",
        "alpha:s1",
        "alpha:a1",
    ]
    assert run_query(server, "postings_with_skill", skill="PYTHON") == rows
    assert len(run_query(server, "postings_with_skill", skill="python", limit="2")) == 2


def test_postings_with_skill_common_and_rare(tmp_path):
    """Both ways of the query (the posted-index walk for a skill in 5 % or more of the
    latest month's postings, the newest month's sort for a rarer one) give the
    newest postings with the skill, ties by job_id, as a plain sort does."""
    from crawler.rollups import refresh_rollups

    db = tmp_path / "jobs.db"
    conn = dbmod.connect(db)
    rows = []
    for i in range(120):
        month = "2024-03" if i < 100 else "2024-02"
        skills = ["Python"] if i % 3 == 0 else []
        if i in (5, 7, 101, 102, 103):  # Rust: 2 of 100 in March, 3 in February
            skills.append("Rust")
        row = {c: None for c in dbmod.JOB_COLUMNS}
        row.update(
            job_id=f"s:{i:03d}",
            source="s",
            source_id=str(i),
            title=f"Job {i}",
            category="writing",
            pay_type="hourly",
            month=month,
            # Pairs of postings share a posted time: job_id breaks the tie.
            posted_at=f"{month}-{1 + (i // 2) % 27:02d}T10:00:00Z",
            fetched_at="2024-03-30T00:00:00Z",
            skills=[{"name": name, "is_ai": 0, "family": "code"} for name in skills],
        )
        rows.append(row)
    dbmod.save_jobs(conn, rows)
    refresh_rollups(conn)
    conn.close()

    def truth(skill: str, limit: int) -> list[str]:
        with contextlib.closing(sqlite3.connect(db)) as c:
            return [
                r[0]
                for r in c.execute(
                    "SELECT j.job_id FROM job_skills s JOIN jobs j USING (job_id)"
                    " WHERE s.skill = ? ORDER BY j.posted_at DESC, j.job_id LIMIT ?",
                    (skill, limit),
                )
            ]

    with serving(db) as base:
        for skill, limit in (("python", 50), ("Python", 7), ("rust", 50), ("Rust", 3)):
            got = run_query(base, "postings_with_skill", skill=skill, limit=str(limit))
            want = truth(skill.capitalize(), limit)
            assert [r["job_id"] for r in got] == want, (skill, limit)
            assert len(want) == min(limit, 40 if skill.lower() == "python" else 5)
        # A name stored under two skill ids (a taxonomy change of its family): both.
        with contextlib.closing(dbmod.connect(db)) as c, c:
            c.execute(
                "INSERT INTO job_skills (job_id, skill, is_ai, family, month)"
                " VALUES ('s:010', 'Rust', 0, 'systems', '2024-03')"
            )
        got = run_query(base, "postings_with_skill", skill="rust")
        assert [r["job_id"] for r in got] == truth("Rust", 50)
        assert "s:010" in [r["job_id"] for r in got]


def _form_values(html: str) -> dict[str, str]:
    """The canned-query form's text fields: name -> value."""
    import re

    return {
        name: value
        for name, value in re.findall(
            r'<input type="text" id="qp\d+" name="([^"]+)" value="([^"]*)"', html
        )
    }


# Each canned query's form as it first opens: the defaults of metadata.yml, the
# computed ones worked out from SEED (llm is named by 5 unique postings, python by 4;
# software-development has 8 unique postings, writing 7; months 2022-11..2024-02).
FORM_DEFAULTS = {
    "volume_change_by_category": {
        "a_start": "2022-11-01",
        "a_end": "2022-12-01",
        "b_start": "2024-02-01",
        "b_end": "2024-03-01",
        "source": "all",
    },
    "hourly_pay_change_by_category": {"a": "2022-11", "b": "2024-02", "source": "all"},
    "pay_left_out": {"start": "2022-11-01", "end": "2024-03-01", "source": "all"},
    "ai_skill_growth": {
        "a_start": "2022-11-01",
        "a_end": "2022-12-01",
        "b_start": "2024-02-01",
        "b_end": "2024-03-01",
        "source": "all",
    },
    "category_postings_per_month": {
        "category": "software-development",
        "source": "all",
    },
    "postings_with_skill": {"skill": "llm", "limit": "50"},
    "postings_mentioning": {"phrase": "python", "limit": "50"},
    "latest_crawl_runs": {"spider": "all", "limit": "20"},
    "raw_payloads": {"source": "all", "source_id": "", "limit": "50"},
}


def test_every_canned_query_form_shows_its_defaults(server):
    from analysis.serve import load_metadata

    queries = load_metadata()["databases"]["jobs"]["queries"]
    assert set(queries) == set(FORM_DEFAULTS)
    for name, expected in FORM_DEFAULTS.items():
        html = urllib.request.urlopen(f"{server}/jobs/{name}", timeout=HANG_S).read()
        assert _form_values(html.decode()) == expected, name
        # The rows are the defaults' rows, whether a parameter is left out, left
        # empty or given.
        given = run_query(server, name, **expected)
        assert run_query(server, name) == given, name
        assert run_query(server, name, **dict.fromkeys(expected, "")) == given, name
    # A value given in the URL is kept, the others still get their default.
    html = urllib.request.urlopen(
        f"{server}/jobs/postings_with_skill?skill=python", timeout=HANG_S
    ).read()
    assert _form_values(html.decode()) == {"skill": "python", "limit": "50"}


def test_postings_mentioning_phrase(server):
    rows = run_query(server, "postings_mentioning", phrase="data pipeline")
    assert [r["job_id"] for r in rows] == ["alpha:s4"]
    # A quote in the phrase is escaped, not an FTS syntax error.
    assert run_query(server, "postings_mentioning", phrase='data" OR "plain') == []


def test_latest_crawl_runs_health(server):
    rows = run_query(server, "latest_crawl_runs")
    assert [(r["run_id"], r["spider"], r["health"]) for r in rows] == [
        (4, "beta", "failed"),
        (3, "alpha", "running"),
        (2, "beta", "errors"),
        (1, "alpha", "ok"),
    ]
    assert rows[3]["duration_s"] == 120
    assert [
        r["run_id"] for r in run_query(server, "latest_crawl_runs", spider="beta")
    ] == [4, 2]


@pytest.mark.parametrize(
    "query, params",
    [
        ("volume_change_by_category", {"source": "alpha' OR '1'='1"}),
        ("volume_change_by_category", {"source": "x') OR 1=1 --"}),
        ("category_postings_per_month", {"category": "writing' OR 1=1 --"}),
        ("postings_with_skill", {"skill": "python' OR '1'='1"}),
        ("latest_crawl_runs", {"spider": "' OR 1=1 --"}),
    ],
)
def test_injection_through_parameters_returns_nothing(server, query, params):
    assert run_query(server, query, **params) == []


def test_full_text_search_on_table(server):
    data = get_json(server, "/jobs/jobs.json", _search="pipeline", _shape="objects")
    assert [r["job_id"] for r in data["rows"]] == ["alpha:s4"]


def test_table_page_default_facets_and_sort(server):
    data = get_json(server, "/jobs/jobs.json", _extra="facet_results,suggested_facets")
    facets = data["facet_results"]
    assert set(facets) >= {"source", "category", "pay_type", "country", "remote"}
    counts = {f["value"]: f["count"] for f in facets["source"]["results"]}
    assert counts == {"alpha": 15, "beta": 4}
    assert {f["value"]: f["count"] for f in facets["pay_type"]["results"]}[
        "hourly"
    ] == 14
    assert data["suggested_facets"] == []  # suggestions are off
    rows = get_json(server, "/jobs/jobs.json", _shape="objects")["rows"]
    # Newest first by `posted` (posted_at, '' when unknown: the undated posting last).
    assert [r["posted"] for r in rows] == sorted(
        (r["posted"] for r in rows), reverse=True
    )
    assert rows[-1]["job_id"] == "beta:n1" and rows[-1]["posted"] == ""
    assert all(r["posted"] == (r["posted_at"] or "") for r in rows)


def test_paging_reaches_every_row_once(server, seeded_db):
    """Page 2...N (the plugin adds a range on posted) give every row once, in order."""
    conn = dbmod.connect(seeded_db)
    expected = [
        r[0]
        for r in conn.execute("SELECT job_id FROM jobs ORDER BY posted DESC, job_id")
    ]
    alpha = [
        r[0]
        for r in conn.execute(
            "SELECT job_id FROM jobs WHERE source = 'alpha' ORDER BY posted DESC, job_id"
        )
    ]
    conn.close()
    for params, want in (({}, expected), ({"source": "alpha"}, alpha)):
        seen, pages, nxt = [], 0, None
        while True:
            args = {
                "_size": 2,
                "_shape": "objects",
                **params,
                **({"_next": nxt} if nxt else {}),
            }
            data = get_json(server, "/jobs/jobs.json", **args)
            seen += [r["job_id"] for r in data["rows"]]
            assert data["filtered_table_rows_count"] == len(want)  # not the rows left
            pages += 1
            nxt = data["next"]
            if not nxt:
                break
        assert seen == want and pages == -(-len(want) // 2), params


def test_csv_stream_has_every_row_and_no_formulas(server, seeded_db):
    """?_stream=on pages through all rows; no cell can start a spreadsheet formula."""
    import csv
    import io

    url = f"{server}/jobs/jobs.csv?_stream=on&_size=3&_dl=1"
    with urllib.request.urlopen(url, timeout=HANG_S) as resp:
        assert resp.headers["content-type"].startswith("text/csv")
        text = resp.read().decode("utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    header, rows = (
        records[0],
        [dict(zip(records[0], r, strict=False)) for r in records[1:]],
    )
    assert "job_id" in header and len(rows) == len(SEED)
    assert {r["job_id"] for r in rows} == {row[0] for row in SEED}
    formula = next(r for r in rows if r["job_id"] == "beta:n1")
    assert formula["title"] == "'" + FORMULA_TITLE  # the quotes and comma survive
    assert formula["description"].startswith("'" + FORMULA_DESCRIPTION + " Überblick")
    for row in rows:
        for value in row.values():
            assert (
                not value.startswith(("=", "+", "@", "-"))
                or value.lstrip("-").replace(".", "").isdigit()
            ), value
    # Numbers stay numbers; the same CSV without streaming is neutralized too.
    assert (
        next(r for r in rows if r["job_id"] == "alpha:w1")["hourly_usd_mid"] == "10.0"
    )
    with urllib.request.urlopen(
        f"{server}/jobs/jobs.csv?job_id=beta:n1", timeout=HANG_S
    ) as resp:
        assert "'=HYPERLINK" in resp.read().decode()


def _stream_ids(seeded_db) -> list[str]:
    conn = dbmod.connect(seeded_db)
    ids = [
        r[0]
        for r in conn.execute("SELECT job_id FROM jobs ORDER BY posted DESC, job_id")
    ]
    conn.close()
    return ids


def _csv_job_ids(text: str) -> list[str]:
    import csv
    import io

    records = list(csv.reader(io.StringIO(text, newline="")))
    at = records[0].index("job_id")
    return [r[at] for r in records[1:]]


def test_csv_stream_retries_an_interrupted_page(seeded_db):
    """A page query SQLite interrupts (time limit) mid-stream is read again: the
    stream has every row once, in order.  Before the retries Datasette wrote
    "interrupted" into the body and ended it, HTTP 200, after the first page."""
    want = _stream_ids(seeded_db)
    # Page 1 is attempt 1; page 2's first three attempts are interrupted.
    with serving(seeded_db, {export.FAULT_ENV: "2:3"}) as base:
        url = f"{base}/jobs/jobs.csv?_stream=on&_size=3"
        with urllib.request.urlopen(url, timeout=HANG_S) as resp:
            assert resp.status == 200
            text = resp.read().decode("utf-8")
    assert export.INCOMPLETE_MARKER not in text
    assert _csv_job_ids(text) == want and len(want) > 6


def test_csv_stream_that_cannot_go_on_fails_visibly(seeded_db):
    """A page that stays interrupted after every retry: the body ends with the marker
    line and the transfer is left unfinished, so the client sees an error."""
    import http.client

    want = _stream_ids(seeded_db)
    retries = export.EXPORT_RETRIES
    with serving(seeded_db, {export.FAULT_ENV: f"3:{retries + 1}"}) as base:
        url = f"{base}/jobs/jobs.csv?_stream=on&_size=3"
        with urllib.request.urlopen(url, timeout=HANG_S) as resp:
            assert resp.status == 200  # sent with the first page
            with pytest.raises(http.client.IncompleteRead) as cut:
                resp.read()
        # The server goes on serving: a plain CSV of one page still works.
        with urllib.request.urlopen(
            f"{base}/jobs/jobs.csv?_size=3", timeout=HANG_S
        ) as r:
            assert _csv_job_ids(r.read().decode()) == want[:3]
    text = cut.value.partial.decode("utf-8")
    body, last = text.rstrip("\r\n").rsplit("\r\n", 1)
    assert last.startswith(export.INCOMPLETE_MARKER + ": a page query was interrupted")
    assert "interrupted" not in body  # Datasette's error text is not in the rows
    assert _csv_job_ids(body + "\r\n") == want[:6]  # pages 1 and 2, whole


@pytest.mark.parametrize(
    "sql",
    [
        "select randomblob(1000000000)",
        "select zeroblob(1000000000)",
        "select length(replace(hex(zeroblob(100000)), '0', hex(zeroblob(100000))))",
        "select printf('%.*c', 1000000000, 'x')",
        "select format('%1000000000d', 1)",
    ],
)
def test_sqlite_limits_refuse_string_and_blob_bombs(server, sql):
    """A gigabyte made in one step is refused by SQLITE_LIMIT_LENGTH / the printf guard."""
    with pytest.raises(urllib.error.HTTPError) as err:
        get_json(server, "/jobs.json", sql=sql)
    assert err.value.code == 400
    error = json.loads(err.value.read())["error"]
    # (the printf guard is a Python function: SQLite reports that it refused)
    assert "too big" in error or "user-defined function raised exception" in error, (
        error
    )
    # Ordinary printf still works (the pay chart's labels use it).
    assert get_json(
        server, "/jobs.json", sql="select printf('%.0f', 12.6) as x", _shape="array"
    ) == [{"x": "13"}]


def test_table_page_is_readable(server):
    html = urllib.request.urlopen(f"{server}/jobs/jobs", timeout=HANG_S).read().decode()
    header = html[html.index("<thead>") : html.index("</thead>")]
    order = [
        header.index(f'data-column="{c}"')
        for c in (
            "job_id",
            "posted",
            "title",
            "category",
            "hourly_usd_mid",
            "skills",
            "source",
            "description",
        )
    ]
    assert order == sorted(order)  # the link column, then the columns people read
    body = html[html.index("<tbody>") :]
    assert (
        "Überblick &amp; Details." in body and "\u2026" in body
    )  # long cells cut short
    assert body.count("Überblick") < 10
    assert (
        'class="column-descriptions"' in html
    )  # folded by a script (see tests/browser)
    plugins = get_json(server, "/-/plugins.json")
    assert not [p["name"] for p in plugins if "render_cell" in p["hooks"]]


def test_report_estimates_on_the_dashboard(server, seeded_db):
    """The study dashboard's charts show `jobtrends report`'s numbers (report.json)."""
    report = json.loads((seeded_db.parent / "jobs-report" / "report.json").read_text())
    charts = _charts("ai-freelance")

    def chart_rows(slug, **params):
        return get_json(
            server, "/jobs.json", sql=charts[slug]["query"], _shape="objects", **params
        )["rows"]

    volume = {r["category"]: r for r in chart_rows("volume-change")}
    want = {
        r["category"]: r
        for r in report["volume"]
        if not r["suppressed"] and r["category"] != "other"
    }
    assert set(volume) == set(want) == {"writing", "software-development", "design"}
    for category, r in want.items():
        got = volume[category]
        assert (got["n_a"], got["n_b"]) == (r["n_a"], r["n_b"])
        assert [got["change_pct"], got["lo_pct"], got["hi_pct"]] == [
            round(r["pct"], 1),
            round(r["pct_lo"], 1),
            round(r["pct_hi"], 1),
        ]
    pay = {r["category"]: r for r in chart_rows("pay-change")}
    assert {
        c: (p["median_a"], p["median_b"], p["change_pct"]) for c, p in pay.items()
    } == {
        r["category"]: (r["median_a"], r["median_b"], round(r["pct"], 1))
        for r in report["pay"]
        if not r["suppressed"]
    }
    assert pay["software-development"]["label"].startswith(
        "software-development ($60 → $80"
    )
    skills = chart_rows("ai-skills")
    shares = {(r["skill"], r["period"][:1]): r["share_pct"] for r in skills}
    for r in report["ai_skills"]:
        assert shares[(r["skill"], "A")] == round(r["share_a_pct"], 2)
        assert shares[(r["skill"], "B")] == round(r["share_b_pct"], 2)
    assert chart_rows("compared") == [{"compared": "2022-11 vs 2024-02"}]
    # A period pair no report computed shows nothing rather than other numbers.
    nothing = (
        "nothing to show: no report for these periods and source (run jobtrends"
        " report), or every row under its --min-count"
    )
    assert [r["label"] for r in chart_rows("volume-change", a="2021-01")] == [nothing]


def test_monthly_chart_shows_gaps_as_gaps(server):
    """Months without any posting are NULL (the line breaks); a quiet category is 0."""
    rows = get_json(
        server,
        "/jobs.json",
        sql=_charts("ai-freelance")["monthly"]["query"],
        _shape="objects",
    )["rows"]
    months = sorted({r["month"] for r in rows})
    assert months[0] == "2022-11" and months[-1] == "2024-02" and len(months) == 16
    grid = {(r["month"], r["category"]): r["postings"] for r in rows}
    assert grid[("2022-12", "writing")] is None  # no posting at all that month
    assert grid[("2023-06", "writing")] == 1 and grid[("2023-06", "design")] == 0
    assert grid[("2024-02", "software-development")] == 6


def _charts(slug: str) -> dict:
    from analysis.serve import build_metadata

    meta = build_metadata("jobs", public=False, allow_sql=False)
    return meta["plugins"]["datasette-dashboards"][slug]["charts"]


def test_hidden_tables_and_descriptions(server):
    data = get_json(server, "/jobs.json")
    tables = {t["name"]: t for t in data["tables"]}
    assert tables["meta"]["hidden"] and tables["jobs_fts"]["hidden"]
    for internal in ("schedule_state", "run_checks", "sqlite_sequence"):
        assert tables[internal]["hidden"], internal
    assert not tables["jobs"]["hidden"] and not tables["report_estimates"]["hidden"]
    html = urllib.request.urlopen(f"{server}/jobs/jobs", timeout=HANG_S).read().decode()
    assert "Midpoint hourly pay in USD" in html  # column description from metadata


def test_dashboard_chart_sql_runs(server):
    """Every chart's SQL runs with no filter and with one (not only in a browser)."""
    from datasette_dashboards import replace_opts_in_query

    from analysis.serve import load_metadata

    dashboards = load_metadata()["plugins"]["datasette-dashboards"]
    for dashboard in dashboards.values():
        for slug, chart in dashboard["charts"].items():
            for options in ({}, {"source": "alpha", "spider": "alpha"}):
                options = {
                    k: v for k, v in options.items() if k in dashboard["filters"]
                }
                sql = replace_opts_in_query(chart["query"], options)
                data = get_json(
                    server, "/jobs.json", sql=sql, _shape="objects", **options
                )
                assert data["rows"] or options, slug
    page = (
        urllib.request.urlopen(
            f"{server}/-/dashboards/ai-freelance?source=alpha", timeout=HANG_S
        )
        .read()
        .decode()
    )
    assert "AI and freelance work" in page


def test_database_stays_unmodified_while_served(server, seeded_db):
    """Datasette opens the file read-only: a writer can still commit meanwhile."""
    conn = dbmod.connect(seeded_db)
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('served_test', '1')"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value"
    )
    conn.close()
    rows = get_json(
        server,
        "/jobs.json",
        sql="select value from meta where key = 'served_test'",
        _shape="array",
    )
    assert rows == [{"value": "1"}]


def _serve(db: Path, *args, env=None):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "serve",
            "--db",
            str(db),
            "--port",
            "0",
            *args,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_public_without_password_refuses(seeded_db):
    env = {k: v for k, v in os.environ.items() if k != "JOBTRENDS_PASSWORD_HASH"}
    result = _serve(seeded_db, "--public", env=env)
    assert result.returncode == 2
    assert "--public needs a password" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_database_is_a_usage_error(tmp_path):
    result = _serve(tmp_path / "nope.db")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "nope.db").exists()


def test_public_mode_requires_sign_in_and_blocks_sql(seeded_db, tmp_path):
    from datasette_auth_passwords.utils import hash_password

    from analysis.serve import start_background

    os.environ["JOBTRENDS_PASSWORD_HASH"] = hash_password("s3cret")
    port = free_port()
    try:
        proc = start_background(
            seeded_db, port=port, public=True, host="127.0.0.1", metadata_dir=tmp_path
        )
    finally:
        del os.environ["JOBTRENDS_PASSWORD_HASH"]
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(_NoRedirect)
    chart = _charts("ai-freelance")["volume-change"]["query"]
    chart_path = "/jobs.json?" + urllib.parse.urlencode(
        {"sql": chart, "_shape": "objects"}
    )
    try:
        # Anonymous: every page, a chart's data included, sends you to the login page.
        for path in ("/jobs/jobs.json", "/", "/-/dashboards/ai-freelance", chart_path):
            with pytest.raises(urllib.error.HTTPError) as err:
                opener.open(f"{base}{path}", timeout=HANG_S)
            assert (
                err.value.code == 302 and err.value.headers["location"] == "/-/login"
            ), path
        # Sign in, then tables, canned queries and dashboards work; arbitrary SQL does not.
        status, actor_cookie = _sign_in(base, "s3cret")
        assert status == 302 and actor_cookie.startswith("ds_actor=")

        def fetch(path):
            r = urllib.request.Request(
                f"{base}{path}", headers={"Cookie": actor_cookie}
            )
            return urllib.request.urlopen(r, timeout=HANG_S)

        assert fetch("/jobs/jobs.json").status == 200
        assert fetch("/jobs/latest_crawl_runs.json").status == 200
        assert fetch("/-/dashboards/ai-freelance").status == 200
        rows = json.loads(fetch(chart_path).read())["rows"]
        assert {r["category"] for r in rows} == {
            "writing",
            "software-development",
            "design",
        }
        for sql in ("select 1", chart + " union select 1,2,3,4,5,6,7,8"):
            with pytest.raises(urllib.error.HTTPError) as denied:
                fetch("/jobs.json?" + urllib.parse.urlencode({"sql": sql}))
            assert denied.value.code == 403, sql
        # Failed sign-ins are throttled: after 5, even the right password waits.
        for _ in range(5):
            assert _sign_in(base, "wrong")[0] == 200
        assert _sign_in(base, "s3cret")[0] == 429
        assert fetch("/jobs/jobs.json").status == 200  # signed-in users carry on
    finally:
        proc.terminate()
        proc.wait(10)


def _sign_in(base: str, password: str) -> tuple[int, str]:
    """POST the login form as admin: (HTTP status, the ds_actor cookie or '')."""
    opener = urllib.request.build_opener(_NoRedirect)
    login_page = urllib.request.urlopen(f"{base}/-/login", timeout=HANG_S)
    csrf_cookie = login_page.headers["set-cookie"].split(";")[0]
    token = csrf_cookie.split("=", 1)[1]
    body = urllib.parse.urlencode(
        {"username": "admin", "password": password, "csrftoken": token}
    ).encode()
    req = urllib.request.Request(
        f"{base}/-/login", data=body, headers={"Cookie": csrf_cookie}
    )
    try:
        with opener.open(req, timeout=HANG_S) as resp:
            return resp.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, (exc.headers["set-cookie"] or "").split(";")[0]


def test_serve_removes_its_temp_folder(seeded_db, tmp_path, monkeypatch):
    """The generated metadata lives in a temp folder the Datasette process removes."""
    import tempfile

    from analysis.serve import TEMP_PREFIX, start_background

    # A private temp directory (this process and the server's), so another `serve`
    # running at the same time (a parallel test run) cannot add folders to the count.
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))

    def folders():
        return {p for p in temp.glob(f"{TEMP_PREFIX}*")}

    before = folders()
    proc = start_background(seeded_db, port=free_port())
    try:
        made = folders() - before
        assert len(made) == 1 and any(next(iter(made)).glob("metadata-*.json"))
    finally:
        proc.terminate()
        proc.wait(10)
    assert not (made & folders())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_datasette_args_read_only_and_limits(seeded_db, tmp_path):
    from analysis.serve import datasette_args

    args = datasette_args(seeded_db, port=8123, metadata_dir=tmp_path)
    assert args[:2] == ["serve", str(seeded_db)]
    # Mutable (mode=ro) opening: neither immutable nor lock-free while crawls write.
    assert "-i" not in args and "--immutable" not in args and "--nolock" not in args
    settings = {
        args[i + 1]: args[i + 2] for i, a in enumerate(args) if a == "--setting"
    }
    assert settings["suggest_facets"] == "off"
    assert settings["sql_time_limit_ms"] == "1000"
    assert "default_allow_sql" not in settings
    assert args[args.index("--host") + 1] == "127.0.0.1"


def test_datasette_args_public(seeded_db, tmp_path, monkeypatch):
    from analysis.serve import ServeError, datasette_args

    monkeypatch.delenv("JOBTRENDS_PASSWORD_HASH", raising=False)
    with pytest.raises(ServeError, match="JOBTRENDS_PASSWORD_HASH"):
        datasette_args(seeded_db, public=True, metadata_dir=tmp_path)
    monkeypatch.setenv("JOBTRENDS_PASSWORD_HASH", "pbkdf2_sha256$1$x$y")
    args = datasette_args(seeded_db, public=True, metadata_dir=tmp_path)
    settings = {
        args[i + 1]: args[i + 2] for i, a in enumerate(args) if a == "--setting"
    }
    assert settings["default_allow_sql"] == "off"
    assert args[args.index("--host") + 1] == "0.0.0.0"
    meta = json.loads(Path(args[args.index("--metadata") + 1]).read_text())
    assert meta["allow"] == {"id": "*"} and "allow_sql" not in meta
    args = datasette_args(seeded_db, public=True, allow_sql=True, metadata_dir=tmp_path)
    assert "default_allow_sql" not in args
    assert json.loads(Path(args[args.index("--metadata") + 1]).read_text())[
        "allow_sql"
    ] == {"id": "*"}


def test_metadata_follows_the_database_name():
    from analysis.serve import build_metadata

    meta = build_metadata("crawl-2024", public=False, allow_sql=False)
    assert list(meta["databases"]) == ["crawl-2024"]
    for dashboard in meta["plugins"]["datasette-dashboards"].values():
        for item in [*dashboard["charts"].values(), *dashboard["filters"].values()]:
            assert item.get("db") in (None, "crawl-2024")


def test_every_public_column_is_described(seeded_db):
    """Each column of the public tables has a description with its unit in parentheses."""
    from analysis.serve import load_metadata

    tables = load_metadata()["databases"]["jobs"]["tables"]
    conn = dbmod.connect(seeded_db)
    try:
        for table in (
            "jobs",
            "job_skills",
            "category_month",
            "skill_month",
            "crawl_runs",
            "raw_listings",
            "skipped_listings",
            "normalize_issues",
            "report_estimates",
        ):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_xinfo({table})")]
            described = tables[table]["columns"]
            assert set(columns) == set(described), table
            assert all(text.rstrip().endswith(")") for text in described.values()), (
                table
            )
    finally:
        conn.close()


def test_coverage_chart_figures(server):
    """Run 1 last saw alpha's 15 listings, run 2 beta's 4 (see SEED)."""
    from datasette_dashboards import replace_opts_in_query

    from analysis.serve import load_metadata

    chart = load_metadata()["plugins"]["datasette-dashboards"]["crawl-health"][
        "charts"
    ]["coverage"]
    rows = get_json(
        server,
        "/jobs.json",
        sql=replace_opts_in_query(chart["query"], {}),
        _shape="objects",
    )["rows"]
    assert {(r["run_id"], r["field"]): (r["coverage_pct"], r["n"]) for r in rows} == {
        (1, "category"): (100.0, 15),
        (1, "pay_type"): (93.3, 15),
        (1, "posted_at"): (100.0, 15),
        (2, "category"): (75.0, 4),
        (2, "pay_type"): (25.0, 4),
        (2, "posted_at"): (75.0, 4),
    }


def _plan(conn, sql: str, params=()) -> str:
    return " | ".join(
        row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)
    )


def test_table_page_counts_and_sort_use_indexes(seeded_db, tmp_path):
    """The SQL Datasette runs for /jobs/jobs and its facet filters reads indexes.

    At 5 M postings a count by table scan takes ~20 s and a sort of one category's
    postings ~2 s, both cut off at the 1 s limit; from an index they take ms to 0.3 s.
    The plan (not the timing) is what this test checks.
    """
    import shutil
    import sqlite3

    copy = tmp_path / "plans.db"  # ANALYZE writes, so plan on a copy of the seed
    shutil.copy(seeded_db, copy)
    conn = sqlite3.connect(copy)
    conn.execute("ANALYZE")
    # The unfiltered row count reads the smallest covering index.
    assert "COVERING INDEX" in _plan(conn, "select count(*) from jobs")
    # Newest first walks the (posted, job_id) index backwards, stopping at the page size.
    plan = _plan(conn, "select * from jobs order by posted desc, job_id limit 51")
    assert "jobs_posted_key" in plan and "TEMP B-TREE" not in plan, plan
    # Page N: Datasette's next-page SQL, with the plugin's range, seeks to the page.
    from analysis.datasette.pages import page_key_rewriter

    page_n = page_key_rewriter("jobs", "posted", "job_id")(
        "select job_id, title, [posted] from jobs where (posted < :p0 or posted is null"
        " or (posted = :p0 and job_id > :p1)) order by posted desc, job_id limit 51"
    )
    plan = _plan(conn, page_n, {"p0": "2024-01-01", "p1": "x"})
    assert "INDEX jobs_posted_key (posted<?)" in plan, plan
    # Keys first: the page's rows are read by rowid once the page's keys are known.
    assert page_n.startswith(
        "select job_id, title, [posted] from jobs not indexed where rowid in (select"
    )
    # Clicking a facet value filters on one column: the count is an index seek, and the
    # newest-first page walks that column's (column, posted) index without sorting.
    for column in _default_facets():
        plan = _plan(
            conn, f"select count(*) from jobs where [{column}] = :p0", {"p0": "x"}
        )
        assert plan.startswith("SEARCH") and "COVERING INDEX" in plan, (column, plan)
        if column == "source":
            continue  # every source is common: walking jobs_posted_key finds 50 at once
        plan = _plan(
            conn,
            f"select * from jobs where [{column}] = :p0 order by posted desc limit 51",
            {"p0": "x"},
        )
        assert f"jobs_{column}_posted_key" in plan and "TEMP B-TREE" not in plan, (
            column,
            plan,
        )
    # With the statistics of a large table (here: none, SQLite's default guess is
    # a million rows; with this seed's 12 it scans), the 51 rows are rowid lookups.
    conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'jobs'")
    conn.commit()
    conn.close()
    conn = sqlite3.connect(copy)
    plan = _plan(conn, page_n, {"p0": "2024-01-01", "p1": "x"})
    assert plan.startswith("SEARCH jobs USING INTEGER PRIMARY KEY (rowid=?)"), plan
    assert "INDEX jobs_posted_key (posted<?)" in plan, plan
    conn.close()


def _default_facets() -> list[str]:
    """The default facets of the jobs table in the packaged metadata."""
    from analysis.serve import load_metadata

    return load_metadata()["databases"]["jobs"]["tables"]["jobs"]["facets"]


def test_abandoned_csv_stream_is_cancelled():
    """A CSV app that would stream forever stops when its client disconnects."""
    import asyncio

    from analysis.datasette.guard import until_disconnect

    async def scenario():
        sent, stopped = [], asyncio.Event()
        client_gone = asyncio.Event()

        async def endless_csv(scope, receive, send):
            assert (await receive())["type"] == "http.request"
            await send({"type": "http.response.start", "status": 200, "headers": []})
            try:
                while True:
                    await send(
                        {
                            "type": "http.response.body",
                            "body": b"a,b\r\n",
                            "more_body": True,
                        }
                    )
            finally:
                stopped.set()

        messages = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive():
            if messages:
                return messages.pop(0)
            await client_gone.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            if len(sent) == 3:  # the client reads two chunks, then goes away
                client_gone.set()
            assert len(sent) < 100, "still streaming to a client that left"
            await asyncio.sleep(0)

        await until_disconnect(endless_csv, {"type": "http"}, receive, send)
        return stopped.is_set(), len(sent)

    stopped, sent = asyncio.run(scenario())
    assert stopped and sent < 100


def test_csv_rows_go_out_in_chunks_with_formulas_neutralized():
    """Datasette's one message per row leaves as the header, then CSV_CHUNK pieces;
    a formula cell split across messages and chunks is still neutralized."""
    import asyncio

    from analysis.datasette import guard

    rows = [b"job_id,title\r\n"] + [
        b"alpha:%d,\"=cmd|' /C calc'!A0 \xc3\xbc, row %d\"\r\n" % (k, k)
        for k in range(20_000)
    ]
    sent = []

    async def scenario():
        send = guard.neutralizing_send(_collect(sent))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/csv; charset=utf-8")],
            }
        )
        for row in rows:
            await send({"type": "http.response.body", "body": row, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    asyncio.run(scenario())
    bodies = [m["body"] for m in sent[1:]]
    assert bodies[0] == rows[0]  # the header row at once
    assert all(len(b) >= guard.CSV_CHUNK for b in bodies[1:-1])
    assert len(bodies) < len(rows) // 100
    assert sent[-1]["more_body"] is False
    expected = rows[0] + b"".join(r.replace(b',"=', b",\"'=") for r in rows[1:])
    assert b"".join(bodies) == expected


def _collect(sent: list):
    async def send(message):
        sent.append(message)

    return send


def test_filtered_row_counts_come_from_stored_counts_while_current(tmp_path):
    """``?remote=1``'s row count is sum(n) over the stored counts while no posting was
    stored since the refresh, Datasette's count(*) after one was.  Any column filter
    on the counted columns (``?month__gte=``, ``?category__in=``) is answered so, from
    jobs_facet_combos (counts summed over months) when it names no month."""
    from analysis.serve import start_background

    db = seed_database(tmp_path / "jobs.db")
    conn = dbmod.connect(db)
    month_rows, in_not = conn.execute(
        "SELECT sum(month >= '2024-01' AND remote = 1),"
        " sum(category IN ('writing', 'design') AND country != 'US') FROM jobs"
    ).fetchone()
    with dbmod.transaction(conn):  # marks stored answers: x10 by month, x100 summed
        conn.execute("UPDATE jobs_facet_counts SET n = n * 10")
        conn.execute("UPDATE jobs_facet_combos SET n = n * 100")
    conn.close()
    filters = (
        {"remote": "1"},
        {"country": "US", "pay_type": "hourly"},
        {"category": "writing"},
        {"country": "ZZ"},
        {"category__in": "writing,design", "country__not": "US"},
    )
    # Counted by hand from SEED: alpha is US, beta DE; all remote.
    truth = [len(SEED), 14, 8, 0, in_not]
    assert in_not > 0
    port = free_port()
    proc = start_background(db, port=port)
    base = f"http://127.0.0.1:{port}/jobs/jobs.json"
    try:

        def counts():
            return [
                get_json(base, "", _nofacet="1", _extra="count", **f)[
                    "filtered_table_rows_count"
                ]
                for f in filters
            ]

        assert counts() == [100 * n for n in truth]
        by_month = get_json(
            base, "", _nofacet="1", _extra="count", month__gte="2024-01", remote="1"
        )
        assert by_month["filtered_table_rows_count"] == 10 * month_rows > 0
        conn = dbmod.connect(db)
        dbmod.save_jobs(
            conn,
            [
                _job(
                    "beta:z1",
                    "beta",
                    "2024-02",
                    "design",
                    "unknown",
                    None,
                    [],
                    None,
                )
            ],
        )
        conn.close()
        assert counts() == [truth[0] + 1, *truth[1:3], 0, in_not + 1]
        # Other filters are counted over the rows.
        assert (
            get_json(base, "", _nofacet="1", _extra="count", month="2022-11")[
                "filtered_table_rows_count"
            ]
            == 7
        )
    finally:
        proc.terminate()
        proc.wait(10)


def test_csv_stream_stopped_by_any_error_ends_with_the_marker():
    """Whatever error stops Datasette's stream (it sends the error text alone, then
    ends the body), the rows sent stay whole and the marker line replaces the text."""
    import asyncio

    from analysis.datasette import guard

    stream = export.StreamState()
    sent = []
    rows = [b"job_id,title\r\n", b'alpha:1,"=1+1\nstill title"\r\n', b"alpha:2,x\r\n"]

    async def scenario():
        send = guard.neutralizing_send(_collect(sent), stream)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/csv; charset=utf-8")],
            }
        )
        for body in [*rows, b"database disk image is malformed"]:
            await send({"type": "http.response.body", "body": body, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    asyncio.run(scenario())
    body = b"".join(m.get("body", b"") for m in sent[1:])
    assert body == (
        b'job_id,title\r\nalpha:1,"\'=1+1\nstill title"\r\nalpha:2,x\r\n'
        + export.INCOMPLETE_MARKER.encode()
        + b": the export stopped: database disk image is malformed\r\n"
    )
    assert sent[-1]["more_body"] is True  # the body is not ended: the server aborts
    assert stream.failed


def test_csv_stream_whose_first_page_fails_is_an_error_response(seeded_db):
    """Before any row is sent the failure is an ordinary HTTP error, not a CSV."""
    attempts = export.EXPORT_RETRIES + 1
    with serving(seeded_db, {export.FAULT_ENV: f"1:{attempts}"}) as base:
        url = f"{base}/jobs/jobs.csv?_stream=on&_size=3"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=HANG_S)
        # Only streams count attempts: the CSV of one page is served.
        with urllib.request.urlopen(
            f"{base}/jobs/jobs.csv?_size=3", timeout=HANG_S
        ) as r:
            text = r.read().decode("utf-8")
    assert refused.value.code >= 400
    assert _csv_job_ids(text) == _stream_ids(seeded_db)[:3]
