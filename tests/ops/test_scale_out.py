"""Scale-out on scrapy-redis: two crawl workers and one writer over the fixture server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from crawler.fixture_server import FIXTURES, FixtureServer
from crawler.normalize.sources._text import xml_text
from crawler.normalize.sources.upwork import job_id_from_link
from crawler.payloads import rss_items
from tests.conftest import ROOT, cli_env, rows

FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


def fixture_listings() -> tuple[int, set[str], int]:
    """(items on all feed pages, distinct job ids, pages) of fixtures/upwork."""
    routes = json.loads((FIXTURES / "upwork" / "routes.json").read_text())["routes"]
    items, ids = 0, set()
    for route in routes:
        for item in rss_items((FIXTURES / "upwork" / route["file"]).read_bytes()):
            items += 1  # a listing without an id is pushed too, as a skip item
            job_id = job_id_from_link(xml_text(item, "link") or xml_text(item, "guid"))
            if job_id:
                ids.add(job_id)
    return items, ids, len(routes)


def worker(server: FixtureServer, redis_url: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.redis_scale", "upwork", "--redis", redis_url, "--idle", "1.5",
         "-a", "feeds_file=fixtures/upwork/feeds.txt", "-a", f"base_url={server.base_url('upwork')}",
         "--log-file", str(log), *FAST],
        cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_workers_and_one_writer_store_each_listing_once(tmp_path, redis_url):
    items_on_pages, ids, pages = fixture_listings()
    assert pages > 10 and ids
    db = tmp_path / "jobs.db"
    with FixtureServer(FIXTURES) as server:
        # A little latency per page, like a real site, so both workers get a share.
        server.faults["/upwork/ab/"] = [{"delay": 0.05}] * 1000
        writer = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "ingest", "--redis", redis_url, "--db", str(db),
             "--idle-timeout", "4", "--start-timeout", "60"], cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        workers = [worker(server, redis_url, tmp_path / f"w{i}.log") for i in (1, 2)]
        summaries = []
        for proc in workers:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-3000:]
            summaries.append(json.loads(out.strip().splitlines()[-1]))
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err[-3000:]
        fetched = Counter(r for r in server.requests if urlsplit(r).path.startswith("/upwork/ab/"))

    # Every feed page fetched exactly once across both processes.
    assert len(fetched) == pages and set(fetched.values()) == {1}, fetched.most_common(3)
    assert all(s["pushed"] > 0 for s in summaries), summaries  # both shared the queue
    assert sum(s["pushed"] for s in summaries) == items_on_pages
    # Every listing stored exactly once, by the single writer, in one ingest run.
    stored = rows(db, "SELECT source_id, seen_count FROM raw_listings WHERE source = 'upwork'")
    assert {r["source_id"] for r in stored} == ids
    runs = rows(db, "SELECT * FROM crawl_runs")
    assert len(runs) == 1 and runs[0]["kind"] == "ingest" and runs[0]["status"] == "finished"
    assert runs[0]["new"] == len(ids)
    assert runs[0]["pages"] == pages + 2  # + one robots.txt per worker
    assert rows(db, "SELECT count(*) n FROM jobs WHERE source = 'upwork'")[0]["n"] == len(ids)
    print(f"\nscale-out: pages {pages} fetched once each; items pushed {items_on_pages} "
          f"({summaries[0]['pushed']} + {summaries[1]['pushed']}); listings stored {len(ids)}; "
          f"same listing in several feeds {items_on_pages - len(ids)}")

    # The last worker out cleared the shared duplicate filter: a second crawl starts fresh.
    import redis

    client = redis.Redis.from_url(redis_url)
    assert not client.exists("jobtrends:upwork:dupefilter", "jobtrends:upwork:requests", "jobtrends:items")
