"""Crawl benchmark: Scrapy crawling a loopback fixture server of N listings into SQLite.

    python -m benchmarks.crawl --listings 100000

Writes an Upwork-feed + Freelancer-API fixture tree with ``analysis.synth`` (cached under
benchmarks/out/), serves it on 127.0.0.1 and crawls it twice with the same spiders:
three times with the same spiders: with the real pipeline (raw store during the crawl,
the run's listings normalized in parallel at its close, reposts and rollups), with the
raw store alone (``JOBTRENDS_NORMALIZE=False``), and with no item pipeline, so the ratios
show what storage and normalization cost on top of Scrapy itself.  The headline overhead
counts the whole crawl command, close-time normalization included.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from crawler.fixture_server import FixtureServer

OUT = Path("benchmarks/out")


def build_tree(listings: int, seed: int) -> Path:
    root = OUT / f"crawl-tree-{listings}"
    if (root / "upwork" / "feeds.txt").is_file():
        return root
    from analysis.synth import generate, write_fixture_tree

    print(
        f"writing a fixture tree of {listings:,} listings under {root} ...",
        file=sys.stderr,
    )
    write_fixture_tree(
        root, generate(date(2022, 1, 1), date(2024, 6, 30), rows=listings, seed=seed)
    )
    feeds = sorted(
        {
            json.dumps(r["query"], sort_keys=True)
            for r in json.loads((root / "upwork" / "routes.json").read_text())["routes"]
        }
    )
    urls = []
    for q in map(json.loads, feeds):
        if q.get("paging", "").startswith("0;"):
            from urllib.parse import urlencode

            urls.append("https://www.upwork.com/ab/feed/jobs/rss?" + urlencode(q))
    (root / "upwork" / "feeds.txt").write_text("\n".join(urls) + "\n")
    return root


def crawl(root: Path, db: Path, *, noop: bool = False, raw_only: bool = False) -> dict:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(str(db) + suffix):
            os.remove(str(db) + suffix)
    with FixtureServer(root) as server:
        settings = [
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "CONCURRENT_REQUESTS=16",
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=16",
            "-s",
            "LOG_LEVEL=INFO",
            "-a",
            "max_pages=100000",
            "-a",
            "full=1",
        ]
        if noop:
            settings += ["-s", "ITEM_PIPELINES={}"]
        if raw_only:
            settings += ["-s", "JOBTRENDS_NORMALIZE=False"]
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "crawler.cli",
                "crawl",
                "upwork",
                "freelancer",
                "--db",
                str(db),
                "--base-url",
                server.url,
                "-a",
                f"upwork.feeds_file={root / 'upwork' / 'feeds.txt'}",
                "--log-file",
                str(db) + ".log",
                *settings,
            ],
            check=False,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t0
    # The no-op run stores nothing and the raw-only run normalizes nothing, so their
    # monitors flag them (exit 3, "degraded"): expected.
    if proc.returncode and not ((noop or raw_only) and proc.returncode == 3):
        raise SystemExit(f"crawl failed:\n{proc.stdout}\n{proc.stderr}")
    conn = sqlite3.connect(db)
    stats = [json.loads(s) for (s,) in conn.execute("SELECT stats FROM crawl_runs")]
    pages = sum(s.get("response_received_count", 0) for s in stats)
    items = sum(s.get("item_scraped_count", 0) for s in stats)
    stored = conn.execute("SELECT count(*) FROM raw_listings").fetchone()[0]
    jobs = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    normalize_s = sum(s.get("jobtrends/normalize_seconds", 0) for s in stats)
    return {
        "wall_s": wall,
        "pages": pages,
        "items": items,
        "stored": stored,
        "jobs": jobs,
        "normalize_s": normalize_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the last full-pipeline result for this size (time the other runs only)",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    root = build_tree(args.listings, args.seed)
    cached = OUT / f"crawl-full-{args.listings}.json"
    if args.reuse and cached.is_file():
        full = json.loads(cached.read_text())
    else:
        full = crawl(root, OUT / "crawl-full.db")
        cached.write_text(json.dumps(full))
    raw = crawl(root, OUT / "crawl-raw.db", raw_only=True)
    noop = crawl(root, OUT / "crawl-noop.db", noop=True)
    print(
        f"\ncrawl of {args.listings:,} synthetic listings on 127.0.0.1 (upwork feeds + freelancer API),"
        f" load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'pipeline':<28} {'pages':>7} {'listings':>9} {'seconds':>8} {'pages/s':>8} {'listings/s':>11}"
    )
    for name, r in (
        ("store + normalize at close", full),
        ("raw store only", raw),
        ("no-op (none)", noop),
    ):
        print(
            f"{name:<28} {r['pages']:>7,} {r['items']:>9,} {r['wall_s']:>8.1f} "
            f"{r['pages'] / r['wall_s']:>8.1f} {r['items'] / r['wall_s']:>11,.0f}"
        )
    overhead = full["wall_s"] / noop["wall_s"] - 1
    print(
        f"pipeline overhead: {overhead:+.0%} wall time against the no-op pipeline "
        f"({full['stored']:,} listings stored, {full.get('jobs', 0):,} jobs; close-time normalize,"
        f" reposts and rollups {full.get('normalize_s', 0):.1f} s of it)"
    )
    print(
        f"raw store alone: {raw['wall_s'] / noop['wall_s'] - 1:+.0%} against the no-op pipeline"
    )
    (OUT / f"crawl-{args.listings}.json").write_text(
        json.dumps({"full": full, "raw_only": raw, "noop": noop}, indent=2)
    )


if __name__ == "__main__":
    main()
