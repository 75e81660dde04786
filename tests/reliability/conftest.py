"""Shared helpers for the reliability suite: fixture ids, background crawls, DB checks."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from crawler import raw_codec
from crawler.fixture_server import FIXTURES
from crawler.normalize.sources._text import xml_text
from crawler.normalize.sources.upwork import job_id_from_link
from crawler.payloads import rss_items
from tests.conftest import FAST, JOBTRENDS, ROOT, cli_env

FREELANCER_API = "/freelancer/api/projects/0.1/projects/active/"
# Fast retries: faults are given up in about a second, not a minute.
QUICK = [
    *FAST,
    "-s",
    "RETRY_TIMES=2",
    "-s",
    "RETRY_BACKOFF_MAX=0.5",
    "-s",
    "RETRY_BACKOFF_BASE=0.1",
    "-s",
    "JOBTRENDS_NORMALIZE=False",
    "-s",
    "LOG_LEVEL=INFO",
]


def freelancer_page(offset: int) -> list[dict]:
    data = json.loads(
        (
            FIXTURES / "freelancer" / "api" / f"projects-active-{offset}.json"
        ).read_bytes()
    )
    return data["result"]["projects"]


def freelancer_ids(*offsets: int) -> set[str]:
    """The listing ids on the fixture pages at these offsets."""
    return {str(p["id"]) for o in offsets for p in freelancer_page(o)}


def upwork_feed_ids(name: str, upto_bytes: int | None = None) -> set[str]:
    body = (FIXTURES / "upwork" / "feeds" / name).read_bytes()
    if upto_bytes is not None:
        body = body[:upto_bytes]
    return {
        job_id_from_link(xml_text(item, "link") or xml_text(item, "guid"))
        for item in rss_items(body)
    } - {None}


def start_crawl(
    name: str, base_url: str, db: Path, log: Path, *extra: str
) -> subprocess.Popen:
    """`jobtrends crawl NAME` in the background (stdout/stderr kept for the test's message)."""
    return subprocess.Popen(
        [
            *JOBTRENDS,
            "crawl",
            name,
            "--db",
            str(db),
            "--base-url",
            base_url,
            "--log-file",
            str(log),
            *QUICK,
            *extra,
        ],
        cwd=str(ROOT),
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def query(db: Path, sql: str, params=()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    raw_codec.register(conn)  # payload_text(payload, payload_dict) reads payloads
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def stored_ids(db: Path, source: str) -> list[str]:
    """Every stored id of a source, with repeats (a duplicate would show twice)."""
    return [
        r[0]
        for r in query(
            db, "SELECT source_id FROM raw_listings WHERE source = ?", (source,)
        )
    ]


def assert_consistent(db: Path) -> None:
    """integrity_check passes; no half-written rows: every job has its raw row, every raw row a payload."""
    assert query(db, "PRAGMA integrity_check")[0][0] == "ok"
    orphans = query(
        db,
        "SELECT count(*) FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM raw_listings r"
        " WHERE r.source = j.source AND r.source_id = j.source_id)",
    )[0][0]
    assert orphans == 0, f"{orphans} jobs rows without a raw listing"
    empty = query(
        db, "SELECT count(*) FROM raw_listings WHERE payload IS NULL OR payload = ''"
    )[0][0]
    assert empty == 0, f"{empty} raw listings without a payload"
    dup_raw = query(
        db,
        "SELECT count(*) FROM (SELECT 1 FROM raw_listings GROUP BY source, source_id HAVING count(*) > 1)",
    )[0][0]
    dup_jobs = query(
        db,
        "SELECT count(*) FROM (SELECT 1 FROM jobs GROUP BY source, source_id HAVING count(*) > 1)",
    )[0][0]
    assert dup_raw == 0 and dup_jobs == 0
