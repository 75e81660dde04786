"""`jobtrends import`: saved Upwork feeds, the Upwork CSV, generic csv/jsonl, scrapy feeds.

Sample files in tests/data/import/ are written in each format's exact layout; archives
(.zip, .tar.gz) are built from them here.  Library calls where only the stored rows
matter, the real CLI where exit status and messages do.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import zipfile
from pathlib import Path

import pytest

from crawler.db import connect
from crawler.importers import ImportFailed, run_import
from tests.conftest import ROOT, rows, run_cli

DATA = ROOT / "tests" / "data" / "import"
FEEDS = DATA / "feeds"
CSV = DATA / "upwork_jobs.csv"
A, B, E, G = (
    "~01a1a1a1a1a1a1a1a1a1",
    "~01b2b2b2b2b2b2b2b2b2",
    "~01e5e5e5e5e5e5e5e5e5",
    "~01a7a7a7a7a7a7a7a7a7",
)


def do_import(db: Path, paths, fmt: str, **kw):
    conn = connect(db)
    try:
        return run_import(conn, [str(p) for p in paths], fmt, **kw)
    finally:
        conn.close()


def raw(db: Path) -> dict[str, sqlite3.Row]:
    return {r["source_id"]: r for r in rows(db, "SELECT * FROM raw_listings")}


def snapshot(db: Path) -> tuple:
    """Everything an import stores, minus last_run_id (the last run that read a row)."""
    raw_rows = rows(
        db,
        "SELECT source, source_id, payload, payload_sha256, fetched_at, first_seen_at,"
        " last_seen_at, seen_count, origin FROM raw_listings ORDER BY 1, 2",
    )
    jobs = rows(db, "SELECT * FROM jobs ORDER BY job_id")
    return [tuple(r) for r in raw_rows], [tuple(r) for r in jobs]


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def item_text(path: Path, job_id: str) -> str:
    body = path.read_text()
    at = body.index(job_id.replace("~", "%7E"))
    return body[
        body.rindex("<item>", 0, at) : body.index("</item>", at) + len("</item>")
    ]


# -- upwork-rss -------------------------------------------------------------------------


def test_rss_folder_stores_each_job_once_with_feed_dates(tmp_path):
    db = tmp_path / "jobs.db"
    report = do_import(db, [FEEDS], "upwork-rss")
    stored = raw(db)
    assert sorted(stored) == sorted(
        [
            A,
            B,
            "~01c3c3c3c3c3c3c3c3c3",
            "~01d4d4d4d4d4d4d4d4d4",
            E,
            "~01f6f6f6f6f6f6f6f6f6",
            G,
        ]
    )
    later = FEEDS / "2022-11" / "writing-2022-11-10.xml"
    # A is in both writing feeds: first/last seen are the two files' channel dates.
    a = stored[A]
    assert (a["first_seen_at"], a["last_seen_at"], a["seen_count"]) == (
        "2022-11-03T12:00:00Z",
        "2022-11-10T12:00:00Z",
        2,
    )
    assert a["payload"] == item_text(later, A)  # byte-exact <item>
    assert a["origin"] == f"{later}#item 2" and a["payload_format"] == "xml"
    # B was edited between the two saves: the later version is the one stored.
    assert "50 page ebook" in stored[B]["payload"]
    title = rows(db, "SELECT title FROM jobs WHERE job_id = ?", (f"upwork:{B}",))[0][0]
    assert title == "Ghostwriter for a business ebook (50 pages)"
    # No channel date: the item's own pubDate.
    assert stored[G]["first_seen_at"] == "2024-02-20T10:00:00Z"
    assert (
        report.files,
        report.rows_read,
        report.new,
        report.duplicates,
        report.rejected,
    ) == (4, 10, 7, 2, 1)
    # The item without a ~01 id is listed with file and line.
    noid = FEEDS / "2024-02" / "video-editing-no-channel-date.xml"
    skip = rows(db, "SELECT * FROM skipped_listings")
    assert [(s["reason"], s["url"], s["run_id"]) for s in skip] == [
        (
            "no_job_id",
            f"{noid}:{line_of(noid, 'Data entry assistant') - 1}",
            report.run_id,
        )
    ]
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert (
        run["kind"],
        run["spider"],
        run["status"],
        run["new"],
        run["skipped"],
        run["pages"],
    ) == ("import", "upwork", "partial", 7, 1, 4)
    stats = json.loads(run["stats"])
    assert stats["reasons"] == {"no_job_id": 1} and stats["duplicates"] == 2
    # Normalized in the same pass, rollups refreshed.
    months = {r[0] for r in rows(db, "SELECT month FROM jobs")}
    assert months == {"2022-11", "2024-02"}
    assert (
        rows(db, "SELECT count(*) FROM category_month WHERE month = '2024-02'")[0][0]
        > 0
    )


def test_reimport_changes_nothing(tmp_path):
    db = tmp_path / "jobs.db"
    do_import(db, [FEEDS], "upwork-rss")
    do_import(db, [CSV], "upwork-csv")
    before = snapshot(db)
    again = do_import(db, [FEEDS], "upwork-rss")
    again_csv = do_import(db, [CSV], "upwork-csv")
    assert snapshot(db) == before
    assert (again.new, again.updated, again.widened, again.normalized) == (0, 0, 0, 0)
    assert again.unchanged == 7 and again.duplicates == 2
    assert (again_csv.new, again_csv.updated, again_csv.normalized) == (0, 0, 0)


def _archive_copy(tmp_path: Path, kind: str) -> Path:
    if kind == "zip":
        path = tmp_path / "feeds.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(FEEDS.rglob("*.xml")):
                z.write(f, f"saved/{f.relative_to(FEEDS)}")
            z.writestr("saved/README.md", "not a feed")
    else:
        path = tmp_path / "feeds.tar.gz"
        with tarfile.open(path, "w:gz") as t:
            t.add(FEEDS, arcname="saved")
    return path


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_archives_store_what_the_folder_stores(tmp_path, kind):
    folder_db, archive_db = tmp_path / "folder.db", tmp_path / "archive.db"
    do_import(folder_db, [FEEDS], "upwork-rss")
    archive = _archive_copy(tmp_path, kind)
    report = do_import(archive_db, [archive], "upwork-rss")
    assert report.files == 4
    pick = "SELECT source_id, payload, first_seen_at, last_seen_at, seen_count FROM raw_listings ORDER BY 1"
    assert [tuple(r) for r in rows(archive_db, pick)] == [
        tuple(r) for r in rows(folder_db, pick)
    ]
    origin = raw(archive_db)[A]["origin"]
    assert origin == f"{archive}/saved/2022-11/writing-2022-11-10.xml#item 2"


def test_overlapping_archives_imported_apart_keep_min_first_and_max_last(tmp_path):
    db = tmp_path / "jobs.db"
    newer = FEEDS / "2022-11" / "writing-2022-11-10.xml"
    older = FEEDS / "2022-11" / "writing-2022-11-03.xml"
    first = do_import(db, [newer], "upwork-rss")
    second = do_import(db, [older], "upwork-rss")
    stored = raw(db)
    assert (
        stored[A]["first_seen_at"],
        stored[A]["last_seen_at"],
        stored[A]["seen_count"],
    ) == ("2022-11-03T12:00:00Z", "2022-11-10T12:00:00Z", 2)
    # The older file's version of B does not replace the newer one.
    assert "50 page ebook" in stored[B]["payload"]
    assert (
        first.new,
        second.new,
        second.updated,
        second.older_versions,
        second.widened,
    ) == (3, 1, 0, 1, 2)
    assert tuple(
        rows(
            db,
            "SELECT first_run_id, last_run_id FROM raw_listings WHERE source_id = ?",
            (A,),
        )[0]
    ) == (first.run_id, second.run_id)


def test_broken_files_keep_their_good_items_and_list_the_bad(tmp_path):
    db = tmp_path / "jobs.db"
    proc = run_cli(
        "import",
        str(DATA / "broken"),
        "--format",
        "upwork-rss",
        "--db",
        str(db),
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(raw(db)) == [A, "~01b8b8b8b8b8b8b8b8b8"]
    skips = {
        (r["reason"], r["url"]) for r in rows(db, "SELECT * FROM skipped_listings")
    }
    bad, cut = (
        DATA / "broken" / "bad-item-2024-02-26.xml",
        DATA / "broken" / "truncated-2024-02-25.xml",
    )
    assert skips == {
        ("broken_xml", f"{bad}:{line_of(bad, 'Research & summary')}"),
        ("broken_xml", f"{cut}:{len(cut.read_text().splitlines())}"),
        ("not_rss", str(DATA / "broken" / "notes.xml")),
    }
    assert "rejected: 3" in proc.stdout


def test_strict_stops_at_the_first_bad_row(tmp_path):
    db = tmp_path / "jobs.db"
    proc = run_cli(
        "import",
        str(DATA / "broken"),
        "--format",
        "upwork-rss",
        "--db",
        str(db),
        "--quiet",
        "--strict",
    )
    assert proc.returncode == 1
    assert "--strict" in proc.stderr and "broken_xml" in proc.stderr
    run = rows(db, "SELECT status, skipped FROM crawl_runs")[0]
    assert tuple(run) == ("failed", 1)


def test_nothing_readable_exits_non_zero(tmp_path):
    db = tmp_path / "jobs.db"
    proc = run_cli(
        "import",
        str(DATA / "broken" / "notes.xml"),
        "--format",
        "upwork-rss",
        "--db",
        str(db),
        "--quiet",
    )
    assert proc.returncode == 1
    assert "nothing could be read" in proc.stderr and "not_rss" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- upwork-csv -----------------------------------------------------------------------


def test_upwork_csv_rows_and_rejects(tmp_path):
    db = tmp_path / "jobs.db"
    report = do_import(db, [CSV], "upwork-csv")
    stored = raw(db)
    assert len(stored) == 5 and report.rejected == 3
    chatbot = stored["~0122bb33cc44dd55ee66"]
    assert chatbot["payload_format"] == "csv-row" and chatbot["origin"] == f"{CSV}:4"
    assert json.loads(chatbot["payload"])["description"].endswith(
        "It must hand over to a human when unsure."
    )
    assert chatbot["first_seen_at"] == chatbot["last_seen_at"] == "2024-02-08T11:20:00Z"
    skips = {
        (r["reason"], r["url"]) for r in rows(db, "SELECT * FROM skipped_listings")
    }
    assert skips == {
        ("no_job_id", f"{CSV}:8"),
        ("bad_date", f"{CSV}:9"),
        ("column_count", f"{CSV}:10"),
    }
    jobs = {r["source_id"]: r for r in rows(db, "SELECT * FROM jobs")}
    job = jobs["~0122bb33cc44dd55ee66"]
    assert (
        job["pay_type"],
        job["pay_min"],
        job["pay_max"],
        job["pay_currency"],
        job["month"],
    ) == ("hourly", 35.0, 70.0, "USD", "2024-02")
    assert (
        job["title"] == "Chatbot for a dental clinic"
        and job["country"] == "US"
        and job["country_raw"] == "United States"
    )
    fixed = jobs["~0111aa22bb33cc44dd55"]
    assert (fixed["pay_type"], fixed["budget_usd"], fixed["month"]) == (
        "fixed",
        450.0,
        "2022-11",
    )
    assert jobs["~0133cc44dd55ee66ff77"]["pay_type"] == "unknown"


@pytest.mark.parametrize("fmt, path", [("upwork-csv", CSV), ("upwork-rss", FEEDS)])
def test_reading_in_a_second_process_stores_the_same(tmp_path, fmt, path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    first = do_import(one, [path], fmt, parallel=False)
    second = do_import(two, [path], fmt, parallel=True)
    assert snapshot(one) == snapshot(two)
    pick = "SELECT reason, url FROM skipped_listings ORDER BY id"
    assert [tuple(r) for r in rows(one, pick)] == [tuple(r) for r in rows(two, pick)]
    assert (first.rows_read, first.new, first.rejected, first.files) == (
        second.rows_read,
        second.new,
        second.rejected,
        second.files,
    )
    with pytest.raises(ImportFailed, match="--strict"):
        do_import(
            tmp_path / "three.db",
            [path, DATA / "broken"],
            fmt,
            parallel=True,
            strict=True,
        )


def test_csv_and_feeds_overlap_is_stored_once(tmp_path):
    db = tmp_path / "jobs.db"
    do_import(db, [FEEDS], "upwork-rss")
    do_import(db, [CSV], "upwork-csv")
    a = raw(db)[A]
    # The CSV row carries the posting time; the feed files were saved later.
    assert (a["first_seen_at"], a["last_seen_at"]) == (
        "2022-11-02T09:12:40Z",
        "2022-11-10T12:00:00Z",
    )
    assert a["payload_format"] == "xml"  # the latest sighting's payload stays
    assert (
        rows(db, "SELECT count(*) FROM raw_listings WHERE source_id = ?", (A,))[0][0]
        == 1
    )
    assert rows(db, "SELECT count(*) FROM jobs")[0][0] == 7 + 4


# -- generic csv / jsonl --------------------------------------------------------------

MAP = (
    "source_id=id,title=job_title,posted_raw=date,pay_text=salary,description=desc,company=company,"
    "url=link,source_category=category,tags=skills,seen_at=seen"
)


def test_generic_csv_with_a_command_line_map(tmp_path):
    db = tmp_path / "jobs.db"
    path = DATA / "other_board.csv"
    proc = run_cli(
        "import",
        str(path),
        "--format",
        "csv",
        "--source",
        "board",
        "--map",
        MAP,
        "--db",
        str(db),
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    stored = raw(db)
    assert sorted(stored) == ["b-1", "b-2"]
    b1 = stored["b-1"]
    assert b1["source"] == "board" and b1["first_seen_at"] == "2022-11-05T08:00:00Z"
    payload = json.loads(b1["payload"])
    assert (
        payload["_raw"]["job_title"] == "Data analyst (SQL)"
        and payload["pay_text"] == "$40 per hour"
    )
    job = rows(db, "SELECT * FROM jobs WHERE job_id = 'board:b-1'")[0]
    assert (
        job["title"],
        job["company"],
        job["pay_type"],
        job["pay_min"],
        job["month"],
    ) == ("Data analyst (SQL)", "Acme", "hourly", 40.0, "2022-11")
    assert {"SQL", "Python"} <= set(json.loads(job["skills"]))
    skips = {
        (r["reason"], r["url"]) for r in rows(db, "SELECT * FROM skipped_listings")
    }
    assert skips == {
        ("no_id", f"{path}:4"),
        ("bad_date", f"{path}:5"),
        ("column_count", f"{path}:6"),
    }


def test_generic_jsonl_with_the_map_in_the_config(tmp_path):
    db = tmp_path / "jobs.db"
    config = tmp_path / "jobtrends.toml"
    config.write_text(
        '[sources.board.import_map]\nsource_id = "id"\ntitle = "job_title"\n'
        'posted_raw = "date"\npay_text = "salary"\ndescription = "desc"\n'
        'company = "company.name"\ntags = "skills"\n'
    )
    path = DATA / "other_board.jsonl"
    proc = run_cli(
        "import",
        str(path),
        "--format",
        "jsonl",
        "--source",
        "board",
        "--config",
        str(config),
        "--map",
        "source_category=category",
        "--db",
        str(db),
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    jobs = {r["source_id"]: r for r in rows(db, "SELECT * FROM jobs")}
    assert sorted(jobs) == ["j-1", "j-2"]
    assert jobs["j-1"]["company"] == "BotCo" and jobs["j-1"]["has_ai_skill"] == 1
    assert (
        jobs["j-2"]["month"] == "2022-11"
        and jobs["j-2"]["source_category"] == "Translation"
    )
    assert (
        raw(db)["j-1"]["first_seen_at"] == "2024-02-05T10:00:00Z"
    )  # no seen_at: the posted date
    skips = {
        (r["reason"], r["url"]) for r in rows(db, "SELECT * FROM skipped_listings")
    }
    assert skips == {
        ("bad_json", f"{path}:3"),
        ("not_object", f"{path}:4"),
        ("no_id", f"{path}:5"),
    }


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "csv", "--map", MAP], "needs --source"),
        (["--format", "csv", "--source", "board"], "source_id=COLUMN"),
        (
            [
                "--format",
                "csv",
                "--source",
                "board",
                "--map",
                "source_id=id,salary_max=x",
            ],
            "unknown field",
        ),
        (
            ["--format", "csv", "--source", "upwork", "--map", MAP],
            "has its own mapping",
        ),
        (["--format", "csv", "--source", "Bad Name", "--map", MAP], "lowercase"),
        (["--format", "upwork-csv", "--map", MAP], "--map applies"),
        (["--format", "scrapy-feed", "--source", "board"], "drop --source"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path, args, message):
    from click.testing import CliRunner

    from crawler.cli import main

    result = CliRunner().invoke(
        main,
        [
            "import",
            str(DATA / "other_board.csv"),
            *args,
            "--db",
            str(tmp_path / "x.db"),
        ],
    )
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened


# -- scrapy-feed and the live crawl -------------------------------------------------------

WRITING_FEED = (
    "https://www.upwork.com/ab/feed/jobs/rss?q=writing&sort=recency&paging=0%3B50"
)


def test_scrapy_feed_merges_like_the_crawl(tmp_path, crawl, fixture_server):
    items = tmp_path / "items.jsonl"
    feeds_setting = json.dumps({str(items): {"format": "jsonlines"}})
    _, crawled_db = crawl(
        "upwork",
        fixture_server,
        "-a",
        f"feeds={WRITING_FEED}",
        "-s",
        f"FEEDS={feeds_setting}",
    )
    with items.open("a") as fh:  # a crawl elsewhere that also met a bad item
        fh.write(
            json.dumps(
                {
                    "skip": True,
                    "source": "upwork",
                    "url": "http://x/feed",
                    "reason": "no_job_id",
                    "detail": "link without ~01 id",
                    "excerpt": "<item>",
                }
            )
            + "\n"
        )
    db = tmp_path / "merged.db"
    report = do_import(db, [items], "scrapy-feed")
    pick = "SELECT source, source_id, payload, payload_format, url, fetched_at FROM raw_listings ORDER BY 1, 2"
    assert [tuple(r) for r in rows(db, pick)] == [
        tuple(r) for r in rows(crawled_db, pick)
    ]
    first = rows(
        db, "SELECT first_seen_at, fetched_at, origin FROM raw_listings LIMIT 1"
    )[0]
    assert first["first_seen_at"] == first["fetched_at"] and first["origin"].startswith(
        f"{items}:"
    )
    assert report.reasons == {"crawl_skip:no_job_id": 1}
    assert (
        rows(db, "SELECT count(*) FROM jobs")[0][0]
        == rows(crawled_db, "SELECT count(*) FROM jobs")[0][0]
    )


QUERIES = ("writing", "translation", "chatbot")


def test_import_into_a_crawled_database_then_compare(tmp_path, crawl, fixture_server):
    feeds = ",".join(WRITING_FEED.replace("writing", q) for q in QUERIES)
    _, db = crawl("upwork", fixture_server, "-a", f"feeds={feeds}")
    crawled = rows(db, "SELECT source_id, first_seen_at FROM raw_listings")
    crawl_run = rows(db, "SELECT run_id FROM crawl_runs")[0][0]
    # A folder of saved feed files that holds the very files the crawl fetched.
    saved = tmp_path / "saved"
    for query in QUERIES:  # the pages the crawl fetched, saved as files
        for page in (ROOT / "fixtures" / "upwork" / "feeds").glob(f"{query}-p*.xml"):
            (saved / query).mkdir(parents=True, exist_ok=True)
            shutil.copy2(page, saved / query / page.name)
    proc = run_cli(
        "import", str(saved), "--format", "upwork-rss", "--db", str(db), "--quiet"
    )
    assert proc.returncode == 0, proc.stderr
    proc = run_cli(
        "import", str(CSV), "--format", "upwork-csv", "--db", str(db), "--quiet"
    )
    assert proc.returncode == 0, proc.stderr
    total, distinct = rows(
        db, "SELECT count(*), count(DISTINCT source || source_id) FROM raw_listings"
    )[0]
    assert (
        total == distinct == len(crawled) + 5
    )  # the CSV's five jobs are not in the fixtures
    imports = rows(
        db,
        "SELECT run_id, new, unchanged FROM crawl_runs WHERE kind = 'import' ORDER BY run_id",
    )
    assert imports[0]["new"] == 0 and imports[0]["unchanged"] == len(crawled)
    # The overlap keeps the crawl's first run and takes its first seen from the files' dates.
    overlap = rows(
        db,
        "SELECT first_run_id, last_run_id, first_seen_at FROM raw_listings WHERE first_run_id = ?",
        (crawl_run,),
    )
    assert len(overlap) == len(crawled)
    assert all(r["last_run_id"] == imports[0]["run_id"] for r in overlap)
    assert max(r["first_seen_at"] for r in overlap) < min(
        c["first_seen_at"] for c in crawled
    )
    proc = run_cli("compare", "--a", "2022-11", "--b", "2024-02", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "2022-11" in proc.stdout


# -- streaming --------------------------------------------------------------------------


_PEAK_RSS = """
import resource, sys
from crawler.db import connect
from crawler.importers import run_import
conn = connect(sys.argv[2])
report = run_import(conn, [sys.argv[1]], "upwork-csv", normalize=False, batch_size=2000)
print(report.new, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def test_large_csv_streams_in_flat_memory(tmp_path):
    import subprocess
    import sys

    from benchmarks.import_csv import write_csv
    from tests.conftest import cli_env

    def peak(rows: int) -> tuple[int, int, int]:
        path = write_csv(tmp_path / f"{rows}.csv", rows)
        out = subprocess.run(
            [sys.executable, "-c", _PEAK_RSS, str(path), str(tmp_path / f"{rows}.db")],
            capture_output=True,
            text=True,
            env=cli_env(),
            cwd=ROOT,
            check=True,
        )
        stored, rss = map(int, out.stdout.split())
        return stored, rss, path.stat().st_size

    small_stored, small_rss, _ = peak(2_000)
    large_stored, large_rss, large_size = peak(30_000)
    assert (small_stored, large_stored) == (2_000, 30_000)
    # 15x the rows (~12 MB more file) cost only a few MB more peak memory.
    assert large_size > 10_000_000
    assert large_rss - small_rss < 6_000_000, (small_rss, large_rss)
