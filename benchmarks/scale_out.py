"""One scrapy-redis worker against two, on the same fixtures, with one ingest writer.

    python -m benchmarks.scale_out [--delay 0.1] [--concurrency 2] [--spider upwork]

Starts a private ``redis-server`` and the fixture server (each page answered after
``--delay`` seconds, like a remote site; ``--concurrency`` requests per domain per worker,
like a polite crawler), then times the crawl phase (workers started -> last worker done)
for 1 and 2 workers and prints pages fetched, items pushed, listings stored, duplicates.
Worker start-up (~2-4 s of Python + Scrapy imports) is included: it is part of what a
second process costs.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from crawler.fixture_server import FIXTURES, FixtureServer

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spider_args(spider: str, server: FixtureServer) -> list[str]:
    args = ["-a", f"base_url={server.base_url(spider)}"]
    if spider == "upwork":
        args += ["-a", "feeds_file=fixtures/upwork/feeds.txt"]
    return args


def one_round(workers: int, spider: str, redis_url: str, delay: float, concurrency: int,
              tmp: Path) -> dict:
    db = tmp / f"w{workers}.db"
    with FixtureServer(FIXTURES) as server:
        if delay:
            server.faults[f"/{spider}/"] = [{"delay": delay}] * 100_000
        writer = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "ingest", "--redis", redis_url, "--db", str(db),
             "--idle-timeout", "3", "--start-timeout", "120"], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = time.perf_counter()
        procs = [subprocess.Popen(
            [sys.executable, "-m", "crawler.redis_scale", spider, "--redis", redis_url, "--idle", "1",
             *spider_args(spider, server), "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
             "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}", "--log-file", str(tmp / f"w{workers}-{i}.log")],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(workers)]
        summaries = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
        crawl_seconds = time.perf_counter() - started
        writer.communicate()
        pages = Counter(r for r in server.requests
                        if urlsplit(r).path.startswith(f"/{spider}/") and "robots" not in r)
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT count(*) FROM raw_listings").fetchone()[0]
    conn.close()
    pushed = sum(s["pushed"] for s in summaries)
    # Scrapy's own clock (spider opened -> closed, minus the idle wait): crawling alone.
    elapsed = [float(m) for i in range(workers) for m in re.findall(
        r"'elapsed_time_seconds': ([0-9.]+)", (tmp / f"w{workers}-{i}.log").read_text())]
    return {"workers": workers, "seconds": round(crawl_seconds, 2),
            "scrapy_seconds": round(max(elapsed) - 1.0, 2) if elapsed else None, "pages": len(pages),
            "pages_fetched_twice": sum(1 for n in pages.values() if n > 1),
            "pushed": pushed, "per_worker": [s["pushed"] for s in summaries], "stored": stored,
            "duplicates": pushed - stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spider", default="upwork")
    parser.add_argument("--delay", type=float, default=0.1, help="seconds per page (server side)")
    parser.add_argument("--concurrency", type=int, default=2, help="requests per domain per worker")
    opts = parser.parse_args()
    exe = shutil.which("redis-server")
    if not exe:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        redis_proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no", "--dir", tmp],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            url = f"redis://127.0.0.1:{port}/0"
            results = [one_round(n, opts.spider, url, opts.delay, opts.concurrency, Path(tmp)) for n in (1, 2)]
        finally:
            redis_proc.terminate()
            redis_proc.wait()
    print(f"spider {opts.spider}, {opts.delay}s per page, {opts.concurrency} requests/domain per worker")
    for r in results:
        print(f"{r['workers']} worker(s): {r['seconds']:6.2f}s wall (crawling {r['scrapy_seconds']}s)  pages {r['pages']} "
              f"(fetched twice: {r['pages_fetched_twice']})  items pushed {r['pushed']} {r['per_worker']}  "
              f"listings stored {r['stored']}  duplicates {r['duplicates']}")
    print(f"speed-up of 2 workers over 1: {results[0]['seconds'] / results[1]['seconds']:.2f}x wall, "
          f"{results[0]['scrapy_seconds'] / results[1]['scrapy_seconds']:.2f}x crawling")


if __name__ == "__main__":
    main()
