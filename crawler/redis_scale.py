"""Scale-out on scrapy-redis: many crawl processes, one shared queue, one SQLite writer.

``redis_settings(url)`` turns any jobtrends spider into a scrapy-redis worker without
changing the spider:

- requests go to a shared Redis queue (``jobtrends:<spider>:requests``) and through a
  shared duplicate filter (``jobtrends:<spider>:dupefilter``), so each URL is fetched once
  by whichever process pops it;
- items are pushed to the Redis list ``jobtrends:items`` (no SQLite on the workers);
  ``jobtrends ingest --redis URL`` is the single writer (:func:`ingest`);
- seeding: every worker runs the spider's own ``async def start()``; its requests are not
  ``dont_filter``, so they pass the shared duplicate filter and only the first worker's
  seeds are queued - the others' are no-ops.  No RedisSpider ``start_urls`` key is needed
  and a worker that starts late simply joins the queue;
- ``SCHEDULER_PERSIST = True`` keeps the queue when the first worker finishes (scrapy-redis
  would otherwise flush it under the others); instead the *last* worker to leave (live
  workers are a Redis hash with heartbeats) clears the duplicate filter, so the next
  crawl starts fresh while a crash mid-crawl leaves the queue to resume from;
- a worker whose queue stays empty for ``JOBTRENDS_REDIS_IDLE`` seconds closes (plain
  Scrapy would close at the first empty moment, while another worker is still parsing a
  page that will queue more).

The subclasses below only adapt scrapy-redis 0.9.1 to Scrapy 2.19's APIs (stats without
the ``spider`` argument, pipelines without it) - no fork.

    python -m crawler.redis_scale upwork --redis redis://127.0.0.1:6379/0 -a feeds_file=...
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler as _RedisScheduler

from crawler.errors import UserError

logger = logging.getLogger(__name__)

ITEMS_KEY = "jobtrends:items"
QUEUE_KEY = "jobtrends:%(spider)s:requests"
DUPEFILTER_KEY = "jobtrends:%(spider)s:dupefilter"
WORKERS_KEY = "jobtrends:{spider}:workers"
STATS_KEY = "jobtrends:{spider}:stats"
HEARTBEAT_STALE = 30.0  # seconds without a heartbeat before a worker counts as gone


def redis_settings(url: str, *, idle: float = 5.0) -> dict:
    """Scrapy settings that make a spider a scrapy-redis worker pushing items to Redis."""
    return {
        "SCHEDULER": "crawler.redis_scale.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": url,
        "ITEM_PIPELINES": {"crawler.redis_scale.RedisItemPipeline": 300},
        # Workers keep no SQLite: the run record is the writer's; incremental stops are off
        # (known_ids() finds no database) - the shared duplicate filter prevents refetching.
        "EXTENSIONS": {"crawler.runs.RunRecorder": None, "crawler.redis_scale.SharedCrawl": 100},
        "JOBTRENDS_DB": "",
        "JOBTRENDS_REDIS_IDLE": idle,
    }


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, decode_responses=True)


class SharedScheduler(_RedisScheduler):
    """scrapy-redis' scheduler with Scrapy 2.19 stats calls and worker bookkeeping."""

    worker_id: str = ""
    _beat = 0.0

    def open(self, spider):
        super().open(spider)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.workers_key = WORKERS_KEY.format(spider=spider.name)
        self.heartbeat(force=True)
        others = [w for w in self.live_workers() if w != self.worker_id]
        if not others and not len(self.queue):
            # Nobody is crawling and nothing is queued: a new crawl.  A duplicate filter
            # left by an earlier crawl (or a crashed one) would filter every seed.
            self.df.clear()
        elif len(self.queue):
            logger.info("joining a crawl in progress: %d requests queued, %d other workers",
                        len(self.queue), len(others))

    def heartbeat(self, force: bool = False) -> None:
        now = time.time()
        if force or now - self._beat > 5:
            self.server.hset(self.workers_key, self.worker_id, now)
            self._beat = now

    def live_workers(self) -> list[str]:
        cutoff = time.time() - HEARTBEAT_STALE
        return [w for w, ts in self.server.hgetall(self.workers_key).items() if float(ts) >= cutoff]

    def close(self, reason):
        self.server.hdel(self.workers_key, self.worker_id)
        if not self.live_workers() and not len(self.queue):
            # The last worker out: the crawl is complete, forget what it has seen.
            self.df.clear()
            self.server.delete(self.workers_key)
            logger.info("last worker: crawl complete, duplicate filter cleared")

    def enqueue_request(self, request):
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            if self.stats:
                self.stats.inc_value("scheduler/filtered/redis")
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self):
        self.heartbeat()
        request = self.queue.pop(self.idle_before_close)
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class RedisItemPipeline:
    """Push each item (a plain dict) as JSON to ``jobtrends:items``."""

    def __init__(self, url: str):
        self.url = url
        self.server = None

    @classmethod
    def from_crawler(cls, crawler):
        obj = cls(crawler.settings.get("REDIS_URL"))
        obj.crawler = crawler
        return obj

    def open_spider(self) -> None:
        self.server = redis_client(self.url)

    def process_item(self, item):
        self.server.rpush(ITEMS_KEY, json.dumps(dict(item), ensure_ascii=False))
        self.crawler.stats.inc_value("jobtrends/pushed")
        return item


class SharedCrawl:
    """Keeps a worker alive while the shared queue may still grow; reports its stats."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.idle = crawler.settings.getfloat("JOBTRENDS_REDIS_IDLE", 5.0)
        self.idle_since: float | None = None
        self.server = redis_client(crawler.settings.get("REDIS_URL"))
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _wake(self) -> None:
        # Scrapy re-checks an idle spider only every 5 s; poll the shared queue faster.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def spider_idle(self, spider):
        scheduler = getattr(getattr(self.crawler.engine, "_slot", None), "scheduler", None)
        queued = len(scheduler) if scheduler is not None else 0
        if queued:
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = time.monotonic()
        if queued or time.monotonic() - self.idle_since < self.idle:
            from twisted.internet import reactor

            reactor.callLater(0.2, self._wake)
            raise DontCloseSpider

    def spider_closed(self, spider, reason):
        from crawler.runs import summarize

        stats = dict(self.crawler.stats.get_stats())
        summary = summarize(stats)
        summary.update(reason=reason, pushed=stats.get("jobtrends/pushed", 0), pid=os.getpid())
        self.server.rpush(STATS_KEY.format(spider=spider.name), json.dumps(summary))


# -- the single writer -----------------------------------------------------------------
@dataclass
class IngestResult:
    items: int = 0
    runs: dict[str, int] = field(default_factory=dict)  # spider -> run_id
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    workers: list[dict] = field(default_factory=list)

    def line(self) -> str:
        return (f"ingested {self.items} items from {len(self.workers)} worker run(s): new {self.new}, "
                f"updated {self.updated}, unchanged {self.unchanged}, skipped {self.skipped}; "
                f"runs {', '.join(f'{s}={r}' for s, r in sorted(self.runs.items())) or '-'}")


def ingest(url: str, db_path, *, idle_timeout: float = 30.0, start_timeout: float = 300.0,
           batch_size: int = 500, normalize: bool = True, progress=None) -> IngestResult:
    """Pop items from Redis and store them like the crawl pipeline; stop after idling.

    The writer waits up to ``start_timeout`` seconds for the first item (workers may start
    later), then exits once no item came for ``idle_timeout`` seconds.

    One ``crawl_runs`` row (kind ``ingest``) per spider seen, holding the stored counts and
    the workers' summed stats.  Example: ``ingest("redis://127.0.0.1:6379/0", "data/jobs.db")``.
    """
    from crawler.db import RawListing, connect, record_skip, save_raw, start_run

    server = redis_client(url)
    server.ping()
    conn = connect(db_path)
    result = IngestResult()
    months: set[str] = set()
    started = time.monotonic()
    last_item: float | None = None
    try:
        while True:
            popped = server.blpop([ITEMS_KEY], timeout=0.5)
            if popped is None:
                now = time.monotonic()
                if (last_item is None and now - started >= start_timeout) or (
                        last_item is not None and now - last_item >= idle_timeout):
                    break
                continue
            items = [popped[1]] + (server.lpop(ITEMS_KEY, batch_size - 1) or [])
            last_item = time.monotonic()
            listings: dict[str, list[RawListing]] = {}
            for raw in items:
                item = json.loads(raw)
                source = item.get("source") or "unknown"
                if source not in result.runs:
                    result.runs[source] = start_run(conn, source, kind="ingest", args={"redis": _safe(url)})
                result.items += 1
                if item.get("skip"):
                    result.skipped += 1
                    record_skip(conn, run_id=result.runs[source], source=source, url=item.get("url"),
                                reason=item.get("reason", "unknown"), detail=item.get("detail", ""),
                                excerpt=item.get("excerpt", ""))
                    continue
                listings.setdefault(source, []).append(RawListing(
                    source=source, source_id=str(item["source_id"]), payload=item["payload"],
                    payload_format=item.get("payload_format", "json"), url=item.get("url"),
                    fetched_at=item["fetched_at"], origin=item.get("origin")))
            for source, batch in listings.items():
                counts = save_raw(conn, batch, run_id=result.runs[source])
                result.new += counts.new
                result.updated += counts.updated
                result.unchanged += counts.unchanged
                if normalize and counts.changed_keys:
                    from crawler.normalize.run import normalize_rows

                    changed = set(counts.changed_keys)
                    latest = {(r.source, r.source_id): r for r in batch}
                    rows = [(r.source, r.source_id, r.payload, r.fetched_at, None)
                            for key, r in latest.items() if key in changed]
                    months |= normalize_rows(conn, rows).months
            if progress:
                progress(result)
        if normalize and months:
            from crawler.normalize.run import after_store

            after_store(conn, months)
        for source, run_id in result.runs.items():
            _finish_ingest_run(conn, server, source, run_id, result)
    finally:
        conn.close()
    return result


def _finish_ingest_run(conn, server, source: str, run_id: int, result: IngestResult) -> None:
    from crawler.db import finish_run

    key = STATS_KEY.format(spider=source)
    workers = [json.loads(s) for s in server.lrange(key, 0, -1)]
    server.delete(key)
    result.workers += workers
    row = conn.execute("SELECT count(*) FROM raw_listings WHERE last_run_id = ?", (run_id,)).fetchone()
    totals = {k: sum(w.get(k, 0) for w in workers) for k in ("pages", "retries", "errors", "pushed")}
    finish_run(conn, run_id, status="finished" if not totals["errors"] else "partial",
               finish_reason="idle", pages=totals["pages"], retries=totals["retries"],
               errors=totals["errors"], items=row[0], new=result.new, updated=result.updated,
               unchanged=result.unchanged, skipped=result.skipped,
               stats={"workers": workers, "pushed": totals["pushed"]})


def _safe(url: str) -> str:
    from crawler.monitors import safe_url

    return safe_url(url)


# -- a worker, until `jobtrends crawl --redis` is wired to it ------------------------------
def crawl_on_redis(name: str, args: dict, url: str, *, settings: dict | None = None,
                   log_file: str | None = None, idle: float = 5.0) -> dict:
    """Run one worker of ``name`` against the shared queue; return its stats summary."""
    from scrapy.crawler import CrawlerProcess

    from crawler.runner import project_settings, spider_names
    from crawler.runs import summarize

    if name not in spider_names():
        raise UserError(f"unknown spider {name!r}: choose from {', '.join(spider_names())}")
    redis_client(url).ping()
    overrides = {**redis_settings(url, idle=idle), **(settings or {})}
    if log_file:
        from pathlib import Path

        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        overrides["LOG_FILE"] = log_file
    process = CrawlerProcess(project_settings("", overrides))
    crawler = process.create_crawler(name)
    process.crawl(crawler, **args)
    process.start()
    stats = dict(crawler.stats.get_stats())
    return {**summarize(stats), "pushed": stats.get("jobtrends/pushed", 0),
            "reason": stats.get("finish_reason")}


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="One scrapy-redis worker of a jobtrends spider.")
    parser.add_argument("name")
    parser.add_argument("--redis", required=True)
    parser.add_argument("-a", dest="args", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--log-file")
    opts = parser.parse_args(argv)
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    summary = crawl_on_redis(opts.name, dict(a.split("=", 1) for a in opts.args), opts.redis,
                             settings=dict(s.split("=", 1) for s in opts.settings),
                             log_file=opts.log_file, idle=opts.idle)
    print(json.dumps(summary))
    return 0 if summary["reason"] == "finished" else 1


if __name__ == "__main__":
    raise SystemExit(main())
