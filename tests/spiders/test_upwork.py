"""The upwork spider: a real Scrapy crawl of the loopback fixture server into SQLite."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree

from crawler.fixture_server import FIXTURES
from crawler.normalize.countries import parse_country
from tests.conftest import FAST, rows, run_cli

FEEDS = FIXTURES / "upwork" / "feeds.txt"
ID_RE = re.compile(r"~01[0-9a-f]+")


def fixture_items() -> dict[str, etree._Element]:
    """Every item of every routed feed page, keyed by job id, read with lxml (independently)."""
    routes = json.loads((FIXTURES / "upwork" / "routes.json").read_text())["routes"]
    items = {}
    for route in routes:
        tree = etree.parse(str(FIXTURES / "upwork" / route["file"]))
        for item in tree.iterfind(".//item"):
            m = ID_RE.search(unquote(item.findtext("link") or ""))
            if m:
                items[m.group(0)] = item
    return items


NS = (
    '<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:atom="http://www.w3.org/2005/Atom">{}</rss>'
)


@pytest.fixture(scope="module")
def upwork_db(fixture_server, tmp_path_factory):
    """One crawl of every fixture feed, shared by the read-only tests of this module."""
    tmp = tmp_path_factory.mktemp("upwork")
    db = tmp / "jobs.db"
    run_cli(
        "crawl",
        "upwork",
        "--db",
        str(db),
        "--base-url",
        fixture_server.base_url("upwork"),
        "--log-file",
        str(tmp / "crawl.log"),
        *FAST,
        "-a",
        f"feeds_file={FEEDS}",
        check=True,
    )
    return db


def test_crawl_stores_every_feed_item_once(upwork_db):
    expected = fixture_items()
    db = upwork_db
    stored = rows(
        db,
        "SELECT source_id, payload_text(payload, payload_dict) AS payload, payload_format, url"
        " FROM raw_listings WHERE source='upwork'",
    )
    assert {r["source_id"] for r in stored} == set(expected)
    for r in stored[:50]:
        # The payload is the item exactly as in the feed: it parses and carries its own link.
        item = etree.fromstring(NS.format(r["payload"]).encode())[0]
        assert item.tag == "item" and r["source_id"] in unquote(item.findtext("link"))
        assert r["payload_format"] == "xml"
    jobs = rows(db, "SELECT count(*) n FROM jobs WHERE source='upwork'")[0]["n"]
    assert jobs == len(expected)
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert run["status"] == "finished" and run["new"] == len(expected)
    skipped = rows(db, "SELECT reason FROM skipped_listings")
    assert [s["reason"] for s in skipped] == ["no_job_id"]
    assert run["skipped"] == 1


def test_crawl_fields_of_one_listing(upwork_db):
    items = fixture_items()
    job_id, item = next(
        (k, v)
        for k, v in items.items()
        if "<b>Budget</b>" in (v.findtext("description") or "")
    )
    db = upwork_db
    job = rows(db, "SELECT * FROM jobs WHERE job_id = ?", (f"upwork:{job_id}",))[0]
    desc = item.findtext("description")
    assert job["title"] == item.findtext("title").removesuffix(" - Upwork")
    budget = re.search(r"<b>Budget</b>: \$([\d,]+)", desc).group(1).replace(",", "")
    assert (
        job["pay_type"],
        job["pay_min"],
        job["pay_currency"],
        job["pay_period"],
    ) == ("fixed", float(budget), "USD", "project")
    assert job["hourly_usd_mid"] is None and job["budget_usd"] == float(budget)
    posted = re.search(r"<b>Posted On</b>: ([^<]+)", desc).group(1).strip()
    from datetime import datetime

    assert job["posted_at"] == datetime.strptime(
        posted, "%B %d, %Y %H:%M UTC"
    ).strftime("%Y-%m-%dT%H:%M:00Z")
    assert (
        job["source_category"]
        == re.search(r"<b>Category</b>: ([^<]+)", desc).group(1).strip()
    )
    country = re.search(r"<b>Country</b>: ([^\n<]+)", desc)
    assert job["country_raw"] == (country.group(1).strip() if country else None)
    assert job["country"] == (parse_country(job["country_raw"]) if country else None)
    assert job["country"] is None or re.fullmatch("[A-Z]{2}", job["country"])
    assert (
        "<b>" not in job["description"] and "click to apply" not in job["description"]
    )
    assert job["category"] != "other" and job["category_method"] == "taxonomy"


def test_hourly_range_listing(upwork_db):
    items = fixture_items()
    job_id, item = next(
        (k, v)
        for k, v in items.items()
        if "<b>Hourly Range</b>" in (v.findtext("description") or "")
    )
    lo, hi = map(
        float,
        re.search(
            r"<b>Hourly Range</b>: \$([\d.]+)-\$([\d.]+)", item.findtext("description")
        ).groups(),
    )
    db = upwork_db
    job = rows(db, "SELECT * FROM jobs WHERE job_id = ?", (f"upwork:{job_id}",))[0]
    assert (job["pay_type"], job["pay_min"], job["pay_max"], job["pay_period"]) == (
        "hourly",
        lo,
        hi,
        "hour",
    )
    assert job["hourly_usd_mid"] == (lo + hi) / 2


def test_recrawl_is_idempotent_and_advances_last_seen(crawl, fixture_server):
    _, db = crawl("upwork", fixture_server, "-a", f"feeds_file={FEEDS}")
    jobs_before = rows(db, "SELECT count(*) n FROM jobs")[0]["n"]
    # Seen times have one-second resolution: move the first sightings back a day instead
    # of waiting for the clock to tick.
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "UPDATE raw_listings SET"
            " last_seen_at = strftime('%Y-%m-%dT%H:%M:%SZ', last_seen_at, '-1 day')"
        )
    conn.close()
    before = {
        r["source_id"]: r["last_seen_at"]
        for r in rows(db, "SELECT * FROM raw_listings")
    }
    _, db = crawl("upwork", fixture_server, "-a", f"feeds_file={FEEDS}", "--full")
    after = rows(db, "SELECT * FROM raw_listings")
    assert (
        len(after) == len(before)
        and rows(db, "SELECT count(*) n FROM jobs")[0]["n"] == jobs_before
    )
    assert all(r["last_seen_at"] > before[r["source_id"]] for r in after)
    assert all(r["seen_count"] >= 2 for r in after)
    first, second = rows(db, "SELECT * FROM crawl_runs ORDER BY run_id")
    assert (
        second["new"] == 0
        and second["updated"] == 0
        and second["unchanged"] == len(before)
    )
    # Items repeated across feed pages are duplicates of this run, not "unchanged".
    assert second["duplicates"] == first["duplicates"] > 0


def test_incremental_recrawl_stops_at_known_pages(crawl, fresh_server):
    _, db = crawl("upwork", fresh_server, "-a", f"feeds_file={FEEDS}")
    first_pages = sum(1 for p in fresh_server.requests if "/ab/feed/jobs/rss" in p)
    fresh_server.requests.clear()
    _, db = crawl("upwork", fresh_server, "-a", f"feeds_file={FEEDS}")
    second_pages = sum(1 for p in fresh_server.requests if "/ab/feed/jobs/rss" in p)
    feeds = len([line for line in FEEDS.read_text().splitlines() if line.strip()])
    assert second_pages == feeds < first_pages  # only each feed's first page


def test_saved_feed_file_url(crawl, fixture_server, tmp_path):
    """file:// URLs of saved feeds work as feeds (how most users hold this data)."""
    feed = FIXTURES / "upwork" / "feeds" / "writing-p0.xml"
    n = len(etree.parse(str(feed)).findall(".//item"))
    run_cli(
        "crawl",
        "upwork",
        "--db",
        str(tmp_path / "f.db"),
        "-a",
        f"feeds={feed.as_uri()}",
        "--log-file",
        str(tmp_path / "f.log"),
        check=True,
    )
    assert rows(tmp_path / "f.db", "SELECT count(*) n FROM raw_listings")[0]["n"] == n


def test_no_feeds_is_a_clear_error(tmp_path):
    proc = run_cli(
        "crawl",
        "upwork",
        "--db",
        str(tmp_path / "x.db"),
        "-a",
        "feeds=",
        "--log-file",
        str(tmp_path / "x.log"),
    )
    assert proc.returncode != 0
    assert "no feeds" in Path(tmp_path / "x.log").read_text()
