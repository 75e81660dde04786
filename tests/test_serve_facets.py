"""`jobtrends serve`'s plugin over HTTP: stored facet counts and the capped search.

The facets Datasette shows for the jobs table must equal a GROUP BY over the postings
themselves, follow a new crawl once it has refreshed the rollups, and say so when they
are older than the postings (a crawl still storing).
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from analysis.serve import (
    build_metadata,
    datasette_args,
    free_port,
    start_background,
    wait_until_ready,
    write_metadata,
)
from crawler import db as dbmod
from crawler.rollups import FACET_COLUMNS, refresh_rollups

FACETS = list(FACET_COLUMNS)  # source, category, pay_type, country, remote


def get_json(base: str, path: str, **params) -> dict:
    query = (
        ("&" if "?" in path else "?") + urllib.parse.urlencode(params) if params else ""
    )
    with urllib.request.urlopen(base + path + query, timeout=30) as resp:
        return json.loads(resp.read())


def truth(db: Path, column: str, where: str = "1", params=()) -> dict:
    """{value: count} of the jobs rows matching ``where``, straight from SQLite."""
    conn = sqlite3.connect(db)
    try:
        return dict(
            conn.execute(
                f"SELECT [{column}], count(*) FROM jobs WHERE {where} AND [{column}] IS NOT NULL"
                f" GROUP BY [{column}]",
                params,
            ).fetchall()
        )
    finally:
        conn.close()


def shown(data: dict) -> dict:
    """{facet: ({value: count}, type)} as Datasette's JSON gives them."""
    return {
        name: ({r["value"]: r["count"] for r in facet["results"]}, facet["type"])
        for name, facet in data["facet_results"].items()
    }


def assert_facets_match(
    base: str, db: Path, query: str = "", where: str = "1", params=()
) -> dict:
    # Every value (the table page shows the first 8 of each facet).
    data = get_json(base, "/jobs/jobs.json" + query, _facet_size="max")
    facets = shown(data)
    assert set(facets) == set(FACETS), data.get("facets_timed_out")
    for column in FACETS:
        counts, kind = facets[column]
        assert counts == truth(db, column, where, params), (column, query)
        assert kind == "column", (column, kind)  # current counts: a plain facet
    # The row count too (from the stored counts for a filter on counted columns).
    conn = sqlite3.connect(db)
    rows = conn.execute(f"SELECT count(*) FROM jobs WHERE {where}", params).fetchone()
    conn.close()
    assert data["filtered_table_rows_count"] == rows[0], query
    return facets


def test_facets_equal_group_by_and_follow_crawls(crawl, fixture_server):
    _proc, db = crawl("remoteok", fixture_server)
    port = free_port()
    proc = start_background(db, port=port, metadata_dir=db.parent)
    base = f"http://127.0.0.1:{port}"
    try:
        conn = sqlite3.connect(db)
        stored = conn.execute("SELECT sum(n) FROM jobs_facet_counts").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
        conn.close()
        assert stored == total > 0  # the crawl's rollup refresh filled the counts

        before = assert_facets_match(base, db)
        assert set(before["source"][0]) == {"remoteok"}
        # A facet link (one filter on a counted column) and a filter the counts can't
        # answer (has_ai_skill) both give the true counts.
        assert_facets_match(base, db, "?remote=1", "remote = 1")
        conn = sqlite3.connect(db)
        month = conn.execute("SELECT min(month) FROM jobs").fetchone()[0]
        conn.close()
        assert_facets_match(
            base,
            db,
            f"?month__gt={month}&country__notnull=1",
            "month > ? AND country IS NOT NULL",
            (month,),
        )
        assert_facets_match(base, db, "?has_ai_skill=0", "has_ai_skill = 0")
        assert_facets_match(
            base,
            db,
            "?remote__in=0,1&category__not=writing",
            "remote IN (0, 1) AND category != 'writing'",
        )
        assert_facets_match(base, db, "?country__isnull=1", "country IS NULL")
        # A facet a visitor adds (Datasette's own, over the rows) on a filtered page.
        data = get_json(
            base, "/jobs/jobs.json?remote=1&_facet=category_method", _facet_size="max"
        )
        counts, _kind = shown(data)["category_method"]
        assert counts == truth(db, "category_method", "remote = 1") != {}
        # A database from before jobs_facet_combos has it empty until the next
        # refresh: facets and counts then come from the monthly counts.
        conn = sqlite3.connect(db)
        with conn:
            conn.execute("DELETE FROM jobs_facet_combos")
        conn.close()
        assert_facets_match(
            base,
            db,
            "?remote=1&country__notnull=1",
            "remote = 1 AND country IS NOT NULL",
        )

        # A second source crawled while Datasette runs: its refresh shows at once.
        crawl("remotive", fixture_server)
        after = assert_facets_match(base, db)
        assert set(after["source"][0]) == {"remoteok", "remotive"}
        assert after["category"][0] != before["category"][0]

        # Postings stored without a refresh yet (a crawl in progress): the counts are
        # the stored ones, and the heading says of when.
        conn = dbmod.connect(db)
        row = {c: None for c in dbmod.JOB_COLUMNS}
        row.update(
            job_id="remotive:new1",
            source="remotive",
            source_id="new1",
            title="Late posting",
            category="writing",
            pay_type="fixed",
            month="2024-02",
            posted_at="2024-02-10T00:00:00Z",
            fetched_at="2024-02-10T00:00:00Z",
            skills=[],
        )
        dbmod.save_jobs(conn, [row])
        stale = shown(get_json(base, "/jobs/jobs.json", _facet_size="max"))
        assert stale["source"][0] == after["source"][0]
        assert stale["source"][1].startswith("stored counts of ")
        refresh_rollups(conn, ["2024-02"])
        conn.close()
        fresh = assert_facets_match(base, db)
        assert fresh["source"][0]["remotive"] == after["source"][0]["remotive"] + 1
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    """A database where "chatbot" matches 8 postings, "invoice" 2; search_cap 3."""
    folder = tmp_path_factory.mktemp("search")
    db = folder / "jobs.db"
    conn = dbmod.connect(db)
    jobs = []
    for i in range(12):
        row = {c: None for c in dbmod.JOB_COLUMNS}
        word = "chatbot" if i % 3 else "invoice" if i < 6 else "logo"
        row.update(
            job_id=f"s:{i}",
            source="s" if i < 6 else "t",
            source_id=str(i),
            title=f"Build a {word} {i}",
            description=f"A {word} for a shop.",
            category=("writing", "design")[i % 2],
            pay_type="hourly",
            month="2024-01",
            posted_at=f"2024-01-{i + 1:02d}T00:00:00Z",
            fetched_at="2024-01-20T00:00:00Z",
            skills=[],
        )
        jobs.append(row)
    dbmod.save_jobs(conn, jobs)
    refresh_rollups(conn)
    conn.close()
    meta = build_metadata(db.stem, public=False, allow_sql=True)
    meta["databases"][db.stem]["tables"]["jobs"]["plugins"]["jobtrends"][
        "search_cap"
    ] = 3
    args = datasette_args(db, port=free_port(), metadata_dir=folder)
    args[args.index("--metadata") + 1] = str(write_metadata(meta, folder))
    port = args[args.index("--port") + 1]
    import subprocess

    from analysis.serve import DATASETTE_COMMAND

    proc = subprocess.Popen(
        [*DATASETTE_COMMAND, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, proc)
        yield base, db
    finally:
        proc.terminate()
        proc.wait(10)


def test_search_shows_the_newest_matches_and_says_how_many(search_site):
    base, db = search_site
    data = get_json(base, "/jobs/jobs.json", _search="chatbot")
    conn = sqlite3.connect(db)
    newest = [
        r[0]
        for r in conn.execute(
            "SELECT job_id FROM jobs WHERE description LIKE '%chatbot%'"
            " ORDER BY rowid DESC LIMIT 3"
        )
    ]
    conn.close()
    assert sorted(r[0] for r in data["rows"]) == sorted(newest)
    assert data["filtered_table_rows_count"] == 3
    assert "the 3 most recently stored of 8 matches" in data["human_description_en"]
    # The facets describe the rows found (no stored counts for a search).
    marks = ",".join("?" * len(newest))
    for column in ("source", "category"):
        counts, kind = shown(data)[column]
        assert kind == "column"
        assert counts == truth(db, column, f"job_id IN ({marks})", newest)


def test_search_below_the_cap_is_complete_and_escaped(search_site):
    base, _db = search_site
    data = get_json(base, "/jobs/jobs.json", _search="invoice")
    assert data["filtered_table_rows_count"] == 2
    assert data["human_description_en"].startswith(
        'where search matches "invoice" sorted'
    )
    assert "most recently stored" not in data["human_description_en"]
    # Escaped mode: FTS syntax in the box is text, not an error.
    assert get_json(base, "/jobs/jobs.json", _search='invoice" OR')["rows"] == []
    assert (
        get_json(base, "/jobs/jobs.json", _search_title="invoice")[
            "filtered_table_rows_count"
        ]
        == 2
    )
    html = urllib.request.urlopen(
        base + "/jobs/jobs?_search=invoice", timeout=30
    ).read()
    assert b'name="_search"' in html and b'value="invoice"' in html
