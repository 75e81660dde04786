"""Checks shared by the job-board spider tests (remoteok, remotive, weworkremotely, greenhouse)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import rows


def assert_recrawl_idempotent(crawl, server, name: str, *args: str) -> Path:
    """Crawl twice into one database: same rows, last_seen_at advances, seen_count 2."""
    _, db = crawl(name, server, *args)
    before = {r["source_id"]: r for r in rows(db, "SELECT * FROM raw_listings")}
    jobs_before = rows(
        db, "SELECT job_id, title, pay_min, posted_at FROM jobs ORDER BY job_id"
    )
    time.sleep(1.1)  # timestamps have one-second resolution
    _, db = crawl(name, server, *args)
    after = {r["source_id"]: r for r in rows(db, "SELECT * FROM raw_listings")}
    assert after.keys() == before.keys() and before
    for key, row in after.items():
        assert row["last_seen_at"] > before[key]["last_seen_at"]
        assert row["first_seen_at"] == before[key]["first_seen_at"]
        assert (
            row["seen_count"] == 2
            and row["payload_sha256"] == before[key]["payload_sha256"]
        )
    assert (
        rows(db, "SELECT job_id, title, pay_min, posted_at FROM jobs ORDER BY job_id")
        == jobs_before
    )
    first, second = rows(db, "SELECT * FROM crawl_runs ORDER BY run_id")
    assert (
        first["new"] == len(before)
        and first["status"] == second["status"] == "finished"
    )
    assert (second["new"], second["updated"], second["unchanged"]) == (
        0,
        0,
        len(before),
    )
    return db


def field_coverage(db: Path, source: str) -> dict[str, float]:
    """Share of jobs rows with a date, a pay, a category other than 'other', some skills."""
    row = rows(
        db,
        """
        SELECT count(*) AS n, avg(posted_at IS NOT NULL) AS posted_at,
               avg(pay_type != 'unknown') AS pay, avg(category != 'other') AS category,
               avg(skills NOT IN ('[]', '') AND skills IS NOT NULL) AS skills
        FROM jobs WHERE source = ?""",
        (source,),
    )[0]
    return dict(row)
