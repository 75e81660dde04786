"""Politeness under pressure: a 429 with Retry-After is waited out, a dead endpoint is given up.

Both crawl the remoteok spider (one request per run) against a fixture server of their own
that injects the faults.
"""

from __future__ import annotations

import json

from crawler.fixture_server import FIXTURES
from tests.conftest import rows


def remoteok_ids() -> set[str]:
    data = json.loads((FIXTURES / "remoteok" / "api.json").read_text(encoding="utf-8"))
    return {job["id"] for job in data[1:] if job.get("id")}


def test_429_retry_after_is_waited_then_succeeds(crawl, fresh_server):
    fresh_server.faults["/remoteok/api"] = [
        {"status": 429, "headers": {"Retry-After": "2"}}
    ]
    _proc, db = crawl("remoteok", fresh_server)
    assert [p for p in fresh_server.requests if p.startswith("/remoteok/")] == [
        "/remoteok/api"
    ] * 2
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    stats = json.loads(run["stats"])
    assert stats["jobtrends/retry_after_waits"] == 1
    assert stats["jobtrends/retry_wait_seconds"] == 2
    assert stats.get("retry/count") == 1 and not stats.get("retry/max_reached")
    assert run["status"] == "finished" and run["retries"] == 1
    assert {
        r["source_id"] for r in rows(db, "SELECT source_id FROM raw_listings")
    } == remoteok_ids()


def test_always_503_is_given_up_logged_and_counted(crawl, fresh_server, tmp_path):
    fresh_server.faults["/remoteok/api"] = [{"status": 503}] * 10
    proc, db = crawl(
        "remoteok",
        fresh_server,
        "-s",
        "RETRY_TIMES=2",
        "-s",
        "RETRY_BACKOFF_MAX=1",
        check=False,
    )
    assert proc.returncode != 0
    # the first try and two retries, then nothing more
    assert [p for p in fresh_server.requests if p.startswith("/remoteok/")] == [
        "/remoteok/api"
    ] * 3
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    stats = json.loads(run["stats"])
    assert stats["retry/max_reached"] == 1 and stats["retry/count"] == 2
    assert run["status"] != "finished" and run["status"] == "failed"
    assert rows(db, "SELECT count(*) n FROM raw_listings")[0]["n"] == 0
    log = (tmp_path / "remoteok.log").read_text()
    assert "Gave up retrying" in log and "/remoteok/api" in log
