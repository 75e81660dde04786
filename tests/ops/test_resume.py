"""Resumable crawls: kill a crawl mid-way (SIGKILL, SIGINT), start it again, it finishes
without fetching again the pages whose listings were stored."""

from __future__ import annotations

import signal
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.resume import jobdir, resume_settings
from tests.conftest import FAST, kill_env, rows, run_cli
from tests.ops.conftest import write_freelancer


def api_offsets(requests: list[str]) -> list[int]:
    return [
        int(parse_qs(urlsplit(r).query)["offset"][0]) for r in requests if "/api/" in r
    ]


def crawl_args(server, db, log):
    args = [
        "crawl",
        "freelancer",
        "--db",
        str(db),
        "--base-url",
        server.base_url("freelancer"),
        "-a",
        "limit=5",
        "--log-file",
        str(log),
        *FAST,
    ]
    for key, value in resume_settings(db).items():
        args += ["-s", f"{key}={value}"]
    return args


@pytest.mark.parametrize(
    "how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"]
)
def test_interrupted_crawl_resumes_without_refetching(
    tmp_path, gen_root, gen_server, how
):
    ids = write_freelancer(gen_root, pages=8, per_page=5)
    db = tmp_path / "jobs.db"
    # the signal comes as the 12th listing (page 3 of 8) is committed
    proc = run_cli(
        *crawl_args(gen_server, db, tmp_path / "a.log"),
        env=kill_env(f"crawl.stored:12:{how.name}"),
        timeout=120,
    )
    if how == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    before = api_offsets(gen_server.requests)
    stored_before = rows(db, "SELECT count(*) n FROM raw_listings")[0]["n"]
    assert 3 <= len(before) < 9 and stored_before >= 10
    assert (jobdir("freelancer", db) / "frontier.sqlite").exists()
    if how == signal.SIGINT:
        run = rows(db, "SELECT finish_reason FROM crawl_runs")[0]
        assert run["finish_reason"] == "shutdown"

    gen_server.requests.clear()
    run_cli(*crawl_args(gen_server, db, tmp_path / "b.log"), check=True)
    after = api_offsets(gen_server.requests)
    # Finished: every listing stored once, the frontier gone (next run starts over).
    assert {
        r["source_id"] for r in rows(db, "SELECT source_id FROM raw_listings")
    } == set(ids)
    assert not (jobdir("freelancer", db) / "frontier.sqlite").exists()
    # Pages stored before the interruption were not fetched again; at most the page being
    # processed when a SIGKILL hit is fetched twice (its listings counted unchanged).
    refetched = set(before) & set(after)
    assert len(refetched) <= (1 if how == signal.SIGKILL else 0), (before, after)
    assert 0 not in after
    assert sorted(set(before) | set(after)) == [5 * i for i in range(9)]
    resumed = rows(
        db, "SELECT new, unchanged FROM crawl_runs ORDER BY run_id DESC LIMIT 1"
    )[0]
    assert resumed["new"] == len(ids) - stored_before
    assert resumed["unchanged"] <= 5
