"""Datasette latency at scale: canned queries, dashboard charts, table pages, search, CSV.

    python -m benchmarks.datasette --rows 100000          # quick
    python -m benchmarks.datasette --rows 5000000         # the target size (minutes to build)
    python -m benchmarks.datasette --rows 5000000 --match jobs   # table pages only
    python -m benchmarks.datasette --db data/synth.db --csv-full  # any database, whole CSV

Builds (or reuses) a database of `jobtrends synth`'s postings (canonical categories,
Upwork and Freelancer, the study's planted volume, pay and AI-skill effects; 10 % of
them as a job board's imported rows through the real normalizer: remote, on-site or
unstated, pay as text with the issues it gives; see ``_job_rows``) with plain
``executemany`` in large transactions, refreshes the
rollups, starts Datasette exactly as ``jobtrends serve`` does (same metadata, plugins
and settings, 1 s time limit) and reports p50/p95 latency per request, each after one
untimed request (warm).  ``--match csv --csv-full`` times only the CSV.  A request that Datasette cut off ("query took too long",
a timed-out facet) is flagged in the status column.  The study dashboard's charts read
``report_estimates``: when the database has none, the estimates of ``jobtrends report
--a 2022-11 --b 2024-02 --reps 200`` are stored first (same code path).  Pages 2, 50 and one near the end are fetched
with the ``_next`` token Datasette gives (found before timing); the CSV stream of all
rows is timed to its first byte (``--csv-full``: to its last, once).  Last, blob and
string bombs are sent to a server started with ``--allow-sql`` and its resident memory
(now and peak, in MB, in the p50/p95 columns) is read from /proc.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from functools import cache
from pathlib import Path

from analysis import synth
from analysis.serve import free_port, load_metadata, start_background
from analysis.synth_vocab import CURRENCIES
from crawler import db as dbmod
from crawler.normalize.categories import CANONICAL_CATEGORIES
from crawler.normalize.countries import parse_country
from crawler.normalize.listing import EMPTY_PAY, normalize_listing
from crawler.normalize.skills import _tag_skills

# The study's window: report's default periods (2022-11 vs 2024-02) lie inside it.
FIRST_DAY, LAST_DAY = date(2022, 1, 1), date(2024, 12, 31)
# Real sources and the shares `jobtrends synth` gives them.
SOURCES = list(synth.SOURCES)
_RATES = {c["code"]: c["exchange_rate"] for c, _weight in CURRENCIES}
assert set(synth.CATEGORIES) <= set(CANONICAL_CATEGORIES)


@cache
def _skills(tag: str) -> tuple[tuple[str, int, str], ...]:
    return tuple((s.name, int(s.is_ai), s.family) for s in _tag_skills(tag))


@cache
def _country(name: str | None) -> str | None:
    return parse_country(name)


# A job board imported with `jobtrends import --format jsonl --source board`: the
# share of postings it takes over, and its remote and pay fields as boards write them.
# These shares are assumptions (no real board export is at hand), chosen so that every
# facet value and every pay issue reason the browser shows has rows; Upwork and
# Freelancer themselves are remote-only (their normalizers set remote = 1; all 2,542
# Freelancer fixture projects have "local": false) and always name a currency.
BOARD = "board"
BOARD_SHARE = 0.10
BOARD_REMOTE = (("yes", 0.45), ("remote", 0.10), ("no", 0.20), ("onsite", 0.05))
# pay as written, or None (not stated); some name no currency or an ambiguous sign
BOARD_PAY = (
    (None, 0.40),
    ("$120,000 - $150,000 a year", 0.08),
    ("$45-60/hr", 0.08),
    ("$150–180K + equity", 0.05),
    ("€55k–70k", 0.05),
    ("80.000 - 95.000 € brutto", 0.03),
    ("£400/day", 0.04),
    ("kr 45 000 per month", 0.03),
    ("¥6,000/hour", 0.02),
    ("Rs 50,000/month", 0.02),
    ("CHF 110'000", 0.02),
    ("R$ 8.000/mês", 0.02),
    ("40-60 per hour", 0.04),
    ("5000-8000", 0.02),
    ("up to $2,500 per month", 0.02),
    ("Competitive", 0.06),
    ("DOE", 0.04),
    ("¥", 0.02),
)


def _draw(rng: random.Random, pairs, rest=None):
    """A value of (value, probability) pairs; ``rest`` for the remaining probability."""
    x = rng.random()
    for value, p in pairs:
        if x < p:
            return value
        x -= p
    return rest


def _board_row(p: synth.Posting, rng: random.Random):
    """(jobs row, job_skills rows, normalize_issues rows) of ``p`` as a job board's
    imported row, through the real path: the generic mapping and ``normalize_listing``
    (pay text parsed by the pay normalizer, remote as the column says, skills and
    category decided from the text)."""
    country = None if rng.random() < 0.3 else p.country
    row = {
        "title": p.title,
        "description": "\n\n".join(p.paragraphs),
        "url": p.url,
        "posted_raw": p.posted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "pay_text": _draw(rng, BOARD_PAY),
        "country": country,
        "remote": _draw(rng, BOARD_REMOTE),
        "tags": ", ".join(p.skills),
    }
    row = {k: v for k, v in row.items() if v is not None}
    payload = json.dumps({**row, "_raw": row}, ensure_ascii=False)
    job, issues = normalize_listing(
        BOARD, p.source_id, payload, fetched_at=p.fetched_at, url=p.url
    )
    return (*dbmod.job_rows(job), issues)


def _job_rows(n: int, seed: int):
    """Yield (jobs row, job_skills rows, normalize_issues rows) for about ``n``
    postings, oldest first.

    The postings are `jobtrends synth`'s (analysis.synth.iter_postings with realistic
    noise): canonical categories, Upwork and Freelancer, the study's planted volume, pay
    and AI-skill effects, reposts, currencies; their fields go into the columns the
    normalizer fills (skills through the skill taxonomy, countries to ISO codes) without
    building and parsing each payload, which would take hours at 5 M.  Upwork's hourly
    postings without a range get no pay and a "hourly without range" issue, as the
    normalizer gives them.  ``BOARD_SHARE`` of the postings become a job board's
    imported rows, normalized by the real normalizer (``_board_row``): remote or not
    or unknown, pay left out of the USD figures for its real reasons.
    """
    board_rng = random.Random(seed + 1)
    for p in synth.iter_postings(
        FIRST_DAY, LAST_DAY, rows=n, seed=seed, noise=synth.REALISTIC
    ):
        if board_rng.random() < BOARD_SHARE:
            yield _board_row(p, board_rng)
            continue
        job_id = f"{p.source}:{p.source_id}"
        month = p.month
        posted = p.posted_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        rate = _RATES[p.currency]
        lo = p.pay_min * rate if p.pay_min is not None else None
        hi = p.pay_max * rate if p.pay_max is not None else lo
        mid = (lo + hi) / 2 if lo is not None else None
        skills: dict[str, tuple[str, int, str]] = {}
        if not p.extra.get("no_skills"):
            for tag in p.skills:
                for skill in _skills(tag):
                    skills.setdefault(skill[0], skill)
        job = {
            "job_id": job_id,
            "source": p.source,
            "source_id": p.source_id,
            "title": p.title,
            "description": "\n\n".join(p.paragraphs),
            "url": p.url,
            "country": None if p.extra.get("no_country") else _country(p.country),
            "country_raw": None if p.extra.get("no_country") else p.country,
            "remote": 1,
            "posted_at": posted,
            "posted_at_raw": posted,
            "month": month,
            "category": p.category,
            "source_category": p.source_category,
            "category_method": "taxonomy",
            "category_confidence": 1.0,
            "pay_type": "hourly" if p.hourly else "fixed",
            "pay_min": p.pay_min,
            "pay_max": p.pay_max,
            "pay_currency": p.currency,
            "pay_period": "hour" if p.hourly else "project",
            "pay_raw": f"{p.pay_min}-{p.pay_max} {p.currency}"
            if p.pay_max is not None
            else f"{p.pay_min} {p.currency}",
            "currency_rule": "source",
            "hourly_usd_min": round(lo, 2) if p.hourly else None,
            "hourly_usd_max": round(hi, 2) if p.hourly else None,
            "hourly_usd_mid": round(mid, 2) if p.hourly else None,
            "budget_usd": None if p.hourly else round(mid, 2),
            "skills": [
                {"name": name, "is_ai": is_ai, "family": family}
                for name, is_ai, family in skills.values()
            ],
            "has_ai_skill": int(any(s[1] for s in skills.values())),
            "dup_of": f"{p.source}:{p.repost_of}" if p.repost_of else None,
            "fetched_at": p.fetched_at,
            "normalizer_version": "bench",
        }
        issues = []
        if p.extra.get("no_range"):  # as the Upwork normalizer reads such a posting
            job.update(EMPTY_PAY, pay_raw=None)
            issues.append((job_id, "pay", None, "hourly without range", "bench"))
        yield (*dbmod.job_rows(job), issues)


def build_database(path: Path, rows: int, *, seed: int = 7) -> dict:
    """Create ``path`` with ``rows`` synthetic postings, crawl runs and rollups."""
    from crawler.rollups import refresh_rollups

    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = dbmod.connect(path)
    conn.execute("PRAGMA cache_size=-500000")  # 500 MB: big transactions spill less
    # Indexing full text once at the end is ~4x faster than the per-row triggers;
    # ensure_db() puts the triggers back afterwards.
    for trigger in ("jobs_fts_ai", "jobs_fts_ad", "jobs_fts_au"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    rng = random.Random(seed)
    insert_job = (
        f"INSERT INTO jobs ({', '.join(dbmod.JOB_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(dbmod.JOB_COLUMNS))})"
    )
    batch_jobs, batch_skills, batch_issues, done, seen = [], [], [], 0, []
    every = max(1, rows // 100_000)
    for k, (job, skills, issues) in enumerate(_job_rows(rows, seed)):
        if not k % every:
            seen.append((job[1], job[2]))  # (source, source_id) for raw_listings
        batch_jobs.append(job)
        batch_skills.extend(skills)
        batch_issues.extend(issues)
        if len(batch_jobs) >= 100_000:
            _flush(conn, insert_job, batch_jobs, batch_skills, batch_issues)
            done += len(batch_jobs)
            batch_jobs, batch_skills, batch_issues = [], [], []
            print(
                f"  {done:,} postings, {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    _flush(conn, insert_job, batch_jobs, batch_skills, batch_issues)
    _add_runs(conn, seen, rng)
    conn.execute("INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild')")
    dbmod.ensure_db(conn)
    inserted = time.perf_counter() - started
    rollups = refresh_rollups(conn)
    conn.execute("ANALYZE")
    conn.close()
    return {
        "rows": rows,
        "insert_s": round(inserted, 1),
        "rollups_s": rollups["seconds"],
        "total_s": round(time.perf_counter() - started, 1),
    }


def ensure_facet_counts(path: Path) -> None:
    """Fill jobs_facet_counts (and its sums) in a database built before those tables."""
    from crawler.rollups import refresh_facet_counts

    conn = dbmod.connect(path)  # ensure_db creates the tables
    try:
        done = conn.execute(
            "SELECT (SELECT count(*) FROM jobs_facet_totals)"
            " AND (SELECT count(*) FROM jobs_facet_combos)"
        ).fetchone()[0]
        if not done:
            started = time.perf_counter()
            with dbmod.transaction(conn):
                refresh_facet_counts(conn, None)
            print(
                f"  filled jobs_facet_counts in {time.perf_counter() - started:.0f} s"
            )
    finally:
        conn.close()


def _flush(conn, insert_job, jobs, skills, issues) -> None:
    with dbmod.transaction(conn):
        conn.executemany(insert_job, jobs)
        conn.executemany(
            "INSERT OR IGNORE INTO job_skills (job_id, skill, is_ai, family, month)"
            " VALUES (?,?,?,?,?)",
            skills,
        )
        conn.executemany(
            "INSERT OR REPLACE INTO normalize_issues (job_id, field, raw_value, reason,"
            " normalizer_version) VALUES (?,?,?,?,?)",
            issues,
        )


def _add_runs(conn, seen: list[tuple[str, str]], rng: random.Random) -> None:
    """200 crawl runs; the last 50 each last saw 2,000 listings (for the coverage chart)."""
    with dbmod.transaction(conn):
        for run in range(1, 201):
            spider = SOURCES[run % len(SOURCES)]
            conn.execute(
                "INSERT INTO crawl_runs (spider, started_at, finished_at, status, pages, items,"
                " new, errors, skipped) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    spider,
                    f"2024-12-01T{run % 24:02d}:00:00Z",
                    f"2024-12-01T{run % 24:02d}:05:00Z",
                    "finished",
                    40,
                    2000,
                    300,
                    rng.randrange(3),
                    rng.randrange(5),
                ),
            )
        raw = []
        for run in range(151, 201):
            for _k in range(2000):
                source, source_id = seen[rng.randrange(len(seen))]
                raw.append(
                    (
                        source,
                        source_id,
                        "{}",
                        "json",
                        "-",
                        "2024-12-01T00:00:00Z",
                        "2024-12-01T00:00:00Z",
                        "2024-12-01T00:00:00Z",
                        run,
                        run,
                    )
                )
        conn.executemany(
            "INSERT OR REPLACE INTO raw_listings (source, source_id, payload, payload_format,"
            " payload_sha256, fetched_at, first_seen_at, last_seen_at, first_run_id, last_run_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            raw,
        )


DEFAULT_FACETS = tuple(load_metadata()["databases"]["jobs"]["tables"]["jobs"]["facets"])


def ensure_report_estimates(path: Path) -> None:
    """Store `jobtrends report`'s estimates (2022-11 vs 2024-02) when there are none."""
    from analysis.periods import parse_period
    from analysis.report import ReportConfig, build_report
    from analysis.report_store import store_estimates

    conn = dbmod.connect(path)
    try:
        if not conn.execute("SELECT 1 FROM report_estimates LIMIT 1").fetchone():
            started = time.perf_counter()
            config = ReportConfig(
                a=parse_period("2022-11"), b=parse_period("2024-02"), reps=200
            )
            stored = store_estimates(conn, build_report(conn, config))
            print(
                f"  stored {stored} report estimates in {time.perf_counter() - started:.0f} s"
            )
    finally:
        conn.close()


def requests_to_time(db_name: str) -> list[tuple[str, str]]:
    """(label, path) for every canned query, chart, filter query, table page and search."""
    from datasette_dashboards import replace_opts_in_query

    from analysis.serve import build_metadata

    meta = build_metadata(db_name, public=False, allow_sql=False)
    out = []
    # With no parameters: the query_defaults plugin fills in the defaults (the form).
    for name in meta["databases"][db_name]["queries"]:
        out.append((f"query {name}", f"/{db_name}/{name}.json"))
        out.append((f"query {name} HTML form", f"/{db_name}/{name}"))
    for slug, dashboard in meta["plugins"]["datasette-dashboards"].items():
        for chart_slug, chart in dashboard["charts"].items():
            sql = replace_opts_in_query(chart["query"], {})
            qs = urllib.parse.urlencode({"sql": sql, "_shape": "objects"})
            out.append((f"chart {slug}/{chart_slug}", f"/{db_name}.json?{qs}"))
        out.append((f"dashboard page {slug}", f"/-/dashboards/{slug}"))
    out.append(("jobs table page (5 facets)", f"/{db_name}/jobs"))
    out.append(
        (
            "jobs table JSON (5 facets)",
            f"/{db_name}/jobs.json?_extra=facet_results,count",
        )
    )
    # A click on a facet value: the page's row count must come from an index.
    for column, value in (
        ("pay_type", "hourly"),
        ("remote", "1"),
        ("country", "US"),
        ("category", "machine learning & AI"),
    ):
        out.append(
            (
                f"jobs filtered {column}={value} JSON (count)",
                f"/{db_name}/jobs.json?{column}={urllib.parse.quote(value)}&_extra=count&_nofacet=1",
            )
        )
        out.append(
            (
                f"jobs filtered {column}={value} HTML page",
                f"/{db_name}/jobs?{column}={urllib.parse.quote(value)}",
            )
        )
    # A range on month (no index walk for the count: stored counts answer it).
    out.append(
        (
            "jobs filtered month>=2024-07 HTML page",
            f"/{db_name}/jobs?month__gte=2024-07",
        )
    )
    out.append(
        ("search 'chatbot' JSON (facets)", f"/{db_name}/jobs.json?_search=chatbot")
    )
    out.append(("search 'chatbot' HTML page", f"/{db_name}/jobs?_search=chatbot"))
    out.append(
        (
            "search rare 'llm' JSON (facets)",
            f"/{db_name}/jobs.json?_search=llm",
        )
    )
    out.append(("search rare 'llm' HTML page", f"/{db_name}/jobs?_search=llm"))
    return out


def paging_requests(base: str, db_name: str, db_path: Path) -> list[tuple[str, str]]:
    """Page 2, page 50 and a page near the end, unfiltered and with one facet filter.

    The _next tokens come from Datasette itself (walking 49 pages, untimed), and for
    the page near the end from the row 100 before the last one.
    """
    import sqlite3

    from datasette.utils import tilde_encode

    out = []
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    category = conn.execute(
        "SELECT value FROM jobs_facet_totals WHERE facet = 'category'"
        " ORDER BY n DESC LIMIT 1"
    ).fetchone()
    conn_rows = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    for label, filters in (
        ("jobs", ""),
        (
            f"jobs category={category[0]}",
            f"category={urllib.parse.quote(category[0])}&",
        ),
    ):
        path = f"/{db_name}/jobs.json?{filters}_nofacet=1&_shape=objects"
        nxt, tokens = None, {}
        for page in range(2, 51):
            url = base + path + (f"&_next={urllib.parse.quote(nxt)}" if nxt else "")
            with urllib.request.urlopen(url, timeout=120) as resp:
                nxt = json.loads(resp.read())["next"]
            if page in (2, 50):
                tokens[page] = nxt
        where = "WHERE category = ?" if filters else ""
        args = (category[0],) if filters else ()
        total = conn.execute(f"SELECT count(*) FROM jobs {where}", args).fetchone()[0]
        last = conn.execute(
            f"SELECT posted, job_id FROM jobs {where} ORDER BY posted DESC,"
            f" job_id LIMIT 1 OFFSET {max(total - 100, 0)}",
            args,
        ).fetchone()
        tokens["near the end"] = f"{tilde_encode(last[0])},{tilde_encode(last[1])}"
        for page, token in tokens.items():
            for kind, p in (
                ("JSON", path),
                ("HTML", f"/{db_name}/jobs?{filters}_nofacet=1"),
            ):
                out.append(
                    (
                        f"{label} page {page} {kind}",
                        f"{p}&_next={urllib.parse.quote(token)}",
                    )
                )
    conn.close()
    print(f"  paging through {conn_rows:,} postings")
    return out


def time_csv_stream(
    base: str, db_name: str, repeat: int, full: bool, expected_rows: int = 0
) -> list[dict]:
    """Time to the first byte of the CSV of all rows; with ``full``, to its end (once).

    The full CSV counts as cut off when it has fewer than ``expected_rows`` records
    (one per line ending ``\\r\\n``: descriptions hold bare ``\\n`` only)."""
    url = f"{base}/{db_name}/jobs.csv?_stream=on&_size=max"
    firsts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        with urllib.request.urlopen(url, timeout=120) as resp:
            resp.read(1)
            firsts.append((time.perf_counter() - t0) * 1000)
    firsts.sort()
    out = [
        {
            "request": "jobs CSV stream, first byte",
            "p50_ms": statistics.median(firsts),
            "p95_ms": firsts[min(len(firsts) - 1, round(0.95 * (len(firsts) - 1)))],
            "status": "ok",
        }
    ]
    _progress(out[-1])
    if full:
        t0 = time.perf_counter()
        size, rows = 0, 0
        unfinished, tail = "", b""
        with urllib.request.urlopen(url, timeout=3600) as resp:
            while True:
                try:
                    chunk = resp.read(1 << 20)
                except http.client.IncompleteRead as e:  # a stream that failed
                    chunk, unfinished = e.partial, "transfer left unfinished, "
                if not chunk:
                    break
                size += len(chunk)
                # A line end split between two reads counts too.
                rows += chunk.count(b"\r\n") + (
                    tail[-1:] == b"\r" and chunk[:1] == b"\n"
                )
                tail = chunk[-300:]
                if size % (1 << 29) < len(chunk):  # every 512 MB
                    print(
                        f"  CSV {size / 1e6:,.0f} MB, ~{rows:,} lines,"
                        f" {time.perf_counter() - t0:.0f} s",
                        flush=True,
                    )
                if unfinished:
                    break
        ms = (time.perf_counter() - t0) * 1000
        records = rows - 1  # the header
        status = (
            "ok"
            if records >= expected_rows and not unfinished
            else f"cut off after {records:,} of {expected_rows:,} rows, {unfinished}"
            + tail.decode("utf-8", "replace")[-120:]
        )
        out.append(
            {
                "request": f"jobs CSV stream, all rows ({size:,} bytes, {rows:,}"
                " lines)",
                "p50_ms": ms,
                "p95_ms": ms,
                "status": status,
            }
        )
        _progress(out[-1])
    return out


def _problem(body: bytes, status: int, facets: tuple[str, ...] = ()) -> str:
    """ "ok", or what Datasette cut off; ``facets``: the facets the JSON must hold."""
    if status >= 400:
        return f"HTTP {status}"
    text = body.decode("utf-8", "replace")
    if "took too long" in text:
        return "too long"
    if text.startswith("{"):
        data = json.loads(text)
        # Datasette 0.65 JSON leaves a timed-out facet out of facet_results.
        missing = [f for f in facets if f not in (data.get("facet_results") or {})]
        if missing:
            return "facets timed out: " + ",".join(missing)
        if data.get("ok") is False:
            return "error: " + str(data.get("error"))[:60]
        if (
            "filtered_table_rows_count" in data
            and data["filtered_table_rows_count"] is None
        ):
            return "row count timed out"
    elif "facet-timed-out" in text or "timed out" in text:
        return "facet timed out"
    return "ok"


def time_requests(
    base: str, requests: list[tuple[str, str]], repeat: int
) -> list[dict]:
    """p50/p95 of ``repeat`` requests each, after one untimed request (warm figures)."""
    results = []
    for label, path in requests:
        times, status = [], "ok"
        for attempt in range(repeat + 1):
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=60) as resp:
                    body, code = resp.read(), resp.status
            except urllib.error.HTTPError as exc:
                body, code = exc.read(), exc.code
            if attempt:
                times.append((time.perf_counter() - t0) * 1000)
            table_json = "/jobs.json" in path and "_nofacet" not in path
            wanted = DEFAULT_FACETS if table_json else ()
            problem = _problem(body, code, wanted)
            if problem != "ok":
                status = problem
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        results.append(
            {
                "request": label,
                "p50_ms": statistics.median(times),
                "p95_ms": p95,
                "status": status,
            }
        )
        _progress(results[-1])
    return results


def _progress(result: dict) -> None:
    """One measured request as it finishes (a 5 M run takes long; the table is last)."""
    print(
        f"  {result['request']}: {result['p50_ms']:.1f} / {result['p95_ms']:.1f}"
        f" ms, {result['status']}",
        flush=True,
    )


BLOB_PROBES = (
    "select randomblob(1000000000)",
    "select zeroblob(1000000000)",
    "select length(replace(hex(zeroblob(100000)), '0', hex(zeroblob(100000))))",
    "select printf('%.*c', 1000000000, 'x')",
    "select format('%1000000000d', 1)",
    "select group_concat(description) from jobs",
)


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of ``pid`` in MB, from /proc (Linux)."""
    fields = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith(("VmRSS", "VmHWM"))
    )
    return tuple(int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))


def blob_probes(db: Path) -> list[dict]:
    """Each blob/string bomb against a server started with --allow-sql, and its RSS.

    Reports the refusal (HTTP status) and the time per probe; the last row is the
    server's resident memory after all probes and its peak (VmHWM).
    """
    port = free_port()
    proc = start_background(db, port=port, timeout=120, allow_sql=True)
    out = []
    try:
        base = f"http://127.0.0.1:{port}/{db.stem}.json?"
        before = _rss_mb(proc.pid)[0]
        for sql in BLOB_PROBES:
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(
                    base + urllib.parse.urlencode({"sql": sql}), timeout=120
                ) as resp:
                    size, code = len(resp.read()), resp.status
            except urllib.error.HTTPError as exc:
                size, code = len(exc.read()), exc.code
            ms = (time.perf_counter() - t0) * 1000
            out.append(
                {
                    "request": f"blob probe {sql[:48]}",
                    "p50_ms": ms,
                    "p95_ms": ms,
                    "status": f"HTTP {code}, {size:,} bytes",
                }
            )
        rss, peak = _rss_mb(proc.pid)
        out.append(
            {
                "request": f"datasette RSS after probes (MB; before {before:.0f})",
                "p50_ms": rss,
                "p95_ms": peak,
                "status": "ok" if peak <= 1024 else "over 1 GB",
            }
        )
    finally:
        proc.terminate()
        proc.wait(10)
    return out


def _row_count(db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    finally:
        conn.close()


def print_table(results: list[dict]) -> None:
    width = max(len(r["request"]) for r in results)
    print(f"{'request':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  status")
    for r in results:
        print(
            f"{r['request']:<{width}}  {r['p50_ms']:8.1f}  {r['p95_ms']:8.1f}  {r['status']}"
        )
    timed = [r for r in results if not r["request"].startswith(("blob", "datasette"))]
    slow = [r for r in timed if r["p95_ms"] > 1000 or r["status"] != "ok"]
    print(
        f"\n{len(results)} requests, {len(slow)} over 1 s at p95 or cut off by Datasette; "
        f"slowest p50 {max((r['p50_ms'] for r in timed), default=0):.0f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="database to use; built when missing (default data/bench-ROWS.db)",
    )
    parser.add_argument(
        "--repeat", type=int, default=7, help="requests per measurement"
    )
    parser.add_argument(
        "--match",
        default="",
        help="only requests whose label contains this text (e.g. 'jobs')",
    )
    parser.add_argument(
        "--csv-full",
        action="store_true",
        help="also time the CSV stream of all rows to its end (once)",
    )
    args = parser.parse_args(argv)
    db = args.db or Path("data") / f"bench-{args.rows}.db"
    if db.exists():
        print(f"reusing {db}")
        ensure_facet_counts(db)
    else:
        print(f"building {db} with {args.rows:,} postings")
        print(build_database(db, args.rows))
    ensure_report_estimates(db)
    port = free_port()
    proc = start_background(db, port=port, timeout=120)
    try:
        base = f"http://127.0.0.1:{port}"
        requests = requests_to_time(db.stem)
        if "page" in args.match or "jobs" in args.match or not args.match:
            requests += paging_requests(base, db.stem, db)
        requests = [r for r in requests if args.match in r[0]]
        results = time_requests(base, requests, args.repeat)
        if "csv" in args.match.lower() or not args.match:
            results += time_csv_stream(
                base, db.stem, args.repeat, args.csv_full, _row_count(db)
            )
    finally:
        proc.terminate()
        proc.wait(10)
    if "blob" in args.match or not args.match:
        results += blob_probes(db)
    print_table(results)


if __name__ == "__main__":
    main()
