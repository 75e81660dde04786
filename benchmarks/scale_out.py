"""1, 2 and 4 Redis workers on paginated feeds with real per-page latency, one writer.

    python -m benchmarks.scale_out [--pages 320] [--delay 0.1 0.2] [--rate 30]
        [--site-concurrency 8] [--bound-rate 8] [--bound-concurrency 2] [--repeat K]
        [--logs DIR] [--profile DIR]

Writes an Upwork-shaped fixture tree to a temporary folder: feeds of very different
lengths (a few long ones, many short, like real searches) whose pages reveal the next
page one at a time, 50 listings a page, listings cut from the project's fixture feeds
with fresh ids.  Serves it with the fixture server, each page answered after a random
``--delay`` (uniform between the two values), starts a private ``redis-server``, and for
1, 2 and 4 workers (plus one ``jobtrends ingest``) prints:

- wall time from starting the processes to the last one leaving (process start-up and
  the ``--idle 1`` wait before leaving included) and crawl time (first page request to
  the end of the last response at the server), with the start-up (processes started ->
  first request at the server), and their ratios to one worker;
- what the site saw, counted by the fixture server itself: the request rate (mean, and
  the most requests that started in any one-second window) against the shared limit
  ``--rate``, and the requests in flight (mean over the crawl, and the most at once)
  against the shared limit ``--site-concurrency``;
- pages fetched, pages fetched twice, listings stored (must be every listing, once), the
  writer's run status and the 1-minute load average (the machine may be shared).

``--repeat K`` runs the first part K times back to back and prints the median and range
of the ratios.  Then 1 and 2 workers run with the rate limit at ``--bound-rate`` and with
the in-flight limit at ``--bound-concurrency``, where the limit and not the latency
decides: two workers must not go faster than one, nor past the limit.  Last, the
speed-up the feed order allows: a model of the depth-first queue with no per-page
overhead, and of one that knew each feed's length in advance.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

from crawler.fixture_server import FIXTURES, FixtureServer
from crawler.payloads import rss_items

ROOT = Path(__file__).resolve().parent.parent
PER_PAGE = 50
RSS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n'
    "<title>{q} - Upwork</title>\n<link>https://www.upwork.com</link>\n"
)
RSS_TAIL = "</channel>\n</rss>\n"
ID_RE = re.compile(r"%7E01[0-9a-f]+")


def feed_lengths(total_pages: int, rng: random.Random) -> list[int]:
    """Pages per feed: a long tail (Pareto), 1..40 pages, summing to ``total_pages``."""
    lengths: list[int] = []
    while sum(lengths) < total_pages:
        lengths.append(min(40, max(1, int(rng.paretovariate(1.2)))))
    lengths[-1] -= sum(lengths) - total_pages
    return [n for n in lengths if n > 0]


def write_tree(root: Path, total_pages: int, seed: int = 7) -> tuple[int, int]:
    """Write fixtures/upwork-like feeds under ``root``; return (pages, listings)."""
    rng = random.Random(seed)
    pool = [
        item
        for path in sorted((FIXTURES / "upwork" / "feeds").glob("*.xml"))
        for item in rss_items(path.read_bytes())
        if ID_RE.search(item)
    ]
    folder = root / "upwork" / "feeds"
    folder.mkdir(parents=True)
    routes, feeds, uid, pages = [], [], 0, 0
    for f, length in enumerate(feed_lengths(total_pages, rng)):
        q = f"search {f} {rng.choice(['python', 'données', 'design', 'c++', 'copywriting'])}"
        feeds.append(
            f"https://www.upwork.com/ab/feed/jobs/rss?q={quote_plus(q)}&sort=recency&paging=0%3B50"
        )
        for page in range(length):
            # the last page is short: that is how a feed tells it has no next page
            n = PER_PAGE if page < length - 1 else rng.randint(1, PER_PAGE - 1)
            items = []
            for _ in range(n):
                uid += 1
                items.append(ID_RE.sub(f"%7E01{uid:018x}", rng.choice(pool)))
            name = f"f{f}-p{page}.xml"
            (folder / name).write_text(
                RSS_HEAD.format(q=q) + "\n".join(items) + RSS_TAIL, encoding="utf-8"
            )
            routes.append(
                {
                    "path": "/ab/feed/jobs/rss",
                    "file": f"feeds/{name}",
                    "content_type": "application/rss+xml; charset=utf-8",
                    "query": {
                        "q": q,
                        "sort": "recency",
                        "paging": f"{page * PER_PAGE};{PER_PAGE}",
                    },
                }
            )
            pages += 1
    (root / "upwork" / "routes.json").write_text(json.dumps({"routes": routes}))
    (root / "upwork" / "feeds.txt").write_text("\n".join(feeds) + "\n")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    return pages, uid


def schedule_length(
    lengths: list[int],
    slots: int,
    delays: tuple[float, float],
    seed: int,
    *,
    longest_first: bool = False,
) -> float:
    """Crawl time of a model with no per-page overhead: ``slots`` requests in flight, a
    feed's next page queued the moment its page arrives; the queue takes the deepest
    page (ties: the first feed listed), like the workers' queue, or the page of the feed
    with the most pages left (``longest_first``: the order if feed lengths were known)."""
    rng = random.Random(seed)
    ready = [(f, 0) for f in range(len(lengths))]
    running: list[tuple[float, int, int]] = []
    now = end = 0.0
    while ready or running:
        while ready and len(running) < slots:
            if longest_first:
                pick = max(ready, key=lambda r: (lengths[r[0]] - r[1], -r[0]))
            else:
                pick = max(ready, key=lambda r: (min(r[1], 15), -r[0]))
            ready.remove(pick)
            heapq.heappush(running, (now + rng.uniform(*delays), *pick))
        now, f, page = heapq.heappop(running)
        end = max(end, now)
        if page + 1 < lengths[f]:
            ready.append((f, page + 1))
    return end


def model_ratio(
    lengths: list[int], slots: int, delays: tuple[float, float], **kw
) -> float:
    """Median over 5 seeds of the model's crawl time with ``slots`` against 2x ``slots``."""
    return statistics.median(
        schedule_length(lengths, slots, delays, seed, **kw)
        / schedule_length(lengths, 2 * slots, delays, seed, **kw)
        for seed in range(5)
    )


def max_in_window(times: list[float], window: float = 1.0) -> int:
    times, best, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def one_round(
    workers: int,
    tree: Path,
    redis_url: str,
    delays: tuple[float, float],
    rate: float,
    concurrency: int,
    site_slots: int,
    tmp: Path,
    seed: int,
    profile: Path | None = None,
) -> dict:
    db = tmp / f"w{workers}-{rate:g}-{site_slots}-{time.monotonic_ns()}.db"
    rng = random.Random(seed)
    with FixtureServer(tree) as server:
        server.faults["/upwork/"] = [
            {"delay": rng.uniform(*delays)} for _ in range(100_000)
        ]
        writer = subprocess.Popen(
            [
                sys.executable,
                "-m",
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
                "--no-normalize",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started, started_mono = time.perf_counter(), time.monotonic()
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    *(
                        ["-m", "cProfile", "-o", str(profile / f"w{workers}-{i}.prof")]
                        if profile
                        else []
                    ),
                    "-m",
                    "crawler.redis_scale",
                    "upwork",
                    "--redis",
                    redis_url,
                    "--idle",
                    "1",
                    "-a",
                    f"base_url={server.base_url('upwork')}",
                    "-a",
                    f"feeds_file={tree / 'upwork' / 'feeds.txt'}",
                    "-a",
                    "max_pages=100",
                    "-a",
                    "feeds=",
                    "-s",
                    f"JOBTRENDS_DOMAIN_RATE={rate}",
                    "-s",
                    f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
                    "-s",
                    f"JOBTRENDS_DOMAIN_CONCURRENCY={site_slots}",
                    "--log-file",
                    str(tmp / f"w{workers}-{rate:g}-{site_slots}-{i}.log"),
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for i in range(workers)
        ]
        for p in procs:
            p.communicate()
        wall = time.perf_counter() - started
        writer.communicate()
        spans = [
            (start, end, path)
            for path, start, end in server.spans
            if urlsplit(path).path.startswith("/upwork/")
        ]
        first_seen = min((start for _, start, _ in server.spans), default=float("nan"))
        max_in_flight = server.max_in_flight
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT count(*) FROM raw_listings").fetchone()[0]
    status = conn.execute("SELECT status FROM crawl_runs").fetchone()[0]
    conn.close()
    spans.sort()
    times = [start for start, _, _ in spans]
    startup = first_seen - started_mono
    crawl = max(end for _, end, _ in spans) - times[0] if spans else float("nan")
    counts = Counter(path for _, _, path in spans)
    busy = sum(end - start for start, end, _ in spans)
    return {
        "workers": workers,
        "rate": rate,
        "wall": wall,
        "crawl": crawl,
        "startup": startup,
        "pages": len(counts),
        "twice": sum(1 for n in counts.values() if n > 1),
        "stored": stored,
        "status": status,
        "mean_rate": len(times) / max(times[-1] - times[0], 1e-9)
        if len(times) > 1
        else 0.0,
        "max_per_second": max_in_window(times),
        "max_in_flight": max_in_flight,
        "mean_in_flight": busy / crawl if spans else 0.0,
        "load": os.getloadavg()[0],
        "spans": [
            (start - times[0], end - times[0], path) for start, end, path in spans
        ],
    }


def report(title: str, results: list[dict], listings: int) -> None:
    print(f"\n{title}:")
    base = results[0]
    for r in results:
        print(
            f"  {r['workers']} worker(s): wall {r['wall']:6.2f}s ({base['wall'] / r['wall']:.2f}x)  "
            f"crawl {r['crawl']:6.2f}s ({base['crawl'] / r['crawl']:.2f}x, start-up {r['startup']:.1f}s)  "
            f"site rate mean {r['mean_rate']:5.2f}/s, max {r['max_per_second']} in 1 s  "
            f"in flight mean {r['mean_in_flight']:.2f}, max {r['max_in_flight']}  "
            f"pages {r['pages']} (twice {r['twice']})  stored {r['stored']}/{listings}  "
            f"run {r['status']}  load {r['load']:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=320)
    parser.add_argument(
        "--delay",
        type=float,
        nargs=2,
        default=(0.1, 0.2),
        metavar=("MIN", "MAX"),
        help="seconds per page (server side), uniform between MIN and MAX",
    )
    parser.add_argument(
        "--rate", type=float, default=30.0, help="shared limit, requests/s per host"
    )
    parser.add_argument(
        "--site-concurrency",
        type=int,
        default=8,
        help="shared limit, requests in flight per host across workers",
    )
    parser.add_argument(
        "--bound-rate",
        type=float,
        default=8.0,
        help="a rate limit below what one worker reaches (0: skip that part)",
    )
    parser.add_argument(
        "--bound-concurrency",
        type=int,
        default=2,
        help="an in-flight limit one worker alone reaches (0: skip that part)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=2, help="requests in flight per worker"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the unbound part this many times, back to back (median and range)",
    )
    parser.add_argument("--logs", type=Path, help="copy the worker logs to this folder")
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the workers under cProfile, saved in this folder",
    )
    opts = parser.parse_args()
    if opts.profile:
        opts.profile.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("redis-server")
    if not exe:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    parts = [
        (
            f"shared limits {opts.rate:g} requests/s, {opts.site_concurrency} in flight "
            "per host (not reached)",
            opts.rate,
            opts.site_concurrency,
            opts.workers,
        )
    ] * opts.repeat
    if opts.bound_rate:
        parts.append(
            (
                f"shared rate limit {opts.bound_rate:g} requests/s binding",
                opts.bound_rate,
                opts.site_concurrency,
                [1, 2],
            )
        )
    if opts.bound_concurrency:
        parts.append(
            (
                f"shared in-flight limit {opts.bound_concurrency} per host binding",
                opts.rate,
                opts.bound_concurrency,
                [1, 2],
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pages, listings = write_tree(tmp / "tree", opts.pages)
        feeds = len((tmp / "tree" / "upwork" / "feeds.txt").read_text().split())
        redis_proc = subprocess.Popen(
            [
                exe,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        print(
            f"{pages} pages in {feeds} paginated feeds (longest "
            f"{max(feed_lengths(opts.pages, random.Random(7)))} pages), {listings} "
            f"listings; {opts.delay[0]:g}-{opts.delay[1]:g} s per page; "
            f"{opts.concurrency} requests in flight per worker; site figures measured "
            "at the server; load = 1-minute load average at the end of each run",
            flush=True,
        )
        done: list[tuple[str, list[dict]]] = []
        try:
            time.sleep(0.5)
            url = f"redis://127.0.0.1:{port}/0"
            for title, rate, slots, workers in parts:
                results = [
                    one_round(
                        n,
                        tmp / "tree",
                        url,
                        opts.delay,
                        rate,
                        opts.concurrency,
                        slots,
                        tmp,
                        1,
                        opts.profile,
                    )
                    for n in workers
                ]
                done.append((title, results))
                report(title, results, listings)
        finally:
            redis_proc.terminate()
            redis_proc.wait()
            if opts.logs:
                opts.logs.mkdir(parents=True, exist_ok=True)
                for log in tmp.glob("*.log"):
                    shutil.copy(log, opts.logs / log.name)
                for k, (_, results) in enumerate(done):
                    for r in results:
                        name = f"spans-{k}-w{r['workers']}.json"
                        (opts.logs / name).write_text(json.dumps(r["spans"]))
    ratios = {
        n: sorted(
            results[0]["crawl"] / r["crawl"]
            for title, results in done[: opts.repeat]
            for r in results
            if r["workers"] == n
        )
        for n in opts.workers[1:]
    }
    lengths = feed_lengths(opts.pages, random.Random(7))
    print(
        "\nspeed-up the feed order allows (a model with no per-page overhead, 2 against "
        f"{2 * opts.concurrency} in flight): depth-first queue "
        f"{model_ratio(lengths, opts.concurrency, opts.delay):.2f}x, feed lengths "
        f"known in advance {model_ratio(lengths, opts.concurrency, opts.delay, longest_first=True):.2f}x"
    )
    if opts.repeat > 1:
        for n, values in ratios.items():
            print(
                f"\n{n} workers / 1, crawl time, {len(values)} runs: median "
                f"{statistics.median(values):.2f}x, range {values[0]:.2f}-{values[-1]:.2f}x "
                f"({', '.join(f'{v:.2f}' for v in values)})"
            )


if __name__ == "__main__":
    main()
