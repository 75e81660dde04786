"""Scale-out on Redis: workers and a writer over the fixture server, crashes included.

Crashes come from hooks the code checks (``JOBTRENDS_KILL_AFTER_PAGES`` /
``JOBTRENDS_KILL_AFTER_ITEMS``: the process SIGKILLs itself at that count), never timers.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.fixture_server import FIXTURES, FixtureServer
from crawler.normalize.sources._text import xml_text
from crawler.normalize.sources.upwork import job_id_from_link
from crawler.payloads import rss_items
from tests.conftest import ROOT, cli_env, rows, run_cli

# The per-host rate is shared through Redis; high here so tests are not slowed by it.
FAST = ["-s", "JOBTRENDS_DOMAIN_RATE=200", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]


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


def spawn(args: list[str], hook: str = "", count: int = 0) -> subprocess.Popen:
    """A worker or writer process; ``hook=count`` makes it SIGKILL itself at that count."""
    env = cli_env()
    if count:
        env[hook] = str(count)
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def worker(
    server: FixtureServer,
    redis_url: str,
    log: Path,
    *,
    kill_after: int = 0,
    settings: tuple[str, ...] = (),
):
    args = [
        "crawler.redis_scale",
        "upwork",
        "--redis",
        redis_url,
        "--idle",
        "1.5",
        "-a",
        "feeds_file=fixtures/upwork/feeds.txt",
        "-a",
        f"base_url={server.base_url('upwork')}",
        "--log-file",
        str(log),
        *FAST,
        *settings,
    ]
    return spawn(args, "JOBTRENDS_KILL_AFTER_PAGES", kill_after)


def writer(redis_url: str, db: Path, *, kill_after: int = 0, batch: int = 500):
    args = [
        "crawler.cli",
        "ingest",
        "--redis",
        redis_url,
        "--db",
        str(db),
        "--idle-timeout",
        "60",
        "--start-timeout",
        "120",
        "--batch-size",
        str(batch),
    ]
    return spawn(args, "JOBTRENDS_KILL_AFTER_ITEMS", kill_after)


def finish(proc: subprocess.Popen, code: int = 0) -> tuple[str, str]:
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == code, (
        f"exit {proc.returncode}, wanted {code}\n{err[-3000:]}"
    )
    return out, err


def test_two_workers_and_one_writer_store_each_listing_once(tmp_path, redis_url):
    items_on_pages, ids, pages = fixture_listings()
    assert pages > 10 and ids
    db = tmp_path / "jobs.db"
    with FixtureServer(FIXTURES) as server:
        # A little latency per page, like a real site, so both workers get a share.
        server.faults["/upwork/ab/"] = [{"delay": 0.05}] * 1000
        ingest = writer(redis_url, db)
        workers = [worker(server, redis_url, tmp_path / f"w{i}.log") for i in (1, 2)]
        summaries = [
            json.loads(finish(proc)[0].strip().splitlines()[-1]) for proc in workers
        ]
        # The writer stops by itself once the crawl is done and every item is stored
        # (its idle timeout is 60 s: reaching it would not fail this test, only slow it).
        out, _ = finish(ingest)
        fetched = Counter(
            r for r in server.requests if urlsplit(r).path.startswith("/upwork/ab/")
        )

    # Every feed page fetched exactly once across both processes.
    assert len(fetched) == pages and set(fetched.values()) == {1}, fetched.most_common(
        3
    )
    assert all(s["pushed"] > 0 for s in summaries), summaries  # both shared the queue
    assert sum(s["pushed"] for s in summaries) == items_on_pages
    # Every listing stored exactly once, by the single writer, in one ingest run.
    stored = rows(
        db, "SELECT source_id, seen_count FROM raw_listings WHERE source = 'upwork'"
    )
    assert {r["source_id"] for r in stored} == ids
    runs = rows(db, "SELECT * FROM crawl_runs")
    assert (
        len(runs) == 1
        and runs[0]["kind"] == "ingest"
        and runs[0]["status"] == "finished"
    )
    assert (
        runs[0]["finish_reason"]
        == f"crawl complete: {pages} requests, {items_on_pages} items"
    )
    assert "upwork: finished - crawl complete" in out
    tally = json.loads(runs[0]["stats"])["tally"]
    assert (
        tally["issued"] == tally["acked"] == pages
        and tally["items_committed"] == items_on_pages
    )
    assert runs[0]["new"] == len(ids)
    assert runs[0]["pages"] == pages + 2  # + one robots.txt per worker
    assert rows(db, "SELECT count(*) n FROM jobs WHERE source = 'upwork'")[0][
        "n"
    ] == len(ids)

    # The last worker out cleared the queue and the duplicate filter: the next crawl starts
    # fresh; the items stream is empty (every item acknowledged by the writer).
    import redis

    client = redis.Redis.from_url(redis_url)
    assert not client.exists(
        "jobtrends:upwork:dupefilter",
        "jobtrends:upwork:workers",
        *[f"jobtrends:upwork:requests:{d}" for d in range(16)],
    )
    assert client.xlen("jobtrends:items") == 0


def single_process_ids(tmp_path: Path) -> set[str]:
    """What a plain `jobtrends crawl` (no Redis) stores from the same fixtures."""
    db = tmp_path / "single.db"
    with FixtureServer(FIXTURES) as server:
        run_cli(
            "crawl",
            "upwork",
            "--db",
            str(db),
            "-a",
            "feeds_file=fixtures/upwork/feeds.txt",
            "-a",
            f"base_url={server.base_url('upwork')}",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "DOWNLOAD_DELAY=0",
            "--log-file",
            str(tmp_path / "single.log"),
            check=True,
        )
    return {r["source_id"] for r in rows(db, "SELECT source_id FROM raw_listings")}


@pytest.mark.parametrize(
    "worker_pages,writer_items", [(3, 40), (12, 400)], ids=["early", "mid-crawl"]
)
def test_killed_worker_and_killed_writer_lose_nothing(
    tmp_path, redis_url, worker_pages, writer_items
):
    """kill -9 of a worker and of the writer mid-crawl: the survivors store the same set
    as a single-process crawl, nothing twice, and the runs say what happened."""
    _, ids, pages = fixture_listings()
    db = tmp_path / "jobs.db"
    with FixtureServer(FIXTURES) as server:
        server.faults["/upwork/ab/"] = [{"delay": 0.02}] * 1000
        ingest = writer(redis_url, db, kill_after=writer_items, batch=40)
        # The first worker dies alone with requests leased and items not yet pushed...
        finish(
            worker(server, redis_url, tmp_path / "dies.log", kill_after=worker_pages),
            -signal.SIGKILL,
        )
        # ...and the next one takes its leases over and completes the crawl.
        out, _ = finish(worker(server, redis_url, tmp_path / "lives.log"))
        survivor = json.loads(out.strip().splitlines()[-1])
        finish(
            ingest, -signal.SIGKILL
        )  # the writer died after a commit, before its ack
        out, _ = finish(writer(redis_url, db))
        fetched = Counter(
            r for r in server.requests if urlsplit(r).path.startswith("/upwork/ab/")
        )

    assert survivor["reclaimed"] >= 1, survivor  # leased pages of the dead worker
    assert (
        len(fetched) == pages
    )  # every page fetched; the dead worker's leased ones twice
    assert "took over" in (tmp_path / "lives.log").read_text()
    stored = [r["source_id"] for r in rows(db, "SELECT source_id FROM raw_listings")]
    assert len(stored) == len(set(stored))
    assert set(stored) == ids == single_process_ids(tmp_path)
    assert rows(db, "SELECT count(*) n FROM jobs")[0]["n"] == len(ids)

    first, second = rows(db, "SELECT * FROM crawl_runs ORDER BY run_id")
    # The killed writer's run: interrupted, its counters rebuilt from the rows it stored.
    assert first["status"] == "interrupted" and first["finished_at"]
    assert 0 < first["items"] < len(ids) and first["new"] == first["items"]
    assert first["new"] + second["new"] == len(ids)
    # The second writer committed the batch the first read but never acknowledged.
    assert "recovered from a writer that died" in out
    assert second["status"] == "finished", second["finish_reason"]
    assert "1 worker(s) died" in second["finish_reason"], second["finish_reason"]


def test_leftover_duplicate_filter_is_cleared_and_said(tmp_path, redis_url):
    """A filter left by a killed crawl (no live worker, nothing queued) would filter every
    seed; the next worker clears it and says so - and does not count itself as another."""
    import redis

    _, ids, _ = fixture_listings()
    client = redis.Redis.from_url(redis_url)
    client.sadd("jobtrends:upwork:dupefilter", *[f"{i:040x}" for i in range(50)])
    dead = (
        f"{socket.gethostname()}:{2**22 + 17}:gone00"  # no such pid: a worker that died
    )
    client.hset("jobtrends:upwork:workers", dead, 0)
    db = tmp_path / "jobs.db"
    with FixtureServer(FIXTURES) as server:
        ingest = writer(redis_url, db)
        finish(worker(server, redis_url, tmp_path / "w.log"))
        finish(ingest)
    log = (tmp_path / "w.log").read_text()
    assert "cleared the duplicate filter (50 fingerprints)" in log
    assert "joining" not in log
    assert {
        r["source_id"] for r in rows(db, "SELECT source_id FROM raw_listings")
    } == ids
    assert rows(db, "SELECT status FROM crawl_runs")[0]["status"] == "finished"


def test_all_workers_dead_is_not_finished_and_a_new_worker_resumes(tmp_path, redis_url):
    """With no worker left the writer cannot call the crawl finished; a worker started
    later resumes the queue (not a new crawl) and the next writer finishes it."""
    _, ids, _ = fixture_listings()
    db = tmp_path / "jobs.db"
    with FixtureServer(FIXTURES) as server:
        finish(
            worker(server, redis_url, tmp_path / "dies.log", kill_after=10),
            -signal.SIGKILL,
        )
        proc = run_cli(
            "ingest",
            "--redis",
            redis_url,
            "--db",
            str(db),
            "--idle-timeout",
            "0.5",
            "--start-timeout",
            "5",
            timeout=120,
        )
        assert (
            proc.returncode == 1 and "1 run(s) not finished (upwork)" in proc.stderr
        ), proc.stderr[-2000:]
        (run,) = rows(db, "SELECT * FROM crawl_runs")
        assert (
            run["status"] == "partial" and "crawl not complete" in run["finish_reason"]
        )
        finish(worker(server, redis_url, tmp_path / "resumes.log"))
        finish(writer(redis_url, db))
    assert (
        "resuming a crawl whose workers are gone"
        in (tmp_path / "resumes.log").read_text()
    )
    assert {
        r["source_id"] for r in rows(db, "SELECT source_id FROM raw_listings")
    } == ids
    assert (
        rows(db, "SELECT status FROM crawl_runs ORDER BY run_id")[-1]["status"]
        == "finished"
    )


def test_shared_rate_limit_spaces_every_workers_requests(redis_url):
    """Two workers' limiters reserve one host's start slots exactly 1/rate apart, on the
    Redis clock; a Retry-After holds the host for everyone."""
    from types import SimpleNamespace

    from scrapy.settings import Settings

    from crawler.redis_scale import SharedRateLimit

    def limiter():
        settings = Settings({"REDIS_URL": redis_url, "JOBTRENDS_DOMAIN_RATE": 4})
        return SharedRateLimit(SimpleNamespace(settings=settings))

    async def check():
        a, b = limiter(), limiter()
        slot = a.host_key("https://www.upwork.com/ab/feed/jobs/rss?q=x")
        assert slot == b.host_key("https://www.upwork.com/other")
        assert slot != a.host_key("https://example.org/")
        starts = [(await (a if i % 2 else b).acquire(slot, None))[1] for i in range(6)]
        gaps = [round(y - x, 6) for x, y in itertools.pairwise(starts)]
        assert gaps == [0.25] * 5
        # a 429 with Retry-After: 30 seen by worker a
        a.hold("https://www.upwork.com/x", 30)
        wait, _ = await b.acquire(slot, None)
        assert 29 < wait <= 30.0

    asyncio.run(check())


def test_site_in_flight_limit_holds_across_workers(tmp_path, redis_url):
    """Two workers that could each have 4 requests in flight: the site never sees more
    than the shared limit (2) at once, counted by the server itself; nothing is lost."""

    items_on_pages, ids, pages = fixture_listings()
    db = tmp_path / "jobs.db"
    with FixtureServer(FIXTURES) as server:
        # The first pages are answered only once the limit is reached, so the workers
        # certainly try to go past it (a third request would arrive while two are held).
        reached = threading.Event()
        server.faults["/upwork/ab/"] = [{"hold": reached}] * 2 + [
            {"delay": 0.05}
        ] * 1000

        def watch():
            while not reached.is_set():
                if server.in_flight >= 2:
                    reached.set()
                threading.Event().wait(0.005)

        threading.Thread(target=watch, daemon=True).start()
        ingest = writer(redis_url, db)
        limit = ("-s", "JOBTRENDS_DOMAIN_CONCURRENCY=2")
        workers = [
            worker(server, redis_url, tmp_path / f"w{i}.log", settings=limit)
            for i in (1, 2)
        ]
        summaries = [json.loads(finish(p)[0].strip().splitlines()[-1]) for p in workers]
        finish(ingest)
        fetched = Counter(
            r for r in server.requests if urlsplit(r).path.startswith("/upwork/ab/")
        )
        seen_at_once = server.max_in_flight
    assert reached.is_set()
    assert seen_at_once == 2
    assert len(fetched) == pages and set(fetched.values()) == {1}
    assert sum(s["pushed"] for s in summaries) == items_on_pages
    assert {
        r["source_id"] for r in rows(db, "SELECT source_id FROM raw_listings")
    } == ids
    import redis

    # Every slot was given back: nothing left in the host's in-flight set.
    assert not redis.Redis.from_url(redis_url).zcard("jobtrends:inflight:127.0.0.1")


HOLDER = """
import asyncio
import sys
from types import SimpleNamespace
from scrapy.settings import Settings
from crawler.redis_scale import SharedRateLimit
settings = Settings({"REDIS_URL": sys.argv[1], "JOBTRENDS_DOMAIN_CONCURRENCY": 2,
                     "JOBTRENDS_SITE_LEASE": 600})
async def hold_two():
    limiter = SharedRateLimit(SimpleNamespace(settings=settings, stats=None))
    slot = limiter.host_key("https://www.upwork.com/")
    for n in (1, 2):
        assert await limiter.acquire(slot, f"{limiter.name}:{n}")
asyncio.run(hold_two())
print("held", flush=True)
sys.stdin.read()
"""


def test_in_flight_slots_of_a_killed_worker_are_freed(redis_url):
    """A worker killed while holding a host's slots does not hold them for good: on this
    host its pid is gone, so the next worker frees them; a worker elsewhere that stopped
    renewing loses them when their lease runs out."""
    from types import SimpleNamespace

    import redis
    from scrapy.settings import Settings
    from scrapy.statscollectors import MemoryStatsCollector

    from crawler.redis_scale import SharedRateLimit

    settings = Settings({"REDIS_URL": redis_url, "JOBTRENDS_DOMAIN_CONCURRENCY": 2})
    crawler = SimpleNamespace(settings=settings)
    crawler.stats = MemoryStatsCollector(crawler)

    async def check():
        limiter = SharedRateLimit(crawler)
        slot = limiter.host_key("https://www.upwork.com/feed")
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, redis_url],
            cwd=ROOT,
            env=cli_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout.readline().strip() == "held"
        # The holder lives (lease 600 s): its two slots are the host's limit.
        assert await limiter.acquire(slot, "me:1") is None
        holder.kill()
        holder.wait()
        got = None
        for _ in range(3000):  # the sweep runs at most once a second while refused
            got = await limiter.acquire(slot, f"{limiter.name}:1")
            if got is not None:
                break
            await asyncio.sleep(0.01)
        assert got is not None
        assert limiter.crawler.stats.get_value("jobtrends/site_slots_freed") == 2
        limiter.release_all()
        # A worker on another host whose lease ran out (score in the past on the Redis clock)
        # holds nothing; one whose lease still runs holds its slot.
        client = redis.Redis.from_url(redis_url)
        now = float(client.time()[0])
        client.zadd("jobtrends:inflight:www.upwork.com", {"far:1:aa:1": now - 1})
        client.zadd("jobtrends:inflight:www.upwork.com", {"far:2:bb:1": now + 600})
        client.zadd("jobtrends:inflight:www.upwork.com", {"far:3:cc:1": now + 600})
        assert await limiter.acquire(slot, f"{limiter.name}:2") is None
        client.zrem("jobtrends:inflight:www.upwork.com", "far:3:cc:1")
        assert await limiter.acquire(slot, f"{limiter.name}:3") is not None

    asyncio.run(check())
