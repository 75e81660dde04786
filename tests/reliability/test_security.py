"""What a crawl may fetch and read, and what serve exposes by default.

- robots.txt disallowed paths are never requested (the server's own request log says so);
- ``file://`` feeds are read only below the folder given (feeds_file's, or file_root);
- `serve` binds 127.0.0.1 and opens the file read-only unless told otherwise, and public
  mode refuses to start without authentication;
- every canned query takes its parameters as bound ``:name`` values, never formatted SQL;
- the Markdown report shows hostile category/skill text inert.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from analysis.serve import METADATA_PATH, ServeError, datasette_args
from crawler.fixture_server import FIXTURES, FixtureServer
from tests.conftest import FAST, run_cli
from tests.reliability.conftest import query, stored_ids, upwork_feed_ids

RAW_ONLY = [
    "-s",
    "JOBTRENDS_NORMALIZE=False",
]  # what is fetched matters here, not the jobs rows
FEED = FIXTURES / "upwork" / "feeds" / "legal-p0.xml"


def test_robots_disallowed_feed_is_never_requested(tmp_path):
    with FixtureServer(FIXTURES) as server:
        allowed = (
            f"{server.url}/upwork/ab/feed/jobs/rss?q=legal&sort=recency&paging=0%3B50"
        )
        forbidden = f"{server.url}/private/feed.xml?q=legal"
        proc = run_cli(
            "crawl",
            "upwork",
            "--db",
            str(tmp_path / "r.db"),
            "-a",
            f"feeds={forbidden},{allowed}",
            "-a",
            "max_pages=1",
            "--log-file",
            str(tmp_path / "r.log"),
            *FAST,
            *RAW_ONLY,
        )
        seen = list(server.requests)
    assert "/robots.txt" in seen
    assert not [p for p in seen if p.startswith("/private/")], seen
    assert proc.returncode == 0, proc.stderr  # a refusal by robots.txt is not a loss
    assert set(stored_ids(tmp_path / "r.db", "upwork")) == upwork_feed_ids(
        "legal-p0.xml"
    )
    skips = query(tmp_path / "r.db", "SELECT reason, url FROM skipped_listings")
    assert [(s["reason"], s["url"]) for s in skips] == [
        ("robots_disallowed", forbidden)
    ]


def test_file_feeds_are_read_only_below_the_feeds_file_folder(tmp_path):
    inside = tmp_path / "feeds"
    inside.mkdir()
    shutil.copy(FEED, inside / "legal.xml")
    secret = tmp_path / "secret.xml"  # outside: next to the feeds folder
    shutil.copy(FIXTURES / "upwork" / "feeds" / "writing-p0.xml", secret)
    other = tmp_path / "other.xml"
    shutil.copy(FIXTURES / "upwork" / "feeds" / "cad-p0.xml", other)
    feeds_file = inside / "feeds.txt"
    escape = (inside / "legal.xml").as_uri().replace("/legal.xml", "/../secret.xml")
    feeds_file.write_text(
        f"{(inside / 'legal.xml').as_uri()}\n{escape}\n{other.as_uri()}\n"
    )
    db = tmp_path / "f.db"
    proc = run_cli(
        "crawl",
        "upwork",
        "--db",
        str(db),
        "-a",
        "feeds=",
        "-a",
        f"feeds_file={feeds_file}",
        "--log-file",
        str(tmp_path / "f.log"),
        *FAST,
        *RAW_ONLY,
    )
    ids = set(stored_ids(db, "upwork"))
    assert ids == upwork_feed_ids("legal-p0.xml")
    assert not ids & (upwork_feed_ids("writing-p0.xml") | upwork_feed_ids("cad-p0.xml"))
    reasons = [r["reason"] for r in query(db, "SELECT reason FROM skipped_listings")]
    assert reasons == ["file_outside_root", "file_outside_root"]
    assert proc.returncode == 1  # the user asked for files that were refused: not clean


def test_file_root_option_bounds_explicit_feeds(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    db = tmp_path / "o.db"
    proc = run_cli(
        "crawl",
        "upwork",
        "--db",
        str(db),
        "-a",
        f"feeds={FEED.as_uri()}",
        "-a",
        f"file_root={root}",
        "--log-file",
        str(tmp_path / "o.log"),
        *FAST,
        *RAW_ONLY,
    )
    assert proc.returncode == 1
    assert stored_ids(db, "upwork") == []
    assert [r[0] for r in query(db, "SELECT reason FROM skipped_listings")] == [
        "file_outside_root"
    ]


def test_serve_defaults_loopback_and_read_only(tmp_path, monkeypatch):
    db = tmp_path / "jobs.db"
    from crawler.db import connect

    connect(db).close()
    args = datasette_args(db, port=8123, metadata_dir=tmp_path)
    assert args[args.index("--host") + 1] == "127.0.0.1"
    # mutable file opened read-only by Datasette; nothing that writes or loads plugins dirs
    assert not {
        "-i",
        "--immutable",
        "--nolock",
        "--plugins-dir",
        "--root",
        "--load-extension",
    } & set(args)
    meta = yaml.safe_load(METADATA_PATH.read_text())
    queries = meta["databases"]["jobs"].get("queries", {})
    assert not [n for n, q in queries.items() if isinstance(q, dict) and q.get("write")]
    monkeypatch.delenv("JOBTRENDS_PASSWORD_HASH", raising=False)
    with pytest.raises(ServeError, match="needs a password"):
        datasette_args(db, public=True, metadata_dir=tmp_path)
    monkeypatch.setenv("JOBTRENDS_PASSWORD_HASH", "pbkdf2_sha256$480000$salt$hash")
    public = datasette_args(db, public=True, metadata_dir=tmp_path)
    written = yaml.safe_load(Path(public[public.index("--metadata") + 1]).read_text())
    assert written["allow"] == {"id": "*"}  # every page needs a signed-in actor
    assert "datasette-auth-passwords" in written["plugins"]
    assert public[public.index("default_allow_sql") - 1 :][:3] == [
        "--setting",
        "default_allow_sql",
        "off",
    ]


def test_canned_queries_bind_every_parameter():
    meta = yaml.safe_load(METADATA_PATH.read_text())
    queries = meta["databases"]["jobs"]["queries"]
    assert queries
    for name, q in queries.items():
        sql = q["sql"]
        named = set(re.findall(r"(?<![:\w]):(\w+)", sql))
        assert set(q.get("params", [])) <= named, (
            name
        )  # every declared param is a bound :name
        # no Python/Jinja formatting that would splice a value into the SQL text
        assert not re.search(r"\{\{|\{%|%\(|%s\b|\{[a-z_]+\}", sql), name


def test_report_markdown_shows_hostile_text_inert(tmp_path):
    db = tmp_path / "s.db"
    run_cli("synth", "--rows", "1500", "--quiet", "--db", str(db), check=True)
    import sqlite3

    from crawler.rollups import refresh_rollups

    hostile = (
        "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))"
    )
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE jobs SET category = ? WHERE category = (SELECT category FROM jobs GROUP BY category"
        " ORDER BY count(*) DESC LIMIT 1)",
        (hostile,),
    )
    conn.execute(
        "UPDATE job_skills SET skill = ? WHERE skill = (SELECT skill FROM job_skills GROUP BY skill"
        " ORDER BY count(*) DESC LIMIT 1)",
        (hostile,),
    )
    conn.commit()
    refresh_rollups(conn)
    conn.commit()
    conn.close()
    out = tmp_path / "report"
    proc = run_cli(
        "report", "--db", str(db), "--out", str(out), "--reps", "50", timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = (out / "report.md").read_text()
    assert "alert(1)" in text or "alert(2)" in text, (
        "the hostile category should be in the report"
    )
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "](javascript:" not in text.lower()
