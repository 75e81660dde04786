"""Scale-out on Redis: many crawl processes, one leased work queue, one SQLite writer.

``redis_settings(url)`` turns any jobtrends spider into a worker without changing it.
Work is *leased*, never popped, so a process killed at any moment loses nothing:

- requests live in Redis Streams (``jobtrends:<spider>:requests:<depth>``) read through
  the consumer group ``workers``.  ``XREADGROUP`` leases an entry to one worker; the entry
  is acknowledged (``XACK`` + ``XDEL``) only after the page's items were pushed and the
  requests it found were queued, in the same transaction as the items.  A worker that died
  (its pid is gone on this host, or no heartbeat for ``JOBTRENDS_REDIS_LEASE`` seconds) has
  its pending entries claimed (``XCLAIM``) and fetched by the others;
- the duplicate filter (a set of request fingerprints) and the queue are written in one
  Lua script: a request is either seen *and* queued, or neither;
- the queue is depth first: a worker takes from the deepest stream that has work, so the
  next page of a feed goes before another feed's first page and a long paginated source
  is not serialised behind ties;
- items are buffered per worker and pushed with the page's acknowledgement in one
  ``MULTI`` to the stream ``jobtrends:items``; ``jobtrends ingest`` (:func:`ingest`) reads
  it through the group ``ingest`` and acknowledges a batch after its SQLite commit, so a
  killed ingest's batch is committed again by the next one (upserts are idempotent);
- per-site politeness across workers (:class:`SharedRateLimit`): each request to a host
  takes one of the host's ``JOBTRENDS_DOMAIN_CONCURRENCY`` in-flight slots (a lease a dead
  worker cannot keep) and reserves the host's next start slot, ``1 /
  JOBTRENDS_DOMAIN_RATE`` seconds after the previous one whichever worker sent it; a
  ``Retry-After`` pushes the host's next slot for every worker;
- the worker's reactor does not wait on Redis for writes: found requests are queued,
  items and acknowledgements pushed, in-flight slots taken and given back through an
  asyncio client (a page's acknowledgement still waits until the requests it found are
  queued); only taking the next request is a blocking call;
- bookkeeping: live workers are a Redis hash of heartbeats; a worker that starts with no
  live worker and no queued or leased work clears the previous crawl's duplicate filter
  (and says so); the tally hash ``jobtrends:<spider>:tally`` counts requests issued and
  acknowledged, items pushed and committed, requests reclaimed from dead workers.  The last
  worker out marks the crawl ``done``; the writer's run is ``finished`` only when every
  issued request was acknowledged and every pushed item committed.

    python -m crawler.redis_scale upwork --redis redis://127.0.0.1:6379/0 -a feeds_file=...

Crash hooks for tests (the process SIGKILLs itself, no timers): ``JOBTRENDS_KILL_AFTER_PAGES=N``
(a worker, when its N-th response arrives) and ``JOBTRENDS_KILL_AFTER_ITEMS=N`` (ingest,
after committing the batch that reaches N items, before acknowledging it).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import signal
import socket
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from crawler.errors import UserError

logger = logging.getLogger(__name__)

ITEMS_KEY = "jobtrends:items"
WORKER_GROUP = "workers"
INGEST_GROUP = "ingest"
DEPTHS = 16  # request streams per spider; deeper requests than this share the last one
DEFAULT_LEASE = (
    60.0  # seconds without a heartbeat before a worker on another host is dead
)
DEFAULT_RATE = 2.0  # requests per second per host, shared by all workers
ENQUEUE_TRIES = 12  # tries (backing off up to 5 s) to queue a found request
DEFAULT_SITE_SLOTS = 2  # requests in flight per host, shared by all workers
DEFAULT_SITE_LEASE = (
    10.0  # seconds an in-flight slot outlives a worker that stopped renewing
)


def key(spider: str, what: str) -> str:
    return f"jobtrends:{spider}:{what}"


def stream_keys(spider: str) -> list[str]:
    """The request streams of a spider, deepest first (the order workers read them)."""
    return [key(spider, f"requests:{d}") for d in reversed(range(DEPTHS))]


def redis_settings(url: str, *, idle: float = 5.0) -> dict:
    """Scrapy settings that make a spider a worker on the shared queue."""
    from crawler import settings as project

    return {
        "SCHEDULER": "crawler.redis_scale.LeasedScheduler",
        "REDIS_URL": url,
        "ITEM_PIPELINES": {"crawler.redis_scale.RedisItemPipeline": 300},
        # Workers keep no SQLite: the run record is the writer's; incremental stops are off
        # (known_ids() finds no database) - the shared duplicate filter prevents refetching.
        "EXTENSIONS": {
            "crawler.run_record.RunRecorder": None,
            "crawler.redis_scale.SharedCrawl": 100,
        },
        "DOWNLOADER_MIDDLEWARES": {
            **project.DOWNLOADER_MIDDLEWARES,
            "crawler.redis_scale.SharedRateLimit": 950,
        },
        # The shared per-host rate replaces each process's own delay and AutoThrottle;
        # a worker leases no more requests than it downloads at once.
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": project.CONCURRENT_REQUESTS_PER_DOMAIN,
        "JOBTRENDS_DOMAIN_RATE": DEFAULT_RATE,
        "JOBTRENDS_DOMAIN_CONCURRENCY": project.CONCURRENT_REQUESTS_PER_DOMAIN,
        "JOBTRENDS_SITE_LEASE": DEFAULT_SITE_LEASE,
        "JOBTRENDS_REDIS_LEASE": DEFAULT_LEASE,
        "JOBTRENDS_DB": "",
        "JOBTRENDS_REDIS_IDLE": idle,
    }


def redis_client(url: str, *, decode: bool = True):
    import redis

    return redis.Redis.from_url(url, decode_responses=decode)


def redis_async_client(url: str, *, decode: bool = True):
    """A client for the reactor's asyncio loop: its calls do not block the worker."""
    import redis.asyncio

    return redis.asyncio.Redis.from_url(url, decode_responses=decode)


class Background:
    """Redis writes the reactor does not wait for; a failure is logged, never dropped."""

    def __init__(self, what: str):
        self.what = what
        self.tasks: set = set()

    def start(self, coro):
        import asyncio

        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("%s failed", self.what, exc_info=task.exception())

    async def wait(self) -> None:
        import asyncio

        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def new_consumer_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def consumer_dead(
    name: str, *, heartbeat: float | None, lease: float, now: float
) -> bool:
    """A consumer ``host:pid:tag`` is dead when its pid is gone on this host, or when its
    last heartbeat (None: none) is older than ``lease`` seconds."""
    if gone_from_this_host(name):
        return True
    return heartbeat is None or now - heartbeat > lease


def gone_from_this_host(name: str) -> bool:
    """True when ``name`` (``host:pid:...``) is a process of this host that is gone."""
    host, _, rest = name.partition(":")
    pid = rest.partition(":")[0]
    return host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid))


def _ensure_group(server, stream: str, group: str) -> None:
    import redis

    try:
        server.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _take_over(server, stream: str, group: str, me: str, name: str) -> list:
    """Claim every pending entry of the dead consumer ``name`` for ``me``; drop ``name``."""
    claimed = []
    while True:
        pending = server.xpending_range(
            stream, group, min="-", max="+", count=500, consumername=name
        )
        if not pending:
            break
        ids = [p["message_id"] for p in pending]
        # min_idle_time: an entry another live consumer claimed a moment ago is left alone
        got = server.xclaim(stream, group, me, min_idle_time=200, message_ids=ids)
        claimed += [entry for entry in got if entry and entry[1]]
        if len(got) < len(ids):
            break
    if not server.xpending_range(
        stream, group, min="-", max="+", count=1, consumername=name
    ):
        server.xgroup_delconsumer(stream, group, name)
    return claimed


def _claim_from_dead(server, stream: str, group: str, me: str, is_dead) -> list:
    """Claim every pending entry of the group's dead consumers for ``me``; drop the dead."""
    claimed = []
    for info in server.xinfo_consumers(stream, group):
        name = _text(info["name"])
        if name != me and is_dead(name, info):
            claimed += _take_over(server, stream, group, me, name)
    return claimed


# -- Lua: the steps that must not be split by a crash or by another worker -----------------
# KEYS: workers hash, dupefilter, tally, streams...; ARGV: me, now, lease
OPEN_LUA = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local others = 0
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] and tonumber(ARGV[2]) - tonumber(all[i + 1]) <= tonumber(ARGV[3]) then
    others = others + 1
  end
end
local queued = 0
for i = 4, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then queued = queued + redis.call('XLEN', KEYS[i]) end
end
local cleared = -1
if others == 0 and queued == 0 then
  cleared = redis.call('SCARD', KEYS[2])
  redis.call('DEL', KEYS[2], KEYS[3])
  for i = 4, #KEYS do redis.call('DEL', KEYS[i]) end
  redis.call('HSET', KEYS[3], 'started', ARGV[2])
end
return {others, queued, cleared}
"""

# KEYS: dupefilter, stream, tally; ARGV: fingerprint, payload, dont_filter
ENQUEUE_LUA = """
if ARGV[3] == '0' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', 'r', ARGV[2])
redis.call('HINCRBY', KEYS[3], 'issued', 1)
return 1
"""

# KEYS: streams, deepest first; ARGV: group, consumer
NEXT_LUA = """
for i = 1, #KEYS do
  local got = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[i], '>')
  if got and got[1] and #got[1][2] > 0 then
    local entry = got[1][2][1]
    return {KEYS[i], entry[1], entry[2][2]}
  end
end
return false
"""

# KEYS: workers hash, dupefilter, tally, streams...; ARGV: me, now, lease
CLOSE_LUA = """
redis.call('HDEL', KEYS[1], ARGV[1])
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if tonumber(ARGV[2]) - tonumber(all[i + 1]) <= tonumber(ARGV[3]) then return 0 end
end
for i = 4, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('XLEN', KEYS[i]) > 0 then return 0 end
end
redis.call('DEL', KEYS[1], KEYS[2])
for i = 4, #KEYS do redis.call('DEL', KEYS[i]) end
redis.call('HSET', KEYS[3], 'done', ARGV[2])
return 1
"""

# KEYS: the host's next-start key, the host's in-flight set (token -> lease end);
# ARGV: interval seconds, minimum wait seconds, in-flight limit (0: none), lease seconds,
# token.  With the limit reached: {'-1', '0'}, nothing taken.  Else the token joins the
# in-flight set and the host's next start slot is reserved: {seconds to wait, reserved start
# on the Redis clock} (strings: Lua numbers would become integers).
SITE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local limit = tonumber(ARGV[3])
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= limit then return {'-1', '0'} end
  local lease = tonumber(ARGV[4])
  redis.call('ZADD', KEYS[2], now + lease, ARGV[5])
  redis.call('PEXPIRE', KEYS[2], math.ceil(lease * 1000) + 60000)
end
local interval = tonumber(ARGV[1])
if interval <= 0 then return {'0', string.format('%.6f', now)} end
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now + tonumber(ARGV[2]), nxt)
local after = at + interval
redis.call('SET', KEYS[1], string.format('%.6f', after), 'PX', math.ceil((after - now) * 1000) + 60000)
return {string.format('%.6f', at - now), string.format('%.6f', at)}
"""

# KEYS: in-flight sets, one per token; ARGV: lease seconds, tokens.  Extends each token's
# lease; returns how many tokens were no longer there (their lease had run out).
RENEW_LUA = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
local gone = 0
for i = 1, #KEYS do
  if redis.call('ZSCORE', KEYS[i], ARGV[i + 1]) then
    redis.call('ZADD', KEYS[i], until_, ARGV[i + 1])
  else
    gone = gone + 1
  end
end
return gone
"""

# KEYS: the host's next-slot key; ARGV: seconds no request may start (Retry-After)
HOLD_LUA = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > nxt then
  redis.call('SET', KEYS[1], string.format('%.6f', until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 60000)
end
return 1
"""


class LeasedScheduler:
    """A Scrapy scheduler on Redis Streams: requests are leased, acknowledged when done."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.url = settings.get("REDIS_URL")
        self.lease = settings.getfloat("JOBTRENDS_REDIS_LEASE", DEFAULT_LEASE)
        self.server = redis_client(self.url, decode=False)
        self.aserver = redis_async_client(self.url, decode=False)
        self.flushing = Background("pushing items and acknowledgements")
        self.enqueuing = Background("queueing a request")
        self.lost_enqueue = False
        self.worker_id = new_consumer_name()
        self.local: deque = (
            deque()
        )  # entries claimed from dead workers, not started yet
        self.items: list[str] = []  # item JSON waiting for the next flush
        self.acks: list[
            tuple[str, bytes]
        ] = []  # (stream, entry id) done, waiting for the flush
        self.pushed = 0
        self._beat = 0.0
        self._reaped = 0.0
        self._queued = (0.0, 0)
        self._loop = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    # -- keys ------------------------------------------------------------------------------
    def open(self, spider):
        self.spider = spider
        name = spider.name
        self.workers_key, self.df_key, self.tally_key = (
            key(name, "workers"),
            key(name, "dupefilter"),
            key(name, "tally"),
        )
        self.streams = stream_keys(name)
        self._open = self.server.register_script(OPEN_LUA)
        self._aenqueue = self.aserver.register_script(ENQUEUE_LUA)
        self._next = self.server.register_script(NEXT_LUA)
        self._close = self.server.register_script(CLOSE_LUA)
        self.forget_dead_workers()
        others, queued, cleared = self._open(
            keys=[self.workers_key, self.df_key, self.tally_key, *self.streams],
            args=[self.worker_id, time.time(), self.lease],
        )
        self._beat = time.time()
        if cleared >= 0:
            if cleared:
                logger.warning(
                    "no live worker and no pending work: cleared the duplicate filter "
                    "(%d fingerprints) left by an earlier crawl - starting a new crawl",
                    cleared,
                )
            else:
                logger.info("starting a new crawl of %s", name)
        elif others:
            logger.info(
                "joining a crawl in progress: %d requests queued or leased, %d other "
                "live workers",
                queued,
                others,
            )
        else:
            logger.warning(
                "resuming a crawl whose workers are gone: %d requests queued or leased",
                queued,
            )
        for stream in self.streams:
            _ensure_group(self.server, stream, WORKER_GROUP)
        # The engine calls slot.remove_request once a request's response went through the
        # spider and its items through the pipelines: that is when its lease is done.
        slot = self.crawler.engine._slot
        remove = slot.remove_request

        def remove_request(request):
            remove(request)
            self.done(request, closing=slot.closing is not None)

        slot.remove_request = remove_request
        from twisted.internet import task

        self._loop = task.LoopingCall(self.tick)
        self._loop.start(0.1, now=False)

    # -- liveness --------------------------------------------------------------------------
    def heartbeat(self, force: bool = False) -> None:
        now = time.time()
        if force or now - self._beat > self.lease / 6:
            self.server.hset(self.workers_key, self.worker_id, now)
            self._beat = now

    def forget_dead_workers(self, beats: dict | None = None) -> set[str]:
        """Remove dead workers from the live hash; return the live ones (this one included).

        ``beats``: the hash as just read (bytes keys), else it is read here.
        """
        if beats is None:
            beats = self.server.hgetall(self.workers_key)
        now = time.time()
        live, dead = {self.worker_id}, []
        for k, v in beats.items():
            w = _text(k)
            if w == self.worker_id:
                continue
            if consumer_dead(w, heartbeat=float(v), lease=self.lease, now=now):
                dead.append(w)
            else:
                live.add(w)
        # Count only the ones this worker removed: two workers may see the same dead one.
        dead = [w for w in dead if self.server.hdel(self.workers_key, w)]
        if dead:
            self.server.hincrby(self.tally_key, "dead_workers", len(dead))
            logger.warning(
                "worker(s) %s stopped without leaving: their leased requests go to the "
                "live workers",
                ", ".join(dead),
            )
        return live

    def reclaim(self) -> int:
        """Take over the pending requests of dead workers (two round trips when none died)."""
        pipe = self.server.pipeline(transaction=False)
        pipe.hgetall(self.workers_key)
        for stream in self.streams:
            pipe.xinfo_consumers(stream, WORKER_GROUP)
        beats, *infos = pipe.execute(raise_on_error=False)
        live = self.forget_dead_workers(beats)
        got = 0
        for stream, consumers in zip(self.streams, infos, strict=True):
            if isinstance(consumers, Exception):
                continue  # the stream went with the crawl's end
            for info in consumers:
                name = _text(info["name"])
                if name in live:
                    continue
                for entry_id, fields in _take_over(
                    self.server, stream, WORKER_GROUP, self.worker_id, name
                ):
                    self.local.append((stream, entry_id, fields[b"r"]))
                    got += 1
        if got:
            self.server.hincrby(self.tally_key, "reclaimed", got)
            self.stats.inc_value("jobtrends/reclaimed", got)
            logger.warning("took over %d requests leased by dead workers", got)
        return got

    def tick(self) -> None:
        """Every 0.1 s: heartbeat, reap dead workers (every second), flush, wake the engine."""
        import redis

        try:
            self.heartbeat()
            limiter = getattr(self.crawler, "jobtrends_rate_limit", None)
            if limiter is not None:
                limiter.renew()
            now = time.monotonic()
            if now - self._reaped > 1.0:
                self._reaped = now
                self.reclaim()
            self.flush_soon()
        except redis.RedisError as exc:
            # A Redis hiccup must not stop the loop (no heartbeat = declared dead).
            self.stats.inc_value("jobtrends/redis_errors")
            logger.warning("Redis error in the worker loop, retrying: %s", exc)
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()  # requests other workers queued since the last look

    # -- the queue -------------------------------------------------------------------------
    def enqueue_request(self, request) -> bool:
        meta = request.meta
        meta.pop("jobtrends_lease", None)  # a retry or redirect copies its parent's
        depth = min(int(meta.get("depth", 0) or 0), DEPTHS - 1)
        payload = pickle.dumps(request.to_dict(spider=self.spider), protocol=4)
        fingerprint = self.crawler.request_fingerprinter.fingerprint(request).hex()
        stream = key(self.spider.name, f"requests:{depth}")
        # Queued without blocking the reactor; the flush that acknowledges the page that
        # found this request waits for it first (see flush).
        self.enqueuing.start(
            self._enqueue_one(
                [self.df_key, stream, self.tally_key],
                [fingerprint, payload, "1" if request.dont_filter else "0"],
            )
        )
        return True

    async def _enqueue_one(self, keys: list[str], args: list) -> None:
        import asyncio

        import redis

        for attempt in range(ENQUEUE_TRIES):
            try:
                added = await self._aenqueue(keys=keys, args=args)
                break
            except redis.RedisError as exc:
                self.stats.inc_value("jobtrends/redis_errors")
                logger.warning("Redis error queueing a request, retrying: %s", exc)
                await asyncio.sleep(min(0.1 * 2**attempt, 5.0))
        else:
            # The page that found it must be fetched again: acknowledge nothing more, so
            # this worker's leases go to the others once it stops.
            self.lost_enqueue = True
            logger.error(
                "could not queue a request after %d tries: this worker acknowledges no "
                "more pages; other or later workers fetch them again",
                ENQUEUE_TRIES,
            )
            return
        self.stats.inc_value(
            "scheduler/enqueued/redis" if added else "scheduler/filtered/redis"
        )
        self._queued = (0.0, 0)
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    def next_request(self):
        if self.enqueuing.tasks and not self.local:
            # Requests this worker just found are on their way to Redis: wait for them
            # (each one landing wakes the engine) so the deepest page is taken, not one that
            # merely arrived first - the next page of a feed is the crawl's critical path.
            return None
        if self.local:
            stream, entry_id, payload = self.local.popleft()
        else:
            got = self._next(keys=self.streams, args=[WORKER_GROUP, self.worker_id])
            if not got:
                return None
            stream, entry_id, payload = _text(got[0]), got[1], got[2]
        from scrapy.utils.request import request_from_dict

        request = request_from_dict(pickle.loads(payload), spider=self.spider)
        request.meta["jobtrends_lease"] = (stream, entry_id)
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def done(self, request, *, closing: bool = False) -> None:
        lease = request.meta.get("jobtrends_lease")
        if lease is None:
            return
        if closing:
            # Stopped mid-way (shutdown): the download may have been cut; leave the entry
            # leased, a live or later worker fetches it again.
            return
        self.acks.append(lease)
        self.flush_soon()

    def flush_soon(self) -> None:
        """Push the buffered items and acknowledgements without blocking the reactor (one
        flush runs at a time; it goes on while more are buffered)."""
        if (self.items or self.acks) and not self.flushing.tasks:
            self.flushing.start(self._flush_all())

    async def _flush_all(self) -> None:
        import redis

        try:
            while self.items or self.acks:
                await self.flush()
        except redis.RedisError as exc:
            # kept for the next try (the loop's tick starts one every 0.1 s)
            self.stats.inc_value("jobtrends/redis_errors")
            logger.warning("Redis error pushing items, retrying: %s", exc)

    async def flush(self) -> None:
        """Push buffered items and acknowledge finished requests in one transaction."""
        if not self.items and not self.acks:
            return
        import asyncio

        items, acks = self.items, self.acks
        self.items, self.acks = [], []
        # A page is acknowledged only once the requests it found are queued.
        queueing = list(self.enqueuing.tasks)
        if queueing:
            await asyncio.gather(*queueing, return_exceptions=True)
        if self.lost_enqueue:
            acks = []
        pipe = self.aserver.pipeline(transaction=True)
        for raw in items:
            pipe.xadd(ITEMS_KEY, {"i": raw})
        if items:
            pipe.hincrby(self.tally_key, "items_pushed", len(items))
        for stream, entry_id in acks:
            pipe.xack(stream, WORKER_GROUP, entry_id)
            pipe.xdel(stream, entry_id)
        if acks:
            pipe.hincrby(self.tally_key, "acked", len(acks))
        try:
            await pipe.execute()
        except BaseException:
            # Not pushed (also on cancellation, hence BaseException; re-raised below): keep
            # them for the next flush (a MULTI applies all or nothing; if it did apply,
            # pushing again repeats items the writer upserts idempotently).
            self.items, self.acks = items + self.items, acks + self.acks
            raise
        self._queued = (0.0, 0)

    def queued(self) -> int:
        """Requests queued or leased by any worker (cached for 50 ms)."""
        at, n = self._queued
        if time.monotonic() - at > 0.05:
            pipe = self.server.pipeline(transaction=False)
            for stream in self.streams:
                pipe.xlen(stream)
            n = sum(pipe.execute())
            self._queued = (time.monotonic(), n)
        return n + len(self.local) + len(self.enqueuing.tasks)

    def has_pending_requests(self) -> bool:
        return self.queued() > 0

    def __len__(self) -> int:
        return self.queued()

    def close(self, reason):
        from scrapy.utils.defer import deferred_from_coro

        if self._loop is not None and self._loop.running:
            self._loop.stop()
        return deferred_from_coro(self._close_async(reason))

    async def _close_async(self, reason) -> None:
        limiter = getattr(self.crawler, "jobtrends_rate_limit", None)
        if limiter is not None:
            await limiter.background.wait()
            limiter.release_all()
        await self.enqueuing.wait()
        await self.flushing.wait()
        await self.flush()
        last = self._close(
            keys=[self.workers_key, self.df_key, self.tally_key, *self.streams],
            args=[self.worker_id, time.time(), self.lease],
        )
        if last:
            logger.info("last worker out: crawl complete, duplicate filter cleared")
        elif reason != "finished":
            logger.warning(
                "stopped (%s) with work left in the queue: other or later workers take it",
                reason,
            )


class RedisItemPipeline:
    """Buffer each item (a plain dict, as JSON); the scheduler pushes them with the page's ack."""

    @classmethod
    def from_crawler(cls, crawler):
        obj = cls()
        obj.crawler = crawler
        return obj

    def process_item(self, item):
        scheduler = self.crawler.engine._slot.scheduler
        scheduler.items.append(json.dumps(dict(item), ensure_ascii=False))
        self.crawler.stats.inc_value("jobtrends/pushed")
        if len(scheduler.items) >= 1000:
            scheduler.flush_soon()
        return item


class SharedRateLimit:
    """Downloader middleware: per-host politeness shared by every worker, in Redis.

    - **Concurrency**: at most ``JOBTRENDS_DOMAIN_CONCURRENCY`` requests to one host are in
      flight across all workers.  A request takes a token of the host's in-flight set
      before it starts and gives it back with its response or error.  Tokens are leases
      (``JOBTRENDS_SITE_LEASE`` seconds, renewed while the worker lives): a killed worker's
      tokens are dropped at once when its pid is gone on this host, else when their lease
      runs out, so a dead worker never holds a host's slot for good.
    - **Rate**: each request reserves the host's next start slot (a Lua script on the Redis
      clock): requests to one host start at least ``1 / JOBTRENDS_DOMAIN_RATE`` seconds
      apart, however many workers send them.  :meth:`hold` (called for a ``Retry-After``)
      moves the host's next slot past the wait for every worker.
    """

    POLL = 0.01  # seconds between tries while a host's in-flight limit is reached

    def __init__(self, crawler):
        from itertools import count

        self.crawler = crawler
        settings = crawler.settings
        rate = settings.getfloat("JOBTRENDS_DOMAIN_RATE", DEFAULT_RATE)
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.limit = settings.getint("JOBTRENDS_DOMAIN_CONCURRENCY", DEFAULT_SITE_SLOTS)
        self.lease = settings.getfloat("JOBTRENDS_SITE_LEASE", DEFAULT_SITE_LEASE)
        self.server = redis_client(settings.get("REDIS_URL"))
        self.aserver = redis_async_client(settings.get("REDIS_URL"))
        self.background = Background("giving back an in-flight slot")
        self._site = self.aserver.register_script(SITE_LUA)
        self._renew = self.server.register_script(RENEW_LUA)
        self._hold = self.server.register_script(HOLD_LUA)
        self.name = new_consumer_name()
        self._tokens = count(1)
        self.held: dict[str, str] = {}  # token -> the in-flight set holding it
        self._renewed = time.monotonic()
        self._swept = 0.0
        crawler.jobtrends_rate_limit = self

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def host_key(url: str) -> str | None:
        host = urlsplit(url).hostname
        return f"jobtrends:rate:{host}" if host else None

    @staticmethod
    def flight_key(rate_key: str) -> str:
        return rate_key.replace("jobtrends:rate:", "jobtrends:inflight:", 1)

    async def process_request(self, request, spider=None):
        slot = self.host_key(request.url)
        if slot is None or (self.interval <= 0 and self.limit <= 0):
            return
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        stats = self.crawler.stats
        token = f"{self.name}:{next(self._tokens)}" if self.limit > 0 else None
        while True:
            got = await self.acquire(slot, token)
            if got is not None:
                break
            stats.inc_value("jobtrends/site_full_waits")
            await maybe_deferred_to_future(deferLater(reactor, self.POLL, lambda: None))
        if token:
            request.meta["jobtrends_site_token"] = token
        wait = got[0]
        if wait > 0:
            stats.inc_value("jobtrends/rate_waits")
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))

    def process_response(self, request, response, spider=None):
        self.release(request)
        return response

    def process_exception(self, request, exception, spider=None):
        self.release(request)

    async def acquire(self, slot: str, token: str | None) -> tuple[float, float] | None:
        """Take an in-flight token of the host (``token`` None: no in-flight limit) and its
        next start slot: (seconds to wait, reserved start on the Redis clock), or None
        while the host's in-flight limit is reached."""
        limit = self.limit if token else 0
        wait, at = await self._site(
            keys=[slot, self.flight_key(slot)],
            args=[self.interval, 0, limit, self.lease, token or ""],
        )
        if wait == "-1":
            self.sweep(self.flight_key(slot))
            return None
        if limit > 0:
            self.held[token] = self.flight_key(slot)
        return float(wait), float(at)

    def release(self, request) -> None:
        """Give the request's in-flight token back (without blocking the reactor)."""
        token = request.meta.pop("jobtrends_site_token", None)
        flights = self.held.pop(token, None) if token else None
        if flights:
            self.background.start(self.aserver.zrem(flights, token))

    def renew(self, force: bool = False) -> None:
        """Extend the leases of the tokens this worker holds (every lease / 4 seconds;
        called by the scheduler's loop)."""
        now = time.monotonic()
        if not self.held or (not force and now - self._renewed < self.lease / 4):
            return
        self._renewed = now
        tokens = list(self.held)
        gone = self._renew(
            keys=[self.held[t] for t in tokens], args=[self.lease, *tokens]
        )
        if gone:
            # Stalled longer than the lease: another worker may have used the slot.
            self.crawler.stats.inc_value("jobtrends/site_leases_lost", int(gone))
            logger.warning(
                "%d in-flight slot lease(s) ran out before renewal (worker stalled "
                "longer than JOBTRENDS_SITE_LEASE=%gs)",
                gone,
                self.lease,
            )

    def release_all(self) -> None:
        """Give back every token still held (the worker is closing)."""
        held, self.held = self.held, {}
        for token, flights in held.items():
            self.server.zrem(flights, token)

    def sweep(self, flights: str) -> int:
        """Drop the tokens of workers that died on this host (at most once a second)."""
        now = time.monotonic()
        if now - self._swept < 1.0:
            return 0
        self._swept = now
        dead = [
            token
            for token in self.server.zrange(flights, 0, -1)
            if token.rpartition(":")[0] != self.name and gone_from_this_host(token)
        ]
        if dead:
            self.server.zrem(flights, *dead)
            self.crawler.stats.inc_value("jobtrends/site_slots_freed", len(dead))
            logger.warning(
                "freed %d in-flight slot(s) of %s held by dead workers",
                len(dead),
                flights.partition("jobtrends:inflight:")[2],
            )
        return len(dead)

    def hold(self, url: str, seconds: float) -> None:
        slot = self.host_key(url)
        if slot is not None and seconds > 0:
            self._hold(keys=[slot], args=[seconds])


class SharedCrawl:
    """Keeps a worker alive while the shared queue may still grow; reports its stats."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.idle = crawler.settings.getfloat("JOBTRENDS_REDIS_IDLE", 5.0)
        self.idle_since: float | None = None
        self.server = redis_client(crawler.settings.get("REDIS_URL"))
        self.kill_after = int(os.environ.get("JOBTRENDS_KILL_AFTER_PAGES") or 0)
        self.responses = 0
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        if self.kill_after:
            crawler.signals.connect(
                self.response_received, signal=signals.response_received
            )

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def response_received(self, response, request, spider):
        self.responses += 1
        if self.responses >= self.kill_after:
            logger.warning(
                "JOBTRENDS_KILL_AFTER_PAGES=%d reached: killing this worker",
                self.kill_after,
            )
            os.kill(os.getpid(), signal.SIGKILL)

    def _wake(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def spider_idle(self, spider):
        # The engine is idle only when no request is queued or leased by any worker.
        if self.idle_since is None:
            self.idle_since = time.monotonic()
        if time.monotonic() - self.idle_since < self.idle:
            from twisted.internet import reactor

            reactor.callLater(0.2, self._wake)
            raise DontCloseSpider

    def spider_closed(self, spider, reason):
        from crawler.run_record import summarize

        stats = dict(self.crawler.stats.get_stats())
        summary = summarize(stats)
        summary.update(
            reason=reason,
            pushed=stats.get("jobtrends/pushed", 0),
            pid=os.getpid(),
            reclaimed=stats.get("jobtrends/reclaimed", 0),
            pages_lost=stats.get("jobtrends/pages_lost", 0),
        )
        self.server.rpush(key(spider.name, "stats"), json.dumps(summary))


# -- the single writer -----------------------------------------------------------------
@dataclass
class IngestResult:
    items: int = 0
    runs: dict[str, int] = field(default_factory=dict)  # spider -> run_id
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    recovered: int = 0  # items a dead ingest had read but not acknowledged
    workers: list[dict] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # spider -> status line

    def line(self) -> str:
        out = (
            f"ingested {self.items} items from {len(self.workers)} worker run(s): new {self.new}, "
            f"updated {self.updated}, unchanged {self.unchanged}, skipped {self.skipped}; "
            f"runs {', '.join(f'{s}={r}' for s, r in sorted(self.runs.items())) or '-'}"
        )
        if self.recovered:
            out += f"; {self.recovered} items recovered from a writer that died"
        for spider, status in sorted(self.statuses.items()):
            out += f"\n{spider}: {status}"
        return out


def _tally(server, spider: str) -> dict[str, int]:
    return {k: int(float(v)) for k, v in server.hgetall(key(spider, "tally")).items()}


def _all_done(server, spiders) -> bool:
    return bool(spiders) and all("done" in _tally(server, s) for s in spiders)


def ingest(
    url: str,
    db_path,
    *,
    idle_timeout: float = 30.0,
    start_timeout: float = 300.0,
    batch_size: int = 500,
    normalize: bool = True,
    progress=None,
    lease: float = DEFAULT_LEASE,
) -> IngestResult:
    """Store the items of ``jobtrends:items`` like the crawl pipeline; one writer at a time.

    Items are read through the consumer group ``ingest`` and acknowledged after their batch
    is committed; items a dead writer read but never acknowledged are committed first.
    Stops when the crawl of every spider seen is done and every item stored, or after
    ``idle_timeout`` seconds without items (``start_timeout`` before the first one).

    One ``crawl_runs`` row (kind ``ingest``) per spider seen, holding the stored counts, the
    workers' summed stats and the queue tally; it is ``finished`` only when every request
    the workers issued was completed and every item they pushed was committed.
    Example: ``ingest("redis://127.0.0.1:6379/0", "data/jobs.db")``.
    """
    from crawler.db import connect
    from crawler.run_record import mark_interrupted

    server = redis_client(url)
    server.ping()
    conn = connect(db_path)
    mark_interrupted(conn)
    me = new_consumer_name()
    _ensure_group(server, ITEMS_KEY, INGEST_GROUP)
    kill_after = int(os.environ.get("JOBTRENDS_KILL_AFTER_ITEMS") or 0)
    result = IngestResult()
    months: set[str] = set()
    committed: dict[str, int] = {}
    started = time.monotonic()
    last_item: float | None = None

    def is_dead(name, info):
        # another writer: dead when its pid is gone here, or silent for longer than the lease
        return consumer_dead(
            name,
            heartbeat=time.time() - info["idle"] / 1000,
            lease=lease,
            now=time.time(),
        )

    leftovers = _claim_from_dead(server, ITEMS_KEY, INGEST_GROUP, me, is_dead)
    if leftovers:
        result.recovered = len(leftovers)
        logger.warning(
            "%d items read by a writer that died before committing them: storing them now",
            len(leftovers),
        )
    try:
        while True:
            if leftovers:
                entries, leftovers = leftovers[:batch_size], leftovers[batch_size:]
            else:
                got = server.xreadgroup(
                    INGEST_GROUP, me, {ITEMS_KEY: ">"}, count=batch_size, block=500
                )
                entries = got[0][1] if got else []
            if not entries:
                now = time.monotonic()
                if (
                    result.runs
                    and _all_done(server, result.runs)
                    and not server.xpending(ITEMS_KEY, INGEST_GROUP)["pending"]
                    and not server.xlen(ITEMS_KEY)
                ):
                    break
                if (last_item is None and now - started >= start_timeout) or (
                    last_item is not None and now - last_item >= idle_timeout
                ):
                    break
                continue
            last_item = time.monotonic()
            sources = _store_batch(
                conn, [e[1]["i"] for e in entries], url, result, months, normalize
            )
            result.items += len(entries)
            if kill_after and result.items >= kill_after:
                logger.warning(
                    "JOBTRENDS_KILL_AFTER_ITEMS=%d reached: killing the writer",
                    kill_after,
                )
                os.kill(os.getpid(), signal.SIGKILL)
            pipe = server.pipeline(transaction=True)
            ids = [e[0] for e in entries]
            pipe.xack(ITEMS_KEY, INGEST_GROUP, *ids)
            pipe.xdel(ITEMS_KEY, *ids)
            for source, n in sources.items():
                pipe.hincrby(key(source, "tally"), "items_committed", n)
                committed[source] = committed.get(source, 0) + n
            pipe.execute()
            if progress:
                progress(result)
        if normalize and months:
            from crawler.normalize.bulk import after_store

            after_store(conn, months)
        for source, run_id in result.runs.items():
            _finish_ingest_run(conn, server, source, run_id, result)
    finally:
        conn.close()
    return result


def _store_batch(
    conn, raws: list[str], url: str, result: IngestResult, months: set, normalize: bool
) -> dict[str, int]:
    """Store one batch of item JSON; return items per source."""
    from crawler.db import RawRow, record_skip, save_raw, start_run
    from crawler.pipelines import raw_listing
    from crawler.run_record import record_owner

    listings: dict[str, list[RawRow]] = {}
    per_source: dict[str, int] = {}
    for raw in raws:
        item = json.loads(raw)
        source = item.get("source") or "unknown"
        per_source[source] = per_source.get(source, 0) + 1
        if source not in result.runs:
            result.runs[source] = start_run(
                conn, source, kind="ingest", args={"redis": _safe(url)}
            )
            record_owner(conn, result.runs[source])
        if item.get("skip"):
            result.skipped += 1
            record_skip(
                conn,
                run_id=result.runs[source],
                source=source,
                url=item.get("url"),
                reason=item.get("reason", "unknown"),
                detail=item.get("detail", ""),
                excerpt=item.get("excerpt", ""),
            )
            continue
        listings.setdefault(source, []).append(raw_listing({**item, "source": source}))
    for source, batch in listings.items():
        counts = save_raw(conn, batch, run_id=result.runs[source])
        result.new += counts.new
        result.updated += counts.updated
        result.unchanged += counts.unchanged
        if normalize and counts.changed_keys:
            from crawler.normalize.bulk import normalize_keys

            months |= normalize_keys(
                conn, counts.changed_keys, run_id=result.runs[source], workers=1
            ).months
    return per_source


def crawl_verdict(tally: dict[str, int]) -> tuple[str, str]:
    """(status, reason) of a crawl from its queue tally: finished only when nothing was lost.

    ``crawl_verdict({"issued": 9, "acked": 9, "items_pushed": 50, "items_committed": 50,
    "done": 1})`` -> ``("finished", "crawl complete: 9 requests, 50 items")``.
    """
    issued, acked = tally.get("issued", 0), tally.get("acked", 0)
    pushed, stored = tally.get("items_pushed", 0), tally.get("items_committed", 0)
    notes = []
    if tally.get("dead_workers"):
        notes.append(
            f"{tally['dead_workers']} worker(s) died, "
            f"{tally.get('reclaimed', 0)} of their requests fetched by the others"
        )
    if not tally:
        return "finished", "idle (no queue tally: the crawl's bookkeeping was reset)"
    if "done" not in tally:
        return "partial", (
            f"crawl not complete: {issued - acked} of {issued} requests not done "
            "(workers still running or all died; start a worker to resume)"
        )
    if acked < issued:
        return (
            "partial",
            f"lost work: {issued - acked} of {issued} requests never completed",
        )
    if stored < pushed:
        return (
            "partial",
            f"lost work: {pushed - stored} of {pushed} items never committed",
        )
    return "finished", "; ".join(
        [f"crawl complete: {issued} requests, {pushed} items", *notes]
    )


def _finish_ingest_run(
    conn, server, source: str, run_id: int, result: IngestResult
) -> None:
    from crawler.db import finish_run

    stats_key = key(source, "stats")
    workers = [json.loads(s) for s in server.lrange(stats_key, 0, -1)]
    tally = _tally(server, source)
    status, reason = crawl_verdict(tally)
    if "done" in tally:
        server.delete(stats_key, key(source, "tally"))
    result.workers += workers
    row = conn.execute(
        "SELECT count(*) FROM raw_listings WHERE last_run_id = ?", (run_id,)
    ).fetchone()
    totals = {
        k: sum(w.get(k, 0) for w in workers)
        for k in ("pages", "retries", "errors", "pushed", "pages_lost")
    }
    if status == "finished" and (totals["errors"] or totals["pages_lost"]):
        status = (
            "partial"  # like a single-process crawl: a page given up is a lost page
        )
        reason += f"; {totals['pages_lost']} pages lost, {totals['errors']} errors (see skipped_listings)"
    result.statuses[source] = f"{status} - {reason}"
    finish_run(
        conn,
        run_id,
        status=status,
        finish_reason=reason,
        pages=totals["pages"],
        retries=totals["retries"],
        errors=totals["errors"],
        items=row[0],
        new=result.new,
        updated=result.updated,
        unchanged=result.unchanged,
        skipped=result.skipped,
        stats={
            "workers": workers,
            "pushed": totals["pushed"],
            "tally": tally,
            "recovered_items": result.recovered,
        },
    )


def _safe(url: str) -> str:
    from crawler.monitors import safe_url

    return safe_url(url)


# -- one worker --------------------------------------------------------------------------
def crawl_on_redis(
    name: str,
    args: dict,
    url: str,
    *,
    settings: dict | None = None,
    log_file: str | None = None,
    idle: float = 5.0,
) -> dict:
    """Run one worker of ``name`` against the shared queue; return its stats summary."""
    from scrapy.crawler import CrawlerProcess

    from crawler.crawl_process import project_settings, spider_names
    from crawler.run_record import summarize

    if name not in spider_names():
        raise UserError(
            f"unknown spider {name!r}: choose from {', '.join(spider_names())}"
        )
    redis_client(url).ping()
    settings = settings or {}
    overrides = {**redis_settings(url, idle=idle), **settings}
    if "CONCURRENT_REQUESTS_PER_DOMAIN" in settings:
        # The per-domain limit holds across workers unless the site-wide one is given.
        for name_ in ("CONCURRENT_REQUESTS", "JOBTRENDS_DOMAIN_CONCURRENCY"):
            if name_ not in settings:
                overrides[name_] = settings["CONCURRENT_REQUESTS_PER_DOMAIN"]
    if log_file:
        from pathlib import Path

        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        overrides["LOG_FILE"] = log_file
    process = CrawlerProcess(project_settings("", overrides))
    crawler = process.create_crawler(name)
    process.crawl(crawler, **args)
    process.start()
    stats = dict(crawler.stats.get_stats())
    return {
        **summarize(stats),
        "pushed": stats.get("jobtrends/pushed", 0),
        "reclaimed": stats.get("jobtrends/reclaimed", 0),
        "reason": stats.get("finish_reason"),
    }


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        description="One Redis worker of a jobtrends spider."
    )
    parser.add_argument("name")
    parser.add_argument("--redis", required=True)
    parser.add_argument(
        "-a", dest="args", action="append", default=[], metavar="KEY=VALUE"
    )
    parser.add_argument(
        "-s", dest="settings", action="append", default=[], metavar="KEY=VALUE"
    )
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--log-file")
    opts = parser.parse_args(argv)
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    summary = crawl_on_redis(
        opts.name,
        dict(a.split("=", 1) for a in opts.args),
        opts.redis,
        settings=dict(s.split("=", 1) for s in opts.settings),
        log_file=opts.log_file,
        idle=opts.idle,
    )
    print(json.dumps(summary))
    return 0 if summary["reason"] == "finished" else 1


if __name__ == "__main__":
    raise SystemExit(main())
