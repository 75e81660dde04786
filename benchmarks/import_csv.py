"""Import speed of a large "Upwork job postings" CSV: `python -m benchmarks.import_csv`.

Writes a deterministic CSV (seed 20221130, the dataset's exact columns and quoting),
then times, on the same file:

1. plain ``csv.reader`` over it (the floor: reading and splitting, nothing else);
2. ``jobtrends import --format upwork-csv`` storing raw rows only (``normalize=False``);
3. the full import path (raw rows + normalizer + rollups) on the first N rows.

Options: ``--rows 1000000`` ``--normalized-rows 20000`` ``--dir /tmp/jobtrends-bench``
``--batch-size N`` (listings per transaction; default: run_import's).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20221130
HEADER = [
    "title",
    "link",
    "description",
    "published_date",
    "is_hourly",
    "hourly_low",
    "hourly_high",
    "budget",
    "country",
]
_TOPICS = [
    "blog posts",
    "a Shopify store",
    "a React dashboard",
    "product photos",
    "a logo",
    "bookkeeping in Xero",
    "a chatbot with the OpenAI API",
    "YouTube videos",
    "a Python scraper",
    "German translation",
    "customer support emails",
    "a pitch deck",
    "SEO audit",
    "a WordPress site",
    "data entry",
    "an Excel model",
    "a mobile app in Flutter",
]
_VERBS = [
    "Need help with",
    "Looking for an expert for",
    "Build",
    "Fix",
    "Write",
    "Design",
    "Edit",
    "Translate",
    "Set up",
    "Improve",
]
_SENTENCES = [
    "We are a small team and value clear communication.",
    "Please share samples of similar work in your proposal.",
    "The work should start this week and take about a month.",
    "Experience with our tools is a plus but not required.",
    "We will pay a bonus for fast delivery and good quality.",
    "You will work with our marketing manager on a weekly schedule.",
    "Native English is preferred; the brief is attached after hiring.",
    "This could turn into a long-term role for the right person.",
]
_COUNTRIES = [
    "United States",
    "United Kingdom",
    "Canada",
    "Australia",
    "Germany",
    "India",
    "Netherlands",
    "France",
    "Spain",
    "Israel",
    "Singapore",
    "",
]


def rows(n: int, seed: int = SEED):
    """The benchmark's CSV rows, the same for the same (n, seed)."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    span = int(timedelta(days=900).total_seconds())
    for _i in range(n):
        title = f"{rng.choice(_VERBS)} {rng.choice(_TOPICS)}"
        job_id = f"~01{rng.getrandbits(72):018x}"
        link = f"https://www.upwork.com/jobs/{title.replace(' ', '-')}_%7E{job_id[1:]}?source=rss"
        body = " ".join(rng.sample(_SENTENCES, rng.randint(2, 6)))
        description = f"{title} for our company. {body}"
        published = (start + timedelta(seconds=rng.randrange(span))).strftime(
            "%Y-%m-%d %H:%M:%S+00:00"
        )
        hourly = rng.random() < 0.55
        if hourly:
            low = float(rng.randrange(5, 60)) if rng.random() > 0.1 else ""
            high = low + float(rng.randrange(5, 40)) if low != "" else ""
            budget = ""
        else:
            low = high = ""
            budget = float(rng.choice([50, 100, 250, 500, 1000, 2500]))
        yield [
            title,
            link,
            description,
            published,
            hourly,
            low,
            high,
            budget,
            rng.choice(_COUNTRIES),
        ]


def write_csv(path: str | Path, n: int, seed: int = SEED) -> Path:
    """Write the benchmark CSV: strings quoted, numbers and booleans bare, as the dataset."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")  # a cut-off file is never reused
    with partial.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow(HEADER)
        writer.writerows(rows(n, seed))
    partial.replace(path)
    return path


class Timer:
    """Wall and CPU seconds of a block: on a shared machine CPU time is the steadier figure."""

    @staticmethod
    def _cpu() -> float:
        # This process and its waited-for children (the import's reading process).
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def __enter__(self):
        self.wall, self.cpu, self.own = (
            time.perf_counter(),
            self._cpu(),
            time.process_time(),
        )
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = self._cpu() - self.cpu
        self.own = time.process_time() - self.own  # the writing (main) process alone

    def line(
        self, label: str, n: int, base: Timer | None = None, base_n: int = 0
    ) -> str:
        out = (
            f"{label:<20} {n:>9,} rows  wall {self.wall:7.2f}s {n / self.wall:>9,.0f} rows/s"
            f"  cpu {self.cpu:7.2f}s {n / self.cpu:>9,.0f} rows/cpu-s"
        )
        if base is not None:
            out += (
                f"  ({(n / self.wall) / (base_n / base.wall):.3f}x / "
                f"{(n / self.cpu) / (base_n / base.cpu):.3f}x plain csv)"
            )
        return out


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def plain_read(path: Path) -> tuple[int, Timer]:
    with Timer() as timer, path.open(newline="", encoding="utf-8") as fh:
        n = sum(1 for _ in csv.reader(fh)) - 1
    return n, timer


def timed_import(
    path: Path, db: Path, *, normalize: bool, batch_size: int | None = None
) -> tuple[int, Timer, object]:
    from crawler.db import connect
    from crawler.importers import run_import

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    conn = connect(db)
    try:
        with Timer() as timer:
            report = run_import(
                conn,
                [str(path)],
                "upwork-csv",
                normalize=normalize,
                progress=True,
                batch_size=batch_size,
            )
    finally:
        conn.close()
    return report.rows_read, timer, report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--normalized-rows", type=int, default=20_000)
    parser.add_argument("--dir", default="/tmp/jobtrends-bench")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="listings per transaction (default: run_import's)",
    )
    args = parser.parse_args(argv)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)

    big = folder / f"upwork-{args.rows}-{SEED}.csv"
    if not big.exists():
        started = time.perf_counter()
        write_csv(big, args.rows)
        print(
            f"wrote {big} ({big.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f}s"
        )
    n_plain, plain = plain_read(big)
    print(plain.line("plain csv.reader", n_plain))

    n, store, report = timed_import(
        big, folder / "store.db", normalize=False, batch_size=args.batch_size
    )
    print(
        store.line("import, raw store", n, plain, n_plain)
        + f"  [{report.new:,} stored]"
    )
    rate = n / store.wall
    # With a core each, the slower of the two processes sets the pace.
    critical = max(store.own, store.cpu - store.own)
    print(
        f"  cpu split: writer {store.own:.1f}s, reader {store.cpu - store.own:.1f}s"
        f" -> {n / critical:,.0f} rows/s when each process has a free core;"
        f" peak RSS writer {_peak_mib(resource.RUSAGE_SELF):,.0f} MiB,"
        f" reader {_peak_mib(resource.RUSAGE_CHILDREN):,.0f} MiB"
    )

    if args.normalized_rows:
        small = folder / f"upwork-{args.normalized_rows}-{SEED}.csv"
        if not small.exists():
            write_csv(small, args.normalized_rows)
        n_full, full, report = timed_import(small, folder / "full.db", normalize=True)
        print(
            full.line("import + normalize", n_full, plain, n_plain)
            + f"  [{report.normalized:,} normalized]"
        )
    print(
        f"target >= 20,000 rows/s for the 1M-row import: raw store {rate:,.0f} rows/s wall"
        f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores),"
        f" {n / critical:,.0f} rows/s on free cores"
    )


if __name__ == "__main__":
    main()
