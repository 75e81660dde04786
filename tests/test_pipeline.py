"""The store pipeline and the normalize queue: raw rows during the crawl, jobs at its close
(or from the helper during it), repairs after a killed crawl, parallel and bulk paths."""

from __future__ import annotations

import json
from datetime import date

from analysis.synth import generate
from crawler.db import connect, save_raw, start_run, transaction
from crawler.normalize import bulk as nrun
from tests.conftest import rows

JOB_FIELDS = (
    "job_id, title, posted_at, category, pay_type, hourly_usd_mid, skills, raw_sha256"
)


def _store(db, n: int, *, queue: bool = True, seed: int = 3) -> tuple[int, list]:
    conn = connect(db)
    run_id = start_run(conn, "synth", kind="synth")
    listings = list(generate(date(2023, 1, 1), date(2023, 3, 1), rows=n, seed=seed))
    with transaction(conn):
        counts = save_raw(conn, listings, run_id=run_id, in_transaction=True)
        if queue:
            nrun.enqueue(conn, counts.changed_keys, run_id)
    conn.close()
    return run_id, listings


def test_queue_normalizes_exactly_the_queued_listings(tmp_path):
    db = tmp_path / "jobs.db"
    _, listings = _store(db, 300)
    conn = connect(db)
    stats = nrun.normalize_db(conn, queue=True, progress=False, workers=1)
    conn.close()
    assert stats.listings == len({(r.source, r.source_id) for r in listings})
    assert rows(db, "SELECT count(*) FROM jobs")[0][0] == stats.listings
    assert rows(db, "SELECT count(*) FROM normalize_queue")[0][0] == 0
    # every job was normalized from the payload stored now
    assert (
        rows(
            db,
            "SELECT count(*) FROM jobs j JOIN raw_listings r USING (source, source_id)"
            " WHERE j.raw_sha256 IS NOT r.payload_sha256",
        )[0][0]
        == 0
    )
    assert (
        rows(db, "SELECT count(*) FROM category_month")[0][0] > 0
    )  # derived once at the end


def test_a_newer_payload_keeps_its_listing_queued(tmp_path):
    """A job normalized from payload A while another crawl stored payload B stays queued."""
    db = tmp_path / "jobs.db"
    _store(db, 20)
    conn = connect(db)
    source, source_id, sha = conn.execute(
        "SELECT source, source_id, payload_sha256 FROM raw_listings LIMIT 1"
    ).fetchone()
    conn.execute(
        "UPDATE raw_listings SET payload_sha256 = 'newer' WHERE source = ? AND source_id = ?",
        (source, source_id),
    )
    with transaction(conn):
        nrun._resolve_queue(conn, [(source, source_id, sha)])
    assert nrun.queued(conn) == 20
    conn.execute(
        "UPDATE raw_listings SET payload_sha256 = ? WHERE source = ? AND source_id = ?",
        (sha, source, source_id),
    )
    with transaction(conn):
        nrun._resolve_queue(conn, [(source, source_id, sha)])
    assert nrun.queued(conn) == 19
    conn.close()


def test_listings_of_a_run_without_jobs_rows_are_repaired(tmp_path):
    """Rows stored before the queue existed (or with normalizing off) get queued again."""
    db = tmp_path / "jobs.db"
    run_id, _ = _store(db, 50, queue=False)
    conn = connect(db)
    assert nrun.queued(conn) == 0
    assert nrun.enqueue_unnormalized(conn, run_id) == 50
    nrun.normalize_db(conn, queue=True, progress=False, workers=1)
    assert nrun.enqueue_unnormalized(conn, run_id) == 0
    conn.close()
    assert rows(db, "SELECT count(*) FROM jobs")[0][0] == 50


def test_parallel_workers_write_the_same_rows_as_one_process(tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    for db, workers in ((one, 1), (two, 2)):
        _store(db, 400, seed=5)
        conn = connect(db)
        stats = nrun.normalize_db(
            conn, queue=True, progress=False, workers=workers, chunk=60
        )
        conn.close()
        assert stats.listings == 400
    for table, cols in (
        ("jobs", JOB_FIELDS),
        ("job_skills", "job_id, skill, is_ai, month"),
        ("normalize_issues", "job_id, field, reason"),
    ):
        sql = f"SELECT {cols} FROM {table} ORDER BY 1, 2"
        assert [tuple(r) for r in rows(one, sql)] == [
            tuple(r) for r in rows(two, sql)
        ], table


def test_bulk_run_rebuilds_indexes_and_full_text(tmp_path, monkeypatch):
    db = tmp_path / "jobs.db"
    _store(db, 200, queue=False)
    monkeypatch.setattr(nrun, "BULK_INDEX_ROWS", 10)
    monkeypatch.setattr(nrun, "BULK_FTS_ROWS", 10)
    conn = connect(db)
    before = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')"
        )
    }
    nrun.normalize_db(conn, progress=False, workers=2, chunk=50)
    after = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')"
        )
    }
    assert before == after and "jobs_window" in after and "jobs_fts_ai" in after
    word = (
        conn.execute("SELECT title FROM jobs WHERE title IS NOT NULL LIMIT 1")
        .fetchone()[0]
        .split()[0]
    )
    found = conn.execute(
        "SELECT count(*) FROM jobs_fts WHERE jobs_fts MATCH ?", (json.dumps(word),)
    ).fetchone()[0]
    assert found >= 1
    assert (
        conn.execute("PRAGMA cache_size").fetchone()[0] == -2000
    )  # bulk pragmas undone
    conn.close()
    assert rows(db, "SELECT count(*) FROM jobs")[0][0] == 200


def test_crawl_normalizes_every_listing_at_its_close(fixture_server, crawl):
    _, db = crawl("freelancer", fixture_server, "-s", "JOBTRENDS_BATCH_SIZE=50")
    raw = rows(db, "SELECT count(*) FROM raw_listings")[0][0]
    assert raw > 0 and rows(db, "SELECT count(*) FROM jobs")[0][0] == raw
    assert rows(db, "SELECT count(*) FROM normalize_queue")[0][0] == 0
    run = rows(db, "SELECT new, stats FROM crawl_runs")[0]
    stats = json.loads(run["stats"])
    assert stats["jobtrends/normalized"] == run["new"] == raw
    assert (
        rows(db, "SELECT count(*) FROM category_month WHERE source = 'freelancer'")[0][
            0
        ]
        > 0
    )
